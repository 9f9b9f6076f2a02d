package checkpoint

import (
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"time"
)

// WaitKeyPrefix begins the key of every Wait record (WaitKey).
const WaitKeyPrefix = "wait-"

// WaitVersion is the version of the Wait record format that SaveWait
// writes and LoadWait reads.
const WaitVersion = 1

// Wait records that a followed path had no file when its tailer began to
// wait for one (at start, or after a rotation or deletion): a file there
// later appeared since, and its rotated copies last written after Since
// hold lines of files that appeared (and were rotated away) while nobody
// followed the path. The tailer writes one under WaitKey(path) when it
// begins to wait and removes it once it saved a Position in another file
// than the one it followed before:
//
//	{"version":1,"path":"…","since":"…"}
type Wait struct {
	Version int    `json:"version"`
	Path    string `json:"path"` // the followed path, absolute, as WaitKey resolves it
	// Since is when the wait began (UTC): the path had no file then.
	Since time.Time `json:"since"`
}

// WaitKey returns the key of the Wait record of path: "wait-" and the
// first 16 hex digits of the SHA-256 of its absolute path, its
// directory's symbolic links resolved, as PositionKey.
func WaitKey(path string) string { return keyOf(WaitKeyPrefix, resolvedPath(path)) }

// SaveWait writes the Wait record of path durably: version WaitVersion,
// the path made absolute as WaitKey makes it, since in UTC. An error names the file.
func (s *Store) SaveWait(path string, since time.Time) error {
	return s.Save(WaitKey(path), Wait{Version: WaitVersion, Path: resolvedPath(path), Since: since.UTC()})
}

// LoadWait returns the Wait record saved for path, or nil and a nil error
// when there is none. A record that cannot be read or is not JSON is an
// error naming the file; the caller checks the record itself
// (Wait.Problem).
func (s *Store) LoadWait(path string) (*Wait, error) {
	var w Wait
	found, err := s.Load(WaitKey(path), &w)
	if err != nil || !found {
		return nil, err
	}
	return &w, nil
}

// RemoveWait deletes the Wait record of path durably; none is not an
// error.
func (s *Store) RemoveWait(path string) error { return s.Remove(WaitKey(path)) }

// Problem returns why w, the Wait record loaded for path at now, cannot
// be used, or "" when it can: another version, no path or another one, no time, or
// a time more than slack after now (the clock was set back).
func (w *Wait) Problem(path string, now time.Time, slack time.Duration) string {
	switch {
	case w.Version > WaitVersion:
		return fmt.Sprintf("version %d, not %d (written by a newer agent?)", w.Version, WaitVersion)
	case w.Version != WaitVersion:
		return fmt.Sprintf("version %d, not %d", w.Version, WaitVersion)
	case w.Path == "":
		return "no path"
	case w.Path != resolvedPath(path):
		return "the record of another path: " + w.Path
	case w.Since.IsZero():
		return "no since time"
	case w.Since.After(now.Add(slack)):
		return "since " + w.Since.UTC().Format(time.RFC3339) + " is in the future (the clock was set back?)"
	}
	return ""
}

// ReadWait returns the Wait record held by the file name, a record file
// of a state directory (Store.File's name of a WaitKey), for tools that
// inspect a state directory. A file that cannot be read or is not JSON is
// an error naming it; one that does not exist wraps fs.ErrNotExist.
func ReadWait(name string) (*Wait, error) {
	s := &Store{dir: filepath.Dir(name)}
	var w Wait
	found, err := s.Load(strings.TrimSuffix(filepath.Base(name), ".json"), &w)
	if err == nil && !found {
		err = fmt.Errorf("read wait record %s: %w", name, fs.ErrNotExist)
	}
	if err != nil {
		return nil, err
	}
	return &w, nil
}
