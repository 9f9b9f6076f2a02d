package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/container"
	"github.com/gitlab-syslog/gitlab-syslog/internal/mapping"
)

// formatSampleLines is how many first lines (blank ones aside) of a
// source's file check reads to tell how they are wrapped, at most.
const formatSampleLines = 5

// formatSampleFiles is how many of a glob's matches check samples, at
// most, in the order filepath.Glob gives them.
const formatSampleFiles = 3

// formatWarnings returns check's warnings about the sources of c whose
// file's first lines are wrapped otherwise than their format says: CRI or
// Docker records in a source of format plain, plain lines or the other
// runtime's records in a source of format cri or docker (auto takes all).
// Each names where the source is (FILE:LINE: sources[i].path), what the
// lines are and the format to write; run would send such lines raw,
// unseen by the rules. The indexes of the sources warned about are
// returned too, for contentWarnings to leave them out: one mistake, one
// message. A glob is sampled in its first matches; when they are not all
// of one format, the warning names each that is not of the source's and
// says to write format: auto (or to split the source).
func formatWarnings(c *config.Config) (warns []string, warned []int) {
	for i, s := range c.Sources {
		if s.Path == "" || c.BadSource(i) {
			continue
		}
		want, err := container.ParseFormat(s.Format)
		if err != nil || want == container.Auto {
			continue
		}
		var wrong []sniffed // the sampled files whose lines are not of want
		formats := map[container.Format]bool{}
		for _, path := range sampledFiles(&s) {
			got, n := sniffFormat(path)
			if n == 0 {
				continue
			}
			formats[got] = true
			if got != want {
				wrong = append(wrong, sniffed{path, got, n})
			}
		}
		if len(wrong) == 0 {
			continue
		}
		where := c.Where(fmt.Sprintf("sources[%d].path", i))
		if len(formats) == 1 { // every file sampled is of the one other format
			w := wrong[0]
			fix := "format: " + w.got.String() + " (or auto)"
			if w.got == container.Plain && s.Type == "" {
				fix = plainFixOf(w.path)
			}
			warns = append(warns, fmt.Sprintf("%s: format %s, but %s of %s %s: run would send them raw, unseen by the rules; write %s",
				where, want, firstLines(w.n), sampleName(&s, w.path), formatIs(w.got, w.n), fix))
		} else {
			var each []string
			for _, w := range wrong {
				each = append(each, fmt.Sprintf("%s of %s %s", firstLines(w.n), sampleName(&s, w.path), formatIs(w.got, w.n)))
			}
			warns = append(warns, fmt.Sprintf("%s: format %s, but the files it matches are not all of one format: %s; run would send such lines raw, unseen by the rules; write format: auto (which tells each file's format by its lines), or give the files of each format a source of their own",
				where, want, strings.Join(each, "; ")))
		}
		warned = append(warned, i)
	}
	return warns, warned
}

// plainFixOf says what to write for a source without type whose file at
// path holds plain lines (mapping.DroppedTally.PlainFix of its first
// lines).
func plainFixOf(path string) string {
	var tally mapping.DroppedTally
	read := 0
	eachFirstLine(path, func(line []byte) bool {
		if read >= formatSampleLines {
			return false
		}
		read++
		tally.Add(line)
		return true
	})
	return tally.PlainFix(read)
}

// sniffed is what sniffFormat found in a sampled file: its format, of n
// first lines.
type sniffed struct {
	path string
	got  container.Format
	n    int
}

// sampleName names path, a file of s that check sampled, in a warning
// that follows where s is: its base name for a source of one file; for a
// glob, the file's path and "(a file it matches)", as base names do not
// tell the matches apart (every container's file under /var/log/pods is
// 0.log).
func sampleName(s *config.Source, path string) string {
	if s.IsGlob() {
		return path + " (a file it matches)"
	}
	return filepath.Base(path)
}

// sampledFiles returns the regular files of s to sample: its path, or the
// first formatSampleFiles matches of its glob that run follows (not the
// rotated copies, compressed files and others notFollowed names, whose
// lines run never reads as the source's).
func sampledFiles(s *config.Source) []string {
	paths := []string{s.Path}
	if s.IsGlob() {
		m, _ := filepath.Glob(s.Path)
		paths = slices.DeleteFunc(slices.Clone(m), func(p string) bool { return notFollowed(p, m, s.Extension, s.OldDir) != "" })
		paths = paths[:min(len(paths), formatSampleFiles)]
	}
	return slices.DeleteFunc(paths, func(p string) bool {
		fi, err := os.Stat(p)
		return err != nil || !fi.Mode().IsRegular()
	})
}

// sniffFormat returns the format (container.Sniff) of the first
// formatSampleLines lines of the file at path, blank ones aside, when
// they all have the same, and how many it read; 0 lines for a file that
// cannot be read, is empty, or whose lines differ (a log that changed
// hands, or plain lines that look like records by chance).
func sniffFormat(path string) (container.Format, int) {
	n, first, mixed := 0, container.Plain, false
	eachFirstLine(path, func(line []byte) bool {
		if n >= formatSampleLines {
			return false
		}
		got := container.Sniff(line)
		if n > 0 && got != first {
			mixed = true
			return false
		}
		first = got
		n++
		return true
	})
	if mixed {
		return container.Plain, 0
	}
	return first, n
}

// firstLines names the first n lines read: "the first line", "the first
// 5 lines".
func firstLines(n int) string {
	if n == 1 {
		return "the first line"
	}
	return fmt.Sprintf("the first %d lines", n)
}

// formatIs says what n lines of format f are, as the verb phrase of a
// sentence whose subject is the lines.
func formatIs(f container.Format, n int) string {
	var one, many string
	switch f {
	case container.CRI:
		one, many = "a CRI container log record", "CRI container log records"
		return fmt.Sprintf("%s (containerd, CRI-O: <time> <stream> <tag> <line>)", plural(n, "is "+one, "are "+many))
	case container.Docker:
		one, many = "a Docker json-file record", "Docker json-file records"
		return fmt.Sprintf(`%s ({"log":...,"stream":...,"time":...})`, plural(n, "is "+one, "are "+many))
	}
	return plural(n, "is a plain line", "are plain lines") + ", not wrapped by a container runtime"
}
