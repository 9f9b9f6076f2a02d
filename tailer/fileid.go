package tailer

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
)

// FingerprintMax is the most head bytes a fingerprint covers. A file shorter
// than that is fingerprinted over what it holds; the fingerprint grows with
// the file until it covers FingerprintMax bytes.
const FingerprintMax = 1024

// FileID identifies a file across renames and restarts: device and inode
// number, plus a SHA-256 fingerprint of its first FingerprintLen bytes, which
// guards against inode reuse and tells a truncated-and-rewritten file from
// the one read before.
type FileID struct {
	Dev, Ino       uint64
	Fingerprint    [sha256.Size]byte
	FingerprintLen int
}

// SameFile reports whether id and o name the same device and inode.
func (id FileID) SameFile(o FileID) bool { return id.Dev == o.Dev && id.Ino == o.Ino }

// String returns "dev:ino:fplen:fphex8" for logs.
func (id FileID) String() string {
	return fmt.Sprintf("%d:%d:%d:%s", id.Dev, id.Ino, id.FingerprintLen, hex.EncodeToString(id.Fingerprint[:4]))
}

func fingerprint(head []byte) [sha256.Size]byte { return sha256.Sum256(head) }

// source is a file being read: the live file at Path, or a rotated sibling.
type source struct {
	name    string
	f       *os.File
	id      FileID
	head    []byte // first min(size, FingerprintMax) bytes seen so far
	off     int64  // offset just after the last line handed out
	static  bool   // a rotated copy: never checked for truncation
	scratch []byte
}

func (s *source) close() {
	if s.f != nil {
		s.f.Close()
		s.f = nil
	}
}

// setHead records head as the file's first bytes and recomputes the fingerprint.
func (s *source) setHead(head []byte) {
	s.head = append(s.head[:0], head...)
	s.id.Fingerprint = fingerprint(s.head)
	s.id.FingerprintLen = len(s.head)
}

// verifyHead re-reads the first bytes of a plain file and reports whether
// they still begin with the bytes seen before. When the file has grown and
// the fingerprint is short, the fingerprint grows. A false result means the
// file was truncated and rewritten.
func (s *source) verifyHead() (bool, error) {
	if s.static {
		return true, nil
	}
	if s.scratch == nil {
		s.scratch = make([]byte, FingerprintMax)
	}
	want := len(s.head)
	n, err := s.f.ReadAt(s.scratch, 0)
	if err != nil && err != io.EOF {
		return false, fmt.Errorf("tailer: read head of %s: %w", s.name, err)
	}
	if n < want || !bytes.Equal(s.scratch[:want], s.head) {
		return false, nil
	}
	if n > want {
		s.setHead(s.scratch[:n])
	}
	return true, nil
}

// openSource opens name, checks that it is a regular file, and records its
// identity and head.
func openSource(name string) (*source, os.FileInfo, error) {
	fi, err := os.Stat(name)
	if err != nil {
		return nil, nil, err
	}
	if fi.IsDir() {
		return nil, fi, fmt.Errorf("tailer: %s is a directory, not a log file", name)
	}
	if !fi.Mode().IsRegular() {
		return nil, fi, fmt.Errorf("tailer: %s is not a regular file (mode %s)", name, fi.Mode())
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, err
	}
	fi, err = f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("tailer: stat %s: %w", name, err)
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, fi, fmt.Errorf("tailer: %s is not a regular file (mode %s)", name, fi.Mode())
	}
	s := &source{name: name, f: f}
	s.id.Dev, s.id.Ino = devIno(fi)
	if _, err := s.verifyHead(); err != nil {
		f.Close()
		return nil, nil, err
	}
	return s, fi, nil
}

// sameInode reports whether fi is the file s reads.
func sameInode(fi os.FileInfo, s *source) bool {
	d, i := devIno(fi)
	return d == s.id.Dev && i == s.id.Ino
}
