package detect

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// CheckStateDir checks the files of the detection state in dir
// (state_dir/detect) as the engine would find them at start. problems
// are the state files it cannot save over, so that every save fails: a
// directory in a NAME.json's place (a rule's makes run --once exit 1).
// warnings
// are those it cannot restore but replaces at its next save: a NAME.json
// that is not a regular file (not opened: a FIFO would block), cannot be
// read, or is not a state envelope for NAME (Store.Load's errors, but for
// the schema version, which is each rule's own); the engine logs each and
// starts that state afresh. Each error names the file, the cause and what
// to do, in the order of the files' names. A dir that does not exist
// holds nothing to check (the first start creates it).
func CheckStateDir(dir string) (problems, warnings []error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return []error{stateErr(dir, err, false)}, nil
	}
	s := &Store{dir: dir}
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || strings.HasPrefix(name, ".") { // not a state file; .NAME.json.*: a save's temporary file
			continue
		}
		path := filepath.Join(dir, e.Name())
		if fi, err := os.Stat(path); err == nil && fi.IsDir() { // a save renames its file over it: not over a directory
			problems = append(problems, fmt.Errorf("%s is a directory, not a state file: every save of that state fails; remove or move it", path))
			continue
		}
		if _, err := s.read(name); err != nil {
			warnings = append(warnings, err)
		}
	}
	return problems, warnings
}
