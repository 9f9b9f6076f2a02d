package checkpoint

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// PositionVersion is the newest version of the Position record format
// that LoadPosition reads: 1 and 2. SavePosition writes version 1, with
// Next and Between when there are: an agent that knows only version 1
// ignores the fields it does not know and reads the newer files again
// from 0 (at least once), where a version it does not know would make it
// discard the whole record (its start_at then skips or re-sends the
// file). Version 2 is the
// same record; some builds wrote it when a Next was present.
const PositionVersion = 2

// Position records how far a followed file was read and delivered. The
// tailer writes one per followed path, under PositionKey(path):
//
//	{"version":1,"path":"…","file":"…","dev":…,"ino":…,"fingerprint":"<sha256 hex>","fp_len":…,
//	 "offset":…,"pre_len":32,"pre_hash":"<sha256 hex>","updated":"…"}
//
// and, with Next, "next":{"file":"…","dev":…,"ino":…,
// "fingerprint":"…","fp_len":…,"offset":…,"pre_len":…,"pre_hash":"…"},
// and, with Between, "between":[{…}, …] of the same FilePosition records.
type Position struct {
	Version int    `json:"version"`
	Path    string `json:"path"`           // the followed path
	File    string `json:"file,omitempty"` // name the offset was read from (Path or a rotated sibling)
	// Dev and Ino identify the file (0 where the system has no inodes).
	Dev uint64 `json:"dev"`
	Ino uint64 `json:"ino"`
	// Fingerprint is the hex SHA-256 of the first FpLen bytes of the file.
	Fingerprint string `json:"fingerprint"`
	FpLen       int    `json:"fp_len"`
	// Offset is the byte offset just after the last delivered line.
	Offset int64 `json:"offset"`
	// PreLen and PreHash: hex SHA-256 of the PreLen bytes just before
	// Offset, which the tailer re-checks on resume to catch a file
	// rewritten while stopped whose first bytes are unchanged.
	PreLen  int    `json:"pre_len,omitempty"`
	PreHash string `json:"pre_hash,omitempty"`
	// Next is how far a newer file was delivered while
	// the file above, renamed away by a rotation, was still read for late
	// writes: a restart reads that file's rest from Offset, then resumes
	// the newer one at Next.Offset instead of reading it again from 0.
	// Nil when no such file was read.
	Next *FilePosition `json:"next,omitempty"`
	// Between is how far the files read after the file above and before
	// the one of Next were delivered, oldest first: files renamed away
	// themselves while the file above was still drained. A restart reads
	// each from its own position instead of from 0. It is set only with
	// Next. An agent that does not know the field (it was added to
	// version 1 like Next) ignores it and reads those files again from 0
	// (at least once).
	Between []FilePosition `json:"between,omitempty"`
	// PartsFrom, when set, is where, in the file above, the lines begin
	// that a run ending at the end of the file (run --once) sent before
	// the line they are parts of was finished (a container log line whose
	// last part was not written yet, sent raw; see tailer.Tailer.UnholdSent):
	// they run from PartsFrom to Offset. A restart that finds the file
	// grown since, or that follows the file (not Complete), resumes at
	// PartsFrom, so that the line is read and sent whole; a Complete run
	// that finds nothing after Offset resumes at Offset. Nil
	// when no such lines precede Offset. An agent that does not know the
	// field resumes at Offset.
	PartsFrom *int64 `json:"parts_from,omitempty"`
	// HandedOver, when set, says that the record was not written by the
	// tailer of Path but handed to Path from the record of HandedOver, a
	// path whose file was renamed to Path, read to its end and forgotten
	// by a glob: whoever follows Path next resumes where that tailer
	// stopped. A tailer of Path replaces it with a record of its own.
	HandedOver string    `json:"handed_over,omitempty"`
	Updated    time.Time `json:"updated"` // when the record was written (UTC)
}

// FilePosition is a place in one file, identified as in Position: the
// name it was read under, device and inode, the hex SHA-256 of its first
// FpLen bytes, the offset just after the last delivered line, and the
// hash of the PreLen bytes before it.
type FilePosition struct {
	File        string `json:"file,omitempty"`
	Dev         uint64 `json:"dev"`
	Ino         uint64 `json:"ino"`
	Fingerprint string `json:"fingerprint"`
	FpLen       int    `json:"fp_len"`
	Offset      int64  `json:"offset"`
	PreLen      int    `json:"pre_len,omitempty"`
	PreHash     string `json:"pre_hash,omitempty"`
}

// PositionKeyPrefix begins the key of every Position record (PositionKey):
// a state directory with a file of that name and ".json" is run's.
const PositionKeyPrefix = "tail-"

// PositionKey returns the key of the Position record of path: "tail-" and
// the first 16 hex digits of SHA-256 of its absolute path, with the
// symbolic links of its directory resolved (filepath.EvalSymlinks), so
// that one log directory reached through a symlink keeps one record. When
// the directory cannot be resolved (it does not exist yet), the absolute
// path is used as it is. The file name itself is not resolved: the file is
// followed by name.
func PositionKey(path string) string {
	return keyOf(PositionKeyPrefix, resolvedPath(path))
}

// resolvedPath returns path made absolute, the symbolic links of its
// directory resolved when it can be (PositionKey).
func resolvedPath(path string) string {
	abs := absPath(path)
	if dir, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		abs = filepath.Join(dir, filepath.Base(abs))
	}
	return abs
}

// legacyPositionKey is the key of path's record as written before
// PositionKey resolved symbolic links: the absolute path as given.
func legacyPositionKey(path string) string { return keyOf(PositionKeyPrefix, absPath(path)) }

func absPath(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = filepath.Clean(path)
	}
	return abs
}

// keyOf returns prefix and the first 16 hex digits of the SHA-256 of abs.
func keyOf(prefix, abs string) string {
	sum := sha256.Sum256([]byte(abs))
	return prefix + hex.EncodeToString(sum[:8])
}

// LoadPosition returns the Position saved for path, or nil and a nil
// error when there is none. A record that cannot be read, is not JSON or
// has another version is an error naming the file; the caller decides
// what to do without it. A record found only under the key of the path as
// given (written before keys resolved symlinks) is moved to PositionKey's
// key; if that move fails the record is still returned, and the next
// SavePosition writes the new key, which is read first from then on.
func (s *Store) LoadPosition(path string) (*Position, error) {
	key := PositionKey(path)
	p, found, err := s.loadPosition(key)
	if found || err != nil {
		return p, err
	}
	old := legacyPositionKey(path)
	if old == key {
		return nil, nil
	}
	if p, found, err = s.loadPosition(old); !found || err != nil {
		return p, err
	}
	if s.Save(key, p) == nil {
		s.Remove(old)
	}
	return p, nil
}

// ReadPosition returns the Position record held by the file name, a
// record file of a state directory (Store.File's name of a PositionKey),
// for tools that inspect a state directory without following its files.
// Its errors are LoadPosition's, naming the file; a file that does not
// exist is an error wrapping fs.ErrNotExist.
func ReadPosition(name string) (*Position, error) {
	s := &Store{dir: filepath.Dir(name)}
	p, found, err := s.loadPosition(strings.TrimSuffix(filepath.Base(name), ".json"))
	if err == nil && !found {
		err = fmt.Errorf("read checkpoint %s: %w", name, fs.ErrNotExist)
	}
	return p, err
}

func (s *Store) loadPosition(key string) (*Position, bool, error) {
	var p Position
	found, err := s.Load(key, &p)
	if err != nil || !found {
		return nil, found, err
	}
	switch {
	case p.Version == 0:
		return nil, true, fmt.Errorf("checkpoint %s has no version (want 1 to %d): it is no record an agent wrote (emptied, or edited by hand?)", s.File(key), PositionVersion)
	case p.Version < 0:
		return nil, true, fmt.Errorf("checkpoint %s has version %d, want 1 to %d: it is no record an agent wrote (edited by hand?)", s.File(key), p.Version, PositionVersion)
	case p.Version > PositionVersion:
		return nil, true, fmt.Errorf("checkpoint %s has version %d, want 1 to %d (written by a newer agent?)", s.File(key), p.Version, PositionVersion)
	}
	return &p, true, nil
}

// SavePosition replaces the Position record of p.Path (under
// PositionKey(p.Path)) durably, setting Version: 1, so that an agent that
// knows only version 1 still uses the record (see PositionVersion).
func (s *Store) SavePosition(p Position) error {
	p.Version = 1
	return s.Save(PositionKey(p.Path), p)
}

// AtEnd reports, for a run that stops once every file was read, whether
// the Position saved for path is the end of the file path names now: the
// same device and inode, and the offset is its size; or, when the record
// keeps the position of that file apart (Next, the record's own position
// being in a file renamed away), Next's offset is its size. ok is false
// when no Position is saved (or it cannot be read) or path cannot be
// stat'ed.
func (s *Store) AtEnd(path string) (atEnd, ok bool) {
	p, err := s.LoadPosition(path)
	if err != nil || p == nil {
		return false, false
	}
	fi, err := os.Stat(path)
	if err != nil {
		return false, false
	}
	dev, ino := DevIno(fi)
	if n := p.Next; n != nil && dev == n.Dev && ino == n.Ino {
		return n.Offset == fi.Size(), true
	}
	return dev == p.Dev && ino == p.Ino && p.Offset == fi.Size(), true
}
