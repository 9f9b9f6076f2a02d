package config

import (
	"errors"
	"slices"
	"strconv"
	"strings"
)

// SortErrors returns the errors joined in err (errors.Join, nested joins
// flattened) joined again in the order of the lines of file they name
// ("config.yaml:7: ..."): those that name no line of file (a flag's, the
// file's as a whole) first, in their order, then by line, each line's in
// their order. An error repeated word for word is kept once. It returns
// nil for nil.
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
		return ErrorLine(a.Error(), file) - ErrorLine(b.Error(), file)
	})
	return errors.Join(out...)
}

// ErrorLine returns the line of file that msg begins by naming
// ("file:7: ..." gives 7), or 0.
func ErrorLine(msg, file string) int {
	rest, ok := strings.CutPrefix(msg, file+":")
	if file == "" || !ok {
		return 0
	}
	digits, _, ok := strings.Cut(rest, ":")
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(digits)
	if err != nil || n < 0 {
		return 0
	}
	return n
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
