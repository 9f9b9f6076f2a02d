package detect

import (
	"errors"
	"io/fs"
	"os"
	"strings"
)

// CheckStateDir returns an error for each file of the detection state in
// dir (state_dir/detect) that the engine could not restore at start: a
// NAME.json that is not a regular file, cannot be read, or is not a
// state envelope for NAME (Store.Load's errors, but for the schema
// version, which is each rule's own). Each error names the file, the
// cause and what to do. The engine starts with such a file all the same:
// it logs it and the rule starts learning again. A dir that does not
// exist holds nothing to check (the first start creates it). The errors
// are in the order of the files' names.
func CheckStateDir(dir string) []error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return []error{stateErr(dir, err, false)}
	}
	s := &Store{dir: dir}
	var errs []error
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || strings.HasPrefix(name, ".") { // not a state file; .NAME.json.*: a save's temporary file
			continue
		}
		if _, err := s.read(name); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}
