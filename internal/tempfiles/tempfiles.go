// Package tempfiles removes what an atomic write leaves when its process
// is killed: the temporary file written, fsynced and then renamed over a
// state file, which a kill -9 between its creation and its rename leaves
// in the directory for good.
package tempfiles

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// Remove removes the regular files of dir whose names match, and returns
// their paths and the errors of listing dir or removing one (nil, nil
// when dir does not exist). Call it only while nothing writes in dir.
func Remove(dir string, match func(name string) bool) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var removed []string
	var errs []error
	for _, e := range ents {
		if !e.Type().IsRegular() || !match(e.Name()) {
			continue
		}
		p := filepath.Join(dir, e.Name())
		if err := os.Remove(p); err != nil {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, p)
	}
	return removed, errors.Join(errs...)
}

// Random reports whether s is what os.CreateTemp puts in the place of
// the pattern's "*": one or more ASCII digits.
func Random(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
