package main

import (
	"fmt"
	"slices"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/container"
	"github.com/gitlab-syslog/gitlab-syslog/internal/mapping"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// droppedWarnings returns check's warnings about the sources of c without
// type (of format cri, docker or auto), whose file's first lines are mostly
// GitLab lines of one type not wrapped by gitlab-logger: such a source
// takes the type of each line from gitlab-logger's subcomponent and drops
// the others (other_subcomponents: drop), so run would send none of the
// file's lines; run warns about it once it read them (the agent's
// typeSample.judgeDropped), with the same judge (mapping.DroppedTally).
// Each warning begins with where the source is (FILE:LINE:
// sources[i].path) and names the file and the type to give. A glob is
// sampled in its first matches (sampledFiles); a source in skip, warned
// about by formatWarnings, is left out: one mistake, one message.
func droppedWarnings(c *config.Config, skip []int) []string {
	var warns []string
	for i, s := range c.Sources {
		if s.Path == "" || c.BadSource(i) || s.Type != "" || s.OtherSubcomponents == "forward" || slices.Contains(skip, i) {
			continue
		}
		format, err := container.ParseFormat(s.Format)
		if err != nil || format == container.Plain { // as run judges them
			continue
		}
		for _, path := range sampledFiles(&s) {
			if _, p := sourceData(path); p != "" {
				continue // no text (compressed, an executable): a problem already
			}
			read, tally := sampleDropped(path, format)
			t, n := tally.Bare(read)
			if t == parser.TypeUnknown {
				continue
			}
			name, fix := sampleName(&s, path), "write type: "+t.String()
			if s.IsGlob() {
				fix += " if the files it matches are all " + t.String() + " logs, else give this file a source of its own with type: " + t.String()
			}
			warns = append(warns, fmt.Sprintf("%s: no type, format %s, but %d of the first %d %s of %s %s %s lines not wrapped by gitlab-logger: a source without type takes the type of each line from gitlab-logger's subcomponent and drops the others, so run would drop them (counted in lines_dropped_total; it warns once it read them); %s",
				c.Where(fmt.Sprintf("sources[%d].path", i)), format, n, read, plural(read, "line", "lines"), name, plural(n, "is a", "are"), t, fix))
			break
		}
	}
	return warns
}

// sampleDropped reads the first typeSampleLines lines (blank ones aside)
// of the regular file at path as run reads those of a source without type
// of format (records of that container format), and returns how many it
// read and the tally of the lines run drops among them (a record whose
// line has no type, mapping.RecordType: not wrapped by gitlab-logger, or
// on stderr). A part of a line, a record that does not decode and a blank
// line are read but not dropped, as in run.
func sampleDropped(path string, format container.Format) (int, mapping.DroppedTally) {
	var tally mapping.DroppedTally
	read := 0
	dec := container.Decoder{Format: format, MaxLineBytes: config.DefaultMaxLine}
	eachFirstLine(path, func(line []byte) bool {
		if read >= typeSampleLines {
			return false
		}
		read++
		out, st, _ := dec.Decode(line)
		if st == container.Complete && !parser.Blank(out.Text) && mapping.RecordType(&out, parser.TypeUnknown) == parser.TypeUnknown {
			tally.Add(out.Text)
		}
		return true
	})
	return read, tally
}
