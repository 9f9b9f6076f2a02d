package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gitlab-syslog/gitlab-syslog/internal/container"
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

// partsBefore returns the copy of the container log whose copy the input
// files[i] is that may hold the first parts of a line whose rest begins
// that input, in format f: a copy that ends in stdout parts
// (container.LastParts) and is read after files[i] or not at all, and the
// gitlab-logger subcomponent those parts begin. later says the copy is
// given after files[i], out of order (one of the two is named otherwise
// than the kubelet names its copies, so their order is not known); else
// it is the newest of the kubelet's copies older than files[i] in its
// directory, which is not given (the copy run's first start leaves
// unread, tailAfterOlder). "" when there is none.
func partsBefore(files []string, i int, f container.Format) (from string, sub []byte, later bool) {
	if older := olderNotGiven(files, i); older != "" {
		if sub, ok := copyEndsInParts(older, f); ok {
			return older, sub, false
		}
	}
	_, suffix := logStem(files[i])
	_, keyed := rotationKey(suffix)
	for _, g := range files[i+1:] {
		if !sameLog(files[i], g) {
			continue
		}
		if _, gs := logStem(g); keyed && isKeyed(gs) {
			continue // newer: rotationOrder put the kubelet's copies in order
		}
		if sub, ok := copyEndsInParts(g, f); ok {
			return g, sub, true
		}
	}
	return "", nil, false
}

// isKeyed reports whether suffix (logStem's) names one of the kubelet's
// copies of a log, or the log itself: rotationKey knows its place.
func isKeyed(suffix string) bool {
	_, ok := rotationKey(suffix)
	return ok
}

// olderNotGiven returns the newest of the kubelet's copies of the log of
// files[i], named as the kubelet names them, that are older than
// files[i] and in its directory, when no input is a copy of that date
// (the plain copy when it and its .gz are there); "" when files[i] is not
// named so or there is no such copy.
func olderNotGiven(files []string, i int) string {
	stem, suffix := logStem(files[i])
	key, ok := rotationKey(suffix)
	if !ok || files[i] == "-" {
		return ""
	}
	entries, err := os.ReadDir(filepath.Dir(files[i]))
	if err != nil {
		return ""
	}
	var newest, newestKey string
	for _, e := range entries {
		p := filepath.Join(filepath.Dir(files[i]), e.Name())
		st, suf := logStem(p)
		k, ok := rotationKey(suf)
		if st != stem || !ok || k >= key || k < newestKey || k == newestKey && strings.HasSuffix(p, ".gz") {
			continue
		}
		newest, newestKey = p, k
	}
	for _, g := range files {
		if st, suf := logStem(g); g != "-" && st == stem {
			if k, _ := rotationKey(suf); k == newestKey {
				return "" // given: read before files[i]
			}
		}
	}
	return newest
}

// copyEndsInParts reports whether the data of the file name, in format f,
// decompressed, ends in stdout parts of a line (container.LastParts, over
// its last MiB), and returns the subcomponent they begin.
func copyEndsInParts(name string, f container.Format) ([]byte, bool) {
	tail, whole, ok := lastData(name, 1<<20)
	if !ok {
		return nil, false
	}
	return container.LastParts(tail, whole, f)
}

// lastData returns the last n bytes of the data of the regular file name,
// decompressed (read through) when it is compressed, and whether they
// are all of it; false when it cannot be read.
func lastData(name string, n int) (tail []byte, whole, ok bool) {
	if !compressed(name) {
		f, err := os.Open(name)
		if err != nil {
			return nil, false, false
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil || !fi.Mode().IsRegular() {
			return nil, false, false
		}
		m := min(fi.Size(), int64(n))
		buf := make([]byte, m)
		if _, err := f.ReadAt(buf, fi.Size()-m); err != nil {
			return nil, false, false
		}
		return buf, m == fi.Size(), true
	}
	r, done, ok := openData(name)
	if !ok {
		return nil, false, false
	}
	defer done()
	tail, whole, err := container.LastBytes(r, n)
	return tail, whole, err == nil
}

// otherNamed returns whichever of the copies a and b of one log is named
// otherwise than the kubelet names its copies (rotationKey), a when both
// are.
func otherNamed(a, b string) string {
	if _, sb := logStem(b); !isKeyed(sb) {
		if _, sa := logStem(a); isKeyed(sa) {
			return b
		}
	}
	return a
}
