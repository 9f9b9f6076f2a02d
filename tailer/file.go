package tailer

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"time"
)

// logFile is an open file being read: the file at Path (or one renamed
// away from it), or a rotated copy.
type logFile struct {
	name   string
	f      *os.File
	id     FileID
	head   []byte // first min(size, FingerprintMax) bytes seen so far
	off    int64  // offset just after the last line handed out
	static bool   // a rotated copy: never checked for truncation
	gz     bool   // a gzip-compressed rotated copy (static), read whole by drainOpen
	cut    bool   // was truncated under the tailer (see copiesUnseen)
	// sure is when the file's first bytes were last found unchanged
	// (verifyHead, by confirm or check): its content then was the one
	// read, so the rotated copies last written after it hold later
	// content (see truncated). Zero until then.
	sure time.Time
	// cutRest: the bytes from off up to the next newline are the rest of
	// a line delivered cut by an earlier run, to be dropped (skipCutRest).
	cutRest bool
	scratch []byte
}

func (s *logFile) close() {
	if s.f != nil {
		s.f.Close()
		s.f = nil
	}
}

// setHead records head as the file's first bytes and recomputes the fingerprint.
func (s *logFile) setHead(head []byte) {
	s.head = append(s.head[:0], head...)
	s.id.Fingerprint = fingerprint(s.head)
	s.id.FingerprintLen = len(s.head)
}

// verifyHead re-reads the first bytes of a plain file and reports whether
// they still begin with the bytes seen before. When the file has grown and
// the fingerprint is short, the fingerprint grows. A false result means the
// file was truncated and rewritten.
func (s *logFile) verifyHead() (bool, error) {
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

// openLogFile opens name, checks that it is a regular file, and records its
// identity and head. On an error, fi is what os.Stat found at name when it
// found a file there (a directory, a special file, a regular file that
// cannot be opened); else nil.
func openLogFile(name string) (*logFile, os.FileInfo, error) {
	fi, err := os.Stat(name)
	if err != nil {
		return nil, nil, err
	}
	if fi.IsDir() {
		return nil, fi, fmt.Errorf("tailer: %s is a directory, not a log file; the path must name the log file (a glob such as %s/*.log follows the files in a directory)", name, name)
	}
	if !fi.Mode().IsRegular() {
		return nil, fi, fmt.Errorf("tailer: %s is not a regular file (mode %s)", name, fi.Mode())
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, fi, err // fi: the file there, which cannot be opened
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
	s := &logFile{name: name, f: f}
	s.id.Dev, s.id.Ino = devIno(fi)
	if _, err := s.verifyHead(); err != nil {
		f.Close()
		return nil, nil, err
	}
	return s, fi, nil
}

// sameInode reports whether fi is the file s reads.
func sameInode(fi os.FileInfo, s *logFile) bool {
	d, i := devIno(fi)
	return d == s.id.Dev && i == s.id.Ino
}

func fileSize(f *os.File) (int64, error) {
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}
