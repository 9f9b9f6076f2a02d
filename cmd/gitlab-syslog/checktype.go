package main

import (
	"bufio"
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"os"
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

// contentWarnings returns check's warnings about the sources of c with a
// type whose file's first lines are of another type, or of no GitLab log
// at all (sampleTypes), each begun with where the source is (FILE:LINE:
// sources[i].path) and saying what to write. A glob is sampled in its
// first matches (sampledFiles), as run samples each file it follows, and
// warned about once, for the first of them whose lines are not of its
// type. run warns about such a file once it read its first lines. A file
// whose type its name already contradicts is left to
// config.Config.SourceWarnings, one that holds no text (sourceData) to
// the problems, and a source in skip to formatWarnings: one mistake, one
// message.
func contentWarnings(c *config.Config, skip []int) []string {
	var warns []string
	for i, s := range c.Sources {
		if s.Path == "" || c.BadSource(i) || config.DefaultAppName(s.Type) == "" || slices.Contains(skip, i) {
			continue
		}
		format, err := container.ParseFormat(s.Format)
		if err != nil {
			continue
		}
		want, err := parser.ParseType(s.Type)
		if err != nil {
			continue
		}
		for _, path := range sampledFiles(&s) {
			if w := contentWarning(s, path, format, want); w != "" {
				warns = append(warns, c.Where(fmt.Sprintf("sources[%d].path", i))+": "+w)
				break
			}
		}
	}
	return warns
}

// contentWarning returns contentWarnings' warning about the file at path
// of source s, of format and type want, without where s is; "" when its
// first lines are of its type, or it is left to another warning.
func contentWarning(s config.Source, path string, format container.Format, want parser.Type) string {
	if t := config.TypeByName(path); t != "" && t != s.Type {
		return ""
	}
	if _, p := sourceData(path); p != "" {
		return "" // no text (compressed, an executable): a problem already
	}
	tally := sampleTypes(path, format, want)
	app, name := cmp.Or(s.AppName, config.DefaultAppName(s.Type)), sampleName(&s, path)
	if other, k := tally.Mismatch(want); other != parser.TypeUnknown {
		lines := fmt.Sprintf("the first %d %s", tally.N, plural(tally.N, "line", "lines"))
		if k < tally.N {
			lines = fmt.Sprintf("%d of the first %d lines", k, tally.N)
		}
		fix := "write type: " + other.String()
		if s.IsGlob() {
			fix += " if the files it matches are all " + other.String() + " logs, else narrow the pattern to the " + s.Type + " log's files and give the others a source of their type"
		}
		if tally.MarkedMostly(other) {
			return fmt.Sprintf("type %s, but %s of %s are %s lines, none an %s line (they carry %s): the %s parser takes them, and they would go out as %s lines under APP-NAME %s, unseen by the rules that read %s lines; %s",
				s.Type, lines, name, other, s.Type, mapping.Marks(other), s.Type, s.Type, app, other, fix)
		}
		return fmt.Sprintf("type %s, but %s of %s parse as %s lines, none as %s: they would go out raw under APP-NAME %s, unseen by the rules; %s",
			s.Type, lines, name, other, s.Type, app, fix)
	}
	if tally.NoGitLab() {
		if tally.N == 1 {
			return fmt.Sprintf("the 1 line of %s does not parse as a GitLab log (%s): it would go out raw under APP-NAME %s, unseen by the rules; is it a GitLab log?",
				name, gitLabLogs, app)
		}
		return fmt.Sprintf("none of the first %d lines of %s parses as a GitLab log (%s): they would go out raw under APP-NAME %s, unseen by the rules; is it a GitLab log?",
			tally.N, name, gitLabLogs, app)
	}
	return ""
}

// sampleTypes reads the first typeSampleLines lines (blank ones aside) of
// the regular file at path, unwrapped as run unwraps a source of format
// (a part of a line, and a stderr record, which run drops, are not
// counted; a record that does not decode counts as no GitLab line), up to
// the first that parses as want or, wrapped by gitlab-logger, as the type
// of its subcomponent (mapping.SubcomponentType, which types it whatever
// the source's type: the file is a GitLab stream, as run judges it),
// and tallies them: a line that does not parse as want is counted as
// looking like another type only when it parses as that type
// (parser.Detect, then that type's parser); one that parses as want but
// carries another type's marks (mapping.Marked) is counted as marked so,
// and the sample goes on. The tally is empty for a file that cannot be
// read.
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
		case st == container.Partial || st == container.Complete && bytes.Equal(out.Stream, []byte("stderr")):
			return true // a part; a program's own message, dropped by run
		case st == container.Complete && out.Subcomponent != nil:
			t := mapping.SubcomponentType(out.Subcomponent)
			if t == parser.TypeUnknown || parser.New(t).Parse(out.Text, &rec) != nil {
				return true // dropped by run, or no parse: nothing about the type
			}
			tally.Add(true, parser.TypeUnknown) // a GitLab stream: run counts it parsed
			return false
		case st == container.Malformed:
			tally.Add(false, parser.TypeUnknown)
			return true
		}
		if line = out.Text; parser.Blank(line) {
			return true
		}
		if parser.New(want).Parse(line, &rec) == nil {
			marked := mapping.Marked(line, want)
			tally.Add(true, marked)
			return marked != parser.TypeUnknown // a line of want's own: the type is right
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
// order, without their line ends, blank ones (parser.Blank) aside, until
// fn returns false or the file ends; line is valid only during the call.
// A line longer than firstLineMax is cut to it, as run cuts a line at the
// default max_line_bytes (a blank one is then skipped, as run skips it),
// and the lines after it are read on. A path that is not a regular file,
// or cannot be read, gives no line.
func eachFirstLine(path string, fn func(line []byte) bool) {
	if fi, err := os.Stat(path); err != nil || !fi.Mode().IsRegular() {
		return
	}
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, firstLineMax)
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			line = bytes.Clone(line)
			for errors.Is(err, bufio.ErrBufferFull) { // the rest of the line
				_, err = br.ReadSlice('\n')
			}
		}
		line = bytes.TrimSuffix(bytes.TrimSuffix(line, []byte("\n")), []byte("\r"))
		if !parser.Blank(line) && !fn(line) {
			return
		}
		if err != nil {
			return
		}
	}
}

// firstLineMax is the longest line eachFirstLine passes whole: run's
// default max_line_bytes (1 MiB).
const firstLineMax = 1 << 20
