package config

import (
	"errors"
	"slices"
)

// SortErrors returns the errors joined in err (errors.Join, nested joins
// flattened) joined again in the order of the lines of file they are
// about (an *Error's File and Line): those about no line of file (a
// flag's, the file's as a whole) first, in their order, then by line,
// each line's in their order. An error repeated word for word is kept
// once. It returns nil for nil.
func SortErrors(err error, file string) error {
	if err == nil {
		return nil
	}
	var out []error
	seen := map[string]bool{}
	for _, e := range leaves(err) {
		if e == nil || seen[e.Error()] {
			continue
		}
		seen[e.Error()] = true
		out = append(out, e)
	}
	slices.SortStableFunc(out, func(a, b error) int {
		return lineIn(a, file) - lineIn(b, file)
	})
	return errors.Join(out...)
}

// lineIn returns the line of file that err is about: the Line of the
// *Error in err's chain when its File is file, else 0 (and 0 for file "").
func lineIn(err error, file string) int {
	var e *Error
	if file == "" || !errors.As(err, &e) || e.File != file {
		return 0
	}
	return e.Line
}

// leaves returns the errors joined in err, nested joins flattened.
func leaves(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, leaves(e)...)
		}
		return out
	}
	return []error{err}
}
