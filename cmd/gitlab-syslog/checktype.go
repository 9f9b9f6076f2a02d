package main

import (
	"bufio"
	"bytes"
	"cmp"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/mapping"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// typeSampleLines is how many first lines of a source's file check reads to
// tell whether they are of the source's type, at most.
const typeSampleLines = 20

// contentWarnings returns check's warnings about the sources of c named
// by a path, with a type, whose file's first lines are of another type
// (sampleTypes), each begun with where the source is (FILE:LINE:
// sources[i].path) and saying what to write. run warns about such a
// file once it read its first lines. A source whose type its file's name
// already contradicts is left to config.Config.SourceWarnings: one
// mistake, one warning.
func contentWarnings(c *config.Config) []string {
	var warns []string
	for i, s := range c.Sources {
		if s.IsGlob() || s.Path == "" || c.BadSource(i) || config.DefaultAppName(s.Type) == "" {
			continue
		}
		if t := config.TypeByName(s.Path); t != "" && t != s.Type {
			continue
		}
		other, k, n := sampleTypes(s.Path, s.Type)
		if other == "" {
			continue
		}
		lines := fmt.Sprintf("the first %d %s", n, plural(n, "line", "lines"))
		if k < n {
			lines = fmt.Sprintf("%d of the first %d lines", k, n)
		}
		warns = append(warns, fmt.Sprintf("%s: type %s, but %s of %s parse as %s lines, none as %s: they would go out raw under APP-NAME %s, unseen by the rules; write type: %s",
			c.Where(fmt.Sprintf("sources[%d].path", i)), s.Type, lines, filepath.Base(s.Path), other, s.Type,
			cmp.Or(s.AppName, config.DefaultAppName(s.Type)), other))
	}
	return warns
}

// sampleTypes reads the first typeSampleLines lines (blank ones aside) of the
// regular file at path and, when none parses as typ and more than half of
// them parse as lines of one other type (parser.Detect, then that type's
// parser), returns that type, how many lines parse as it, and how many
// were read; "", 0, 0 otherwise (also for a file that cannot be read).
func sampleTypes(path, typ string) (other string, k, n int) {
	want, err := parser.ParseType(typ)
	if err != nil {
		return "", 0, 0
	}
	if fi, err := os.Stat(path); err != nil || !fi.Mode().IsRegular() {
		return "", 0, 0
	}
	f, err := os.Open(path)
	if err != nil {
		return "", 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	var tally mapping.TypeTally
	var rec parser.Record
	for tally.N < typeSampleLines && sc.Scan() {
		line := sc.Bytes()
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if parser.New(want).Parse(line, &rec) == nil {
			return "", 0, 0
		}
		looks := parser.Detect(line)
		if looks == want || looks != parser.TypeUnknown && parser.New(looks).Parse(line, &rec) != nil {
			looks = parser.TypeUnknown // only a line that parses as another type counts as one
		}
		tally.Add(false, looks)
	}
	best, k := tally.Mismatch(want)
	if best == parser.TypeUnknown {
		return "", 0, 0
	}
	return best.String(), k, tally.N
}
