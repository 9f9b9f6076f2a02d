// Package checkpoint is the durable store of an agent's small state
// records: how far each followed file was read (Position), and any other
// keyed record a component keeps across restarts. It is the only code that
// reads, writes, lists and removes the files of a state directory.
//
// A record is one JSON document in its own file, <dir>/<key>.json. Save
// replaces it atomically and durably: temp file in the same directory,
// write, fsync, close, rename, fsync of the directory. After a crash a
// record is therefore its last complete write, never a mix of two. A Store
// is safe for concurrent use on distinct keys; writers of one key must
// serialise their writes themselves (the last rename wins).
package checkpoint

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gitlab-syslog/gitlab-syslog/internal/tempfiles"
)

// Store keeps records in one directory. Create it with Open.
type Store struct {
	dir string
}

// Open returns the store of dir, creating dir (mode 0750) when it does
// not exist. It does not check that dir is writable; see Probe.
func Open(dir string) (*Store, error) {
	if dir == "" {
		return nil, errors.New("checkpoint: state directory is empty")
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("create state dir %s: %w", dir, err)
	}
	return &Store{dir: dir}, nil
}

// Dir returns the directory of the store.
func (s *Store) Dir() string { return s.dir }

// File returns the name of the file that holds the record key: the
// directory joined with key + ".json". It is meant for messages that tell
// a user which file is concerned.
func (s *Store) File(key string) string { return filepath.Join(s.dir, key+".json") }

// checkKey reports a key that cannot name a record file: empty, starting
// with a dot (temp and probe files do), or holding a byte other than
// ASCII letters, digits, '-', '_' and '.'.
func checkKey(key string) error {
	if key == "" || key[0] == '.' {
		return fmt.Errorf("checkpoint: invalid key %q", key)
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return fmt.Errorf("checkpoint: invalid key %q", key)
		}
	}
	return nil
}

// Load decodes the record key into v. It returns false and a nil error
// when there is no such record; an error names the file and says whether
// it could not be read (a file that is not a regular file is not opened)
// or is not valid JSON.
func (s *Store) Load(key string, v any) (bool, error) {
	if err := checkKey(key); err != nil {
		return false, err
	}
	name := s.File(key)
	kind, again := recordKind(key)
	if fi, err := os.Stat(name); err == nil && !fi.Mode().IsRegular() { // not opened: a FIFO would block
		return false, fmt.Errorf("read %s %s: not a regular file (mode %s); remove it (%s)", kind, name, fi.Mode(), again)
	}
	data, err := os.ReadFile(name)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read %s %s: %w", kind, name, err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return false, fmt.Errorf("%s %s is empty, which the agent never writes (emptied by hand, or cut short by a file system that lost its last write?)", kind, name)
	}
	if err := json.Unmarshal(data, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			where := "for the record"
			if te.Field != "" {
				where = "for its " + te.Field
			}
			return false, fmt.Errorf("%s %s is valid JSON, but not a record of its kind (a JSON %s %s)", kind, name, te.Value, where)
		}
		return false, fmt.Errorf("%s %s is not valid JSON (%v)", kind, name, err)
	}
	return true, nil
}

// Save encodes v as JSON (one line) and replaces the record key with it
// durably (see the package doc). An error names the file.
func (s *Store) Save(key string, v any) error {
	if err := checkKey(key); err != nil {
		return err
	}
	kind, _ := recordKind(key)
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s %s: %w", kind, s.File(key), err)
	}
	return writeFileAtomic(s.File(key), kind, append(data, '\n'))
}

// Remove deletes the record key durably (the directory is fsynced). A
// record that does not exist is not an error.
func (s *Store) Remove(key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	name := s.File(key)
	if err := os.Remove(name); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		kind, _ := recordKind(key)
		return fmt.Errorf("remove %s %s: %w", kind, name, err)
	}
	return syncDir(s.dir)
}

// DirInPlace says, in messages about a record whose file is a directory
// (Replaceable false), what that means and what to do.
const DirInPlace = "it is a directory, which no record can replace: remove it"

// ErrDirInPlace is wrapped by Save's error when the record's file is a
// directory (errors.Is), which no write can replace until it is removed.
var ErrDirInPlace = errors.New("record file is a directory")

// Replaceable reports whether Save can replace the record key: false when
// a directory is in its place.
func (s *Store) Replaceable(key string) bool {
	fi, err := os.Lstat(s.File(key))
	return err != nil || !fi.IsDir()
}

// Keys returns, sorted, the keys of the records whose key begins with
// prefix ("" for all).
func (s *Store) Keys(prefix string) ([]string, error) {
	ents, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("list state records in %s: %w", s.dir, err)
	}
	var keys []string
	for _, e := range ents {
		key, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || !e.Type().IsRegular() || checkKey(key) != nil || !strings.HasPrefix(key, prefix) {
			continue
		}
		keys = append(keys, key)
	}
	sort.Strings(keys)
	return keys, nil
}

// Probe checks that records can be saved in the directory: it creates,
// writes, fsyncs and removes a probe file and fsyncs the directory, as
// Save does.
func (s *Store) Probe() error {
	f, err := os.CreateTemp(s.dir, ".probe-*")
	if err != nil {
		return err
	}
	_, werr := f.Write([]byte("gitlab-syslog state_dir probe\n"))
	serr := f.Sync()
	cerr := f.Close()
	rerr := os.Remove(f.Name())
	if err := errors.Join(werr, serr, cerr, rerr); err != nil {
		return err
	}
	return syncDir(s.dir)
}

// writeFileAtomic replaces name, a record of kind (recordKind), with data
// durably: temp file in the same directory, write, fsync, close, rename,
// fsync of the directory.
func writeFileAtomic(name, kind string, data []byte) error {
	dir := filepath.Dir(name)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(name)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s %s: %w", kind, name, err)
	}
	tmpName := tmp.Name()
	fail := func(err error) error {
		tmp.Close()
		os.Remove(tmpName)
		return fmt.Errorf("write %s %s: %w", kind, name, err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmpName)
		return fmt.Errorf("write %s %s: %w", kind, name, err)
	}
	if err := os.Rename(tmpName, name); err != nil {
		os.Remove(tmpName)
		if fi, serr := os.Lstat(name); serr == nil && fi.IsDir() {
			return fmt.Errorf("write %s %s: %s (%w)%w", kind, name, DirInPlace, err, noText{ErrDirInPlace})
		}
		return fmt.Errorf("write %s %s: %w", kind, name, err)
	}
	return syncDir(dir)
}

// syncDir fsyncs the directory dir, so that a rename or removal in it is
// durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync state dir %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync state dir %s: %w", dir, err)
	}
	return nil
}

// recordKind names, for messages, the kind of record key holds (a
// checkpoint: PositionKey; a wait record: WaitKey; else a state record),
// and says when the agent writes it again once a user removed it.
func recordKind(key string) (kind, again string) {
	switch {
	case strings.HasPrefix(key, PositionKeyPrefix):
		return "checkpoint", "it is written again at the next checkpoint"
	case strings.HasPrefix(key, WaitKeyPrefix):
		return "wait record", "it is written again when the agent next waits for the path"
	}
	return "state record", "the agent writes it again when it needs it"
}

// noText wraps an error for errors.Is without adding to a message's text
// (the message says it in its own words).
type noText struct{ err error }

func (noText) Error() string   { return "" }
func (n noText) Unwrap() error { return n.err }

// RemoveTemps removes from dir the temporary files of saves that did not
// finish, the process killed between a temporary file's creation and its
// rename (writeFileAtomic) or removal (Probe): ".NAME.tmp-DIGITS" and
// ".probe-DIGITS". It returns the paths removed, and the errors of listing
// dir or removing one (nil, nil when dir does not exist). Call it only
// while no Save or Probe runs on dir: at start, with the state
// directory's lock held.
func RemoveTemps(dir string) ([]string, error) {
	return tempfiles.Remove(dir, func(name string) bool {
		if rest, ok := strings.CutPrefix(name, ".probe-"); ok {
			return tempfiles.Random(rest)
		}
		i := strings.LastIndex(name, ".tmp-")
		return strings.HasPrefix(name, ".") && i > 1 && tempfiles.Random(name[i+len(".tmp-"):])
	})
}
