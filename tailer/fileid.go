package tailer

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"

	"github.com/gitlab-syslog/gitlab-syslog/tailer/checkpoint"
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

// sameFile reports whether a and b identify one file whose fingerprint may
// have grown in between: the same device and inode, and, where the system
// has no inode numbers (both zero), the same fingerprint too.
func sameFile(a, b FileID) bool {
	return a.SameFile(b) && (a.Dev|a.Ino != 0 || a == b)
}

// fingerprinted reports whether head's first id.FingerprintLen bytes hash
// to id.Fingerprint; false when id has no fingerprint (FingerprintLen 0)
// or head is shorter.
func (id FileID) fingerprinted(head []byte) bool {
	return id.FingerprintLen > 0 && len(head) >= id.FingerprintLen && fingerprint(head[:id.FingerprintLen]) == id.Fingerprint
}

// String returns "dev:ino:fplen:fphex8" for logs.
func (id FileID) String() string {
	return fmt.Sprintf("%d:%d:%d:%s", id.Dev, id.Ino, id.FingerprintLen, hex.EncodeToString(id.Fingerprint[:4]))
}

// SameAs reports whether fi, from os.Stat or File.Stat, describes the file
// id identifies: the same device and inode (SameFile). Without inode
// numbers (not Unix) both are zero, and it reports true.
func (id FileID) SameAs(fi os.FileInfo) bool {
	dev, ino := devIno(fi)
	return dev == id.Dev && ino == id.Ino
}

// HeadMatches reports whether the file at path begins with the bytes id's
// fingerprint covers (its first FingerprintLen bytes hash to Fingerprint),
// as the file id names does wherever it is renamed or linked; false for
// another file that was given id's device and inode after id's file was
// deleted (the inode reused), or a file that cannot be read. An id
// without a fingerprint (FingerprintLen 0: the file was empty) matches
// any file.
func (id FileID) HeadMatches(path string) bool {
	if id.FingerprintLen <= 0 {
		return true
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head, err := copyHead(f, false, id.FingerprintLen)
	return err == nil && id.fingerprinted(head)
}

// devIno returns the device and inode number of fi (zeros when unknown).
func devIno(fi os.FileInfo) (dev, ino uint64) { return checkpoint.DevIno(fi) }

func fingerprint(head []byte) [sha256.Size]byte { return sha256.Sum256(head) }
