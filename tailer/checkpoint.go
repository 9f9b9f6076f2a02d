package tailer

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

const checkpointVersion = 1

// checkpoint is the JSON document kept per source in Config.StateDir.
type checkpoint struct {
	Version     int    `json:"version"`
	Path        string `json:"path"`
	File        string `json:"file,omitempty"` // name the offset was read from (Path or a rotated sibling)
	Dev         uint64 `json:"dev"`
	Ino         uint64 `json:"ino"`
	Fingerprint string `json:"fingerprint"` // hex SHA-256 of the first fp_len bytes
	FpLen       int    `json:"fp_len"`
	Offset      int64  `json:"offset"`
	// PreLen and PreHash: SHA-256 (hex) of the PreLen bytes just before
	// Offset, re-checked on resume (after Fluent Bit): it catches a file
	// rewritten while stopped whose first bytes happen to be unchanged.
	PreLen  int       `json:"pre_len,omitempty"`
	PreHash string    `json:"pre_hash,omitempty"`
	Updated time.Time `json:"updated"`
}

// preWindow is how many bytes before the offset PreHash covers.
const preWindow = 32

// preHash reads the preWindow bytes before off in the plain file name, if
// it is still the file id names, and returns their length and hash.
func preHash(name string, id FileID, off int64) (int, string) {
	n := int(min(off, preWindow))
	if n == 0 || name == "" {
		return 0, ""
	}
	f, err := os.Open(name)
	if err != nil {
		return 0, ""
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return 0, ""
	}
	if d, i := devIno(fi); d != id.Dev || i != id.Ino {
		return 0, ""
	}
	buf := make([]byte, n)
	if m, err := f.ReadAt(buf, off-int64(n)); m != n || (err != nil && err != io.EOF) {
		return 0, ""
	}
	sum := sha256.Sum256(buf)
	return n, hex.EncodeToString(sum[:])
}

// preMatches reports whether f holds, just before c.Offset, the bytes the
// checkpoint hashed (true when it hashed none).
func (c *checkpoint) preMatches(f *os.File) bool {
	if c.PreLen <= 0 {
		return true
	}
	if int64(c.PreLen) > c.Offset || c.PreLen > preWindow {
		return false
	}
	buf := make([]byte, c.PreLen)
	if m, err := f.ReadAt(buf, c.Offset-int64(c.PreLen)); m != c.PreLen || (err != nil && err != io.EOF) {
		return false
	}
	sum := sha256.Sum256(buf)
	return hex.EncodeToString(sum[:]) == c.PreHash
}

func (c *checkpoint) fileID() (FileID, error) {
	id := FileID{Dev: c.Dev, Ino: c.Ino, FingerprintLen: c.FpLen}
	b, err := hex.DecodeString(c.Fingerprint)
	if err != nil || len(b) != sha256.Size {
		return id, fmt.Errorf("bad fingerprint %q", c.Fingerprint)
	}
	copy(id.Fingerprint[:], b)
	if c.FpLen < 0 || c.FpLen > FingerprintMax || c.Offset < 0 {
		return id, fmt.Errorf("bad fp_len %d or offset %d", c.FpLen, c.Offset)
	}
	return id, nil
}

// CheckpointFile returns the name of the checkpoint file of path in stateDir:
// "tail-" + the first 16 hex digits of SHA-256(absolute path) + ".json".
func CheckpointFile(stateDir, path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = filepath.Clean(path)
	}
	sum := sha256.Sum256([]byte(abs))
	return filepath.Join(stateDir, "tail-"+hex.EncodeToString(sum[:8])+".json")
}

// loadCheckpoint reads name. A missing file returns (nil, nil).
func loadCheckpoint(name string) (*checkpoint, error) {
	data, err := os.ReadFile(name)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("tailer: read checkpoint %s: %w", name, err)
	}
	var c checkpoint
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("tailer: checkpoint %s is not valid JSON (%v); it will be ignored", name, err)
	}
	if c.Version != checkpointVersion {
		return nil, fmt.Errorf("tailer: checkpoint %s has version %d, want %d; it will be ignored", name, c.Version, checkpointVersion)
	}
	if _, err := c.fileID(); err != nil {
		return nil, fmt.Errorf("tailer: checkpoint %s: %v; it will be ignored", name, err)
	}
	return &c, nil
}

// writeFileAtomic replaces name with data durably: temp file in the same
// directory, write, fsync, close, rename, fsync of the directory.
func writeFileAtomic(name string, data []byte) error {
	dir := filepath.Dir(name)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(name)+".tmp-*")
	if err != nil {
		return fmt.Errorf("tailer: write checkpoint %s: %w", name, err)
	}
	tmpName := tmp.Name()
	fail := func(err error) error {
		tmp.Close()
		os.Remove(tmpName)
		return fmt.Errorf("tailer: write checkpoint %s: %w", name, err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmpName)
		return fmt.Errorf("tailer: write checkpoint %s: %w", name, err)
	}
	if err := os.Rename(tmpName, name); err != nil {
		os.Remove(tmpName)
		return fmt.Errorf("tailer: write checkpoint %s: %w", name, err)
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("tailer: sync state dir %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("tailer: sync state dir %s: %w", dir, err)
	}
	return nil
}
