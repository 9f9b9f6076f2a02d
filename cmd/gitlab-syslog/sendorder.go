package main

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
)

// logStem returns the path of the container log whose copy the input p
// is: its directory and its name up to its first ".log" (the kubelet's
// 0.log for 0.log.20261207-100002.gz), and what follows it ("" for the
// log itself).
func logStem(p string) (stem, suffix string) {
	base := filepath.Base(p)
	if i := strings.Index(base, ".log"); i >= 0 {
		base, suffix = base[:i+len(".log")], base[i+len(".log"):]
	}
	return filepath.Join(filepath.Dir(p), base), suffix
}

// rotationKey returns the order of the kubelet's copy named by suffix
// (logStem's) among the copies of its log, oldest first: its date,
// YYYYMMDD-HHMMSS, after which the log itself ("") comes; false for a
// suffix of another form, whose place is not known.
func rotationKey(suffix string) (string, bool) {
	if suffix == "" {
		return "~", true // after every date
	}
	d := strings.TrimSuffix(strings.TrimPrefix(suffix, "."), ".gz")
	if len(d) != len("20261207-100002") || d[8] != '-' {
		return "", false
	}
	for i := 0; i < len(d); i++ {
		if i != 8 && (d[i] < '0' || d[i] > '9') {
			return "", false
		}
	}
	return d, true
}

// rotationOrder puts the inputs that are copies of one container log,
// named as the kubelet names them, in rotation order, oldest first, in
// the places they hold among files, so that a line's parts are joined
// from one copy into the next whatever order they were given in (a shell
// glob, 0.log*, puts 0.log first: fresh-user trial 280, the rest of a line
// dropped). Copies of a log of which one is named otherwise keep their
// order. It says on w which it reordered.
func rotationOrder(files []string, w io.Writer) {
	at := map[string][]int{} // the places of each log's copies
	var stems []string
	for i, f := range files {
		if f == "-" {
			continue
		}
		stem, _ := logStem(f)
		if at[stem] == nil {
			stems = append(stems, stem)
		}
		at[stem] = append(at[stem], i)
	}
	type copyAt struct{ name, key string }
	byKey := func(a, b copyAt) int { return strings.Compare(a.key, b.key) }
	for _, stem := range stems {
		copies := make([]copyAt, 0, len(at[stem]))
		for _, i := range at[stem] {
			_, suffix := logStem(files[i])
			if k, ok := rotationKey(suffix); ok {
				copies = append(copies, copyAt{files[i], k})
			}
		}
		if len(copies) < 2 || len(copies) < len(at[stem]) || slices.IsSortedFunc(copies, byKey) {
			continue
		}
		slices.SortStableFunc(copies, byKey)
		names := make([]string, len(copies))
		for j, i := range at[stem] {
			files[i], names[j] = copies[j].name, copies[j].name
		}
		fmt.Fprintf(w, "send: the copies of %s were given out of rotation order; they are read oldest first, so that a line's parts join from one into the next: %s\n", stem, strings.Join(names, ", "))
	}
}
