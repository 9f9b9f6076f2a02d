package detect

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/jsonstr"
	"github.com/gitlab-syslog/gitlab-syslog/internal/tempfiles"
)

// Store keeps the engine's and the rules' state as one JSON file per rule
// in <state_dir>/detect/<name>.json. Each file is an envelope
//
//	{"schema": N, "rule": "<id>", "saved_at": "<RFC 3339>", "generation": G, "state": <the rule's JSON>}
//
// written atomically: a temporary file in the same directory, fsync,
// rename over the old file, fsync of the directory (as the tailer's
// checkpoints). generation numbers the engine's saves (Engine.Save): the
// engine's file and the rules' files written by one save carry the same
// one, so that a rule's state is restored only with the engine state it
// was saved with (see Engine.load). It is left out by Save, and in files
// of releases before it (read as 0). A Store is safe for concurrent use
// on distinct names.
type Store struct {
	dir string
}

// OpenStore returns the store under stateDir, creating stateDir/detect
// (mode 0750) when needed.
func OpenStore(stateDir string) (*Store, error) {
	dir := filepath.Join(stateDir, "detect")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("detections: state directory: %w", err)
	}
	return &Store{dir: dir}, nil
}

// Dir returns the directory the files are in.
func (s *Store) Dir() string { return s.dir }

// Path returns the file that holds the state called name.
func (s *Store) Path(name string) string { return filepath.Join(s.dir, name+".json") }

type envelope struct {
	Schema     int             `json:"schema"`
	Rule       string          `json:"rule"`
	SavedAt    time.Time       `json:"saved_at"`
	Generation uint64          `json:"generation"`
	State      json.RawMessage `json:"state"`
}

// Save writes state (JSON) for name with schema version. It returns an
// error naming name when state is not valid JSON or the file cannot be
// written; the file on disk is then the previous one.
func (s *Store) Save(name string, version int, state []byte) error {
	return s.save(name, version, 0, state)
}

// save is Save with the save's generation gen (0: none).
func (s *Store) save(name string, version int, gen uint64, state []byte) error {
	if !json.Valid(state) {
		return fmt.Errorf("detections: save %s: state is not valid JSON", name)
	}
	return s.write(name, version, gen, state)
}

// write is Save for a state the caller encoded itself and knows to be
// valid JSON: the envelope is written around it, without a pass over it,
// with the save's generation gen (0: none).
func (s *Store) write(name string, version int, gen uint64, state []byte) error {
	head := make([]byte, 0, 128)
	head = append(head, `{"schema":`...)
	head = strconv.AppendInt(head, int64(version), 10)
	head = append(head, `,"rule":`...)
	head = jsonstr.Append(head, name)
	head = append(head, `,"saved_at":`...)
	head = appendTime(head, time.Now().UTC())
	if gen != 0 {
		head = append(head, `,"generation":`...)
		head = strconv.AppendUint(head, gen, 10)
	}
	head = append(head, `,"state":`...)
	if err := writeAtomic(s.Path(name), head, state, []byte("}\n")); err != nil {
		return fmt.Errorf("detections: save %s: %w", name, stateErr(s.Path(name), err, true))
	}
	return nil
}

// ErrNoState is returned by Load when no state was saved under the name.
var ErrNoState = errors.New("no saved state")

// Load returns the state saved for name. It returns ErrNoState when there
// is no file, and an error naming the file and the cause when the file
// cannot be read, is not a valid envelope, or has another schema version;
// the caller logs it and starts fresh.
func (s *Store) Load(name string, version int) ([]byte, error) {
	b, _, err := s.load(name, version)
	return b, err
}

// load is Load that also returns the file's generation (0: none, or
// unknown when the error is not nil and the file was not decoded).
func (s *Store) load(name string, version int) ([]byte, uint64, error) {
	env, err := s.read(name)
	if err != nil {
		return nil, env.Generation, err
	}
	if env.Schema != version {
		return nil, env.Generation, fmt.Errorf("%s: state schema %d, this version reads %d", s.Path(name), env.Schema, version)
	}
	return env.State, env.Generation, nil
}

// read returns the envelope of the file of the state called name: Load's
// errors but for the schema version's, with the envelope's generation
// when it was decoded. A file that is not a regular file is not opened.
func (s *Store) read(name string) (envelope, error) {
	p := s.Path(name)
	if fi, err := os.Stat(p); err == nil && !fi.Mode().IsRegular() {
		return envelope{}, errors.New(stateFix(p, nil, false)) // not opened: a FIFO would block
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return envelope{}, ErrNoState
	}
	if err != nil {
		return envelope{}, stateErr(p, err, false) // *PathError names the file
	}
	var env envelope
	if err := json.Unmarshal(b, &env); err != nil {
		return envelope{}, fmt.Errorf("%s: corrupt state file: %w; %s", p, err, stateFix(p, err, false))
	}
	if env.Rule != name || len(env.State) == 0 {
		return env, fmt.Errorf("%s: state file is for %q, not %q, or empty", p, env.Rule, name)
	}
	return env, nil
}

// writeAtomic replaces path with the concatenation of parts: temp file,
// fsync, rename, directory fsync.
func writeAtomic(path string, parts ...[]byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after the rename
	for _, p := range parts {
		if _, err := f.Write(p); err != nil {
			f.Close()
			return err
		}
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// RemoveTemps removes from stateDir/detect the temporary files of saves
// that did not finish, the process killed between a temporary file's
// creation and its rename (writeAtomic): ".NAME.json.DIGITS". It returns
// the paths removed, and the errors of listing the directory or removing
// one (nil, nil when it does not exist). Call it only while no engine
// saves there: at start, with the state directory's lock held.
func RemoveTemps(stateDir string) ([]string, error) {
	return tempfiles.Remove(filepath.Join(stateDir, "detect"), func(name string) bool {
		i := strings.LastIndex(name, ".json.")
		return strings.HasPrefix(name, ".") && i > 0 && tempfiles.Random(name[i+len(".json."):])
	})
}
