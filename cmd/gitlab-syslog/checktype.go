package main

import (
	"bufio"
	"bytes"
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/container"
	"github.com/gitlab-syslog/gitlab-syslog/internal/mapping"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// typeSampleLines is how many first lines of a source's file check reads to
// tell whether they are of the source's type, at most.
const typeSampleLines = 20

// gitLabLogs lists the lines parser.Detect recognises, for messages about
// input that is no GitLab log.
const gitLabLogs = "audit, application or auth JSON, application text or an NGINX access line"

// contentWarnings returns check's warnings about the sources of c named
// by a path, with a type, whose file's first lines are of another type,
// or of no GitLab log at all (sampleTypes), each begun with where the
// source is (FILE:LINE: sources[i].path) and saying what to write. run
// warns about such a file once it read its first lines. A source whose
// type its file's name already contradicts is left to
// config.Config.SourceWarnings, and one whose file holds no text
// (sourceData) to the problems: one mistake, one message.
func contentWarnings(c *config.Config, skip []int) []string {
	var warns []string
	for i, s := range c.Sources {
		if s.IsGlob() || s.Path == "" || c.BadSource(i) || config.DefaultAppName(s.Type) == "" || slices.Contains(skip, i) {
			continue
		}
		format, err := container.ParseFormat(s.Format)
		if err != nil {
			continue
		}
		if t := config.TypeByName(s.Path); t != "" && t != s.Type {
			continue
		}
		if _, p := sourceData(s.Path); p != "" {
			continue // no text (compressed, an executable): a problem already
		}
		want, err := parser.ParseType(s.Type)
		if err != nil {
			continue
		}
		tally := sampleTypes(s.Path, format, want)
		where, app := c.Where(fmt.Sprintf("sources[%d].path", i)), cmp.Or(s.AppName, config.DefaultAppName(s.Type))
		if other, k := tally.Mismatch(want); other != parser.TypeUnknown {
			lines := fmt.Sprintf("the first %d %s", tally.N, plural(tally.N, "line", "lines"))
			if k < tally.N {
				lines = fmt.Sprintf("%d of the first %d lines", k, tally.N)
			}
			warns = append(warns, fmt.Sprintf("%s: type %s, but %s of %s parse as %s lines, none as %s: they would go out raw under APP-NAME %s, unseen by the rules; write type: %s",
				where, s.Type, lines, filepath.Base(s.Path), other, s.Type, app, other))
		} else if tally.NoGitLab() {
			warns = append(warns, fmt.Sprintf("%s: none of the first %d %s of %s parses as a GitLab log (%s): they would go out raw under APP-NAME %s, unseen by the rules; is it a GitLab log?",
				where, tally.N, plural(tally.N, "line", "lines"), filepath.Base(s.Path), gitLabLogs, app))
		}
	}
	return warns
}

// sampleTypes reads the first typeSampleLines lines (blank ones aside) of
// the regular file at path, unwrapped as run unwraps a source of format
// (a part of a line, and a line whose gitlab-logger envelope names its
// subcomponent, which types it, are not counted; a record that does not
// decode counts as no GitLab line), up to the first that parses as want,
// and tallies them: a line that does not parse as want is counted as
// looking like another type only when it parses as that type
// (parser.Detect, then that type's parser). The tally is empty for a file
// that cannot be read.
func sampleTypes(path string, format container.Format, want parser.Type) mapping.TypeTally {
	var tally mapping.TypeTally
	var rec parser.Record
	dec := container.Decoder{Format: format, MaxLineBytes: config.DefaultMaxLine}
	eachFirstLine(path, func(line []byte) bool {
		if tally.N >= typeSampleLines {
			return false
		}
		out, st, _ := dec.Decode(line)
		switch {
		case st == container.Partial || st == container.Complete && out.Subcomponent != nil:
			return true
		case st == container.Malformed:
			tally.Add(false, parser.TypeUnknown)
			return true
		}
		if line = out.Text; len(bytes.TrimSpace(line)) == 0 {
			return true
		}
		if parser.New(want).Parse(line, &rec) == nil {
			tally.Add(true, parser.TypeUnknown)
			return false
		}
		looks := parser.Detect(line)
		if looks == want || looks != parser.TypeUnknown && parser.New(looks).Parse(line, &rec) != nil {
			looks = parser.TypeUnknown // only a line that parses as another type counts as one
		}
		tally.Add(false, looks)
		return true
	})
	return tally
}

// eachFirstLine calls fn with the lines of the regular file at path in
// order, blank ones aside, until fn returns false or the file ends (a line
// longer than 1 MiB ends it too); line is valid only during the call. A
// path that is not a regular file, or cannot be read, gives no line.
func eachFirstLine(path string, fn func(line []byte) bool) {
	if fi, err := os.Stat(path); err != nil || !fi.Mode().IsRegular() {
		return
	}
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		if line := sc.Bytes(); len(bytes.TrimSpace(line)) > 0 && !fn(line) {
			return
		}
	}
}
