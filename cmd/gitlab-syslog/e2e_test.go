package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/influxdata/go-syslog/v3/rfc5424"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// e2eRoot holds one directory per end-to-end case; see its README.md.
const e2eRoot = "../../testdata/e2e"

// readTimeMark stands, in expected.txt, for the TIMESTAMP of a message
// stamped with the time its line was read: a line without an event time
// (unparsable, cut, or a record without a time).
const readTimeMark = "READ-TIME"

// TestE2E runs `run --config config.yaml --to stdout --once` in every
// directory of testdata/e2e, with that directory as the working directory,
// and compares what it printed with expected.txt and the per-file totals
// it logged with totals.txt. Run one case with -run 'TestE2E/<name>$';
// -update rewrites the golden files.
func TestE2E(t *testing.T) {
	root, err := filepath.Abs(e2eRoot)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	cases := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		cases++
		t.Run(e.Name(), func(t *testing.T) { runE2ECase(t, filepath.Join(root, e.Name())) })
	}
	if cases == 0 {
		t.Fatalf("no case directories in %s", root)
	}
}

// e2eCase is a case's configuration as the test needs it.
type e2eCase struct {
	sources []config.Source // resolved: each has its APP-NAME
	maxLine int
	rfc3164 bool
}

// runE2ECase runs the case in dir and checks its output.
func runE2ECase(t *testing.T, dir string) {
	t.Chdir(dir) // the sources' relative paths are relative to the case directory
	c := loadE2ECase(t, dir)
	before := time.Now()
	r := runCmd(t, "--config", "config.yaml", "--to", "stdout", "--once", "--state-dir", t.TempDir())
	after := time.Now()
	if r.err != nil {
		t.Fatalf("run: %v\n%s", r.err, r.stderr)
	}
	groups := c.group(t, r.stdout)
	var wire, totals strings.Builder
	for i, s := range c.sources {
		c.checkOrder(t, s.Path, groups[i])
		for _, m := range groups[i] {
			wire.WriteString(m.masked(before, after))
			wire.WriteByte('\n')
		}
		tot := r.totals(t, s.Path)
		if tot["lines_sent"] != float64(len(groups[i])) {
			t.Errorf("%s: totals say %v lines sent, %d were printed", s.Path, tot["lines_sent"], len(groups[i]))
		}
		num := func(key string) float64 { v, _ := tot[key].(float64); return v }
		if num("lines_read") != num("lines_sent")+num("blank_skipped") {
			t.Errorf("%s: totals do not add up: lines_read != lines_sent + blank_skipped: %v", s.Path, tot)
		}
		fmt.Fprintf(&totals, "%s: lines_read=%v lines_sent=%v blank_skipped=%v unparsed_sent_raw=%v truncated=%v\n",
			s.Path, tot["lines_read"], tot["lines_sent"], tot["blank_skipped"], tot["unparsed_sent_raw"], tot["truncated"])
	}
	checkGolden(t, dir, "expected.txt", wire.String())
	checkGolden(t, dir, "totals.txt", totals.String())
}

// loadE2ECase reads config.yaml from the working directory and checks that
// the case is reproducible: a fixed hostname, sources that are files of the
// case directory, and one APP-NAME per source so that the output can be put
// in source order.
func loadE2ECase(t *testing.T, dir string) *e2eCase {
	t.Helper()
	cfg, err := config.Load("config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Hostname == "" {
		t.Fatalf("%s/config.yaml: set hostname, so that HOSTNAME does not depend on the machine", dir)
	}
	if len(cfg.Sources) == 0 {
		t.Fatalf("%s/config.yaml: list the sources (files of the case directory)", dir)
	}
	for i, s := range cfg.Sources {
		if !filepath.IsLocal(s.Path) {
			t.Fatalf("%s/config.yaml: sources[%d].path %q: want a path relative to the case directory, inside it", dir, i, s.Path)
		}
	}
	cfg.StateDir = t.TempDir()
	if _, err := cfg.Resolve(); err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, s := range cfg.Sources {
		if p, dup := seen[s.AppName]; dup {
			t.Fatalf("%s/config.yaml: %s and %s both have APP-NAME %s; give one an app_name, so that the output can be ordered by source", dir, p, s.Path, s.AppName)
		}
		seen[s.AppName] = s.Path
	}
	return &e2eCase{sources: cfg.Sources, maxLine: cfg.Tailer.MaxLineBytes, rfc3164: cfg.Forward.Format == "rfc3164"}
}

// wireMessage is one printed message.
type wireMessage struct {
	line      string
	appName   string
	ts, tsEnd int // where TIMESTAMP is in line
	msg       string
	rfc3164   bool
}

// group splits stdout into messages and puts them in source order: the
// sources are read in parallel, so only the order within a source is fixed.
// It fails on a message that is not well-formed or whose APP-NAME is no
// source's.
func (c *e2eCase) group(t *testing.T, stdout string) [][]wireMessage {
	t.Helper()
	index := map[string]int{}
	for i, s := range c.sources {
		index[s.AppName] = i
	}
	groups := make([][]wireMessage, len(c.sources))
	for _, line := range strings.Split(strings.TrimSuffix(stdout, "\n"), "\n") {
		if line == "" {
			continue
		}
		m, err := c.parse(line)
		if err != nil {
			t.Fatalf("%v: %q", err, line)
		}
		if m.appName == forwarder.AppNameDetections {
			continue // alerts the samples raise: internal/agent's detection tests check them
		}
		i, ok := index[m.appName]
		if !ok {
			t.Fatalf("APP-NAME %q is no source's: %q", m.appName, line)
		}
		groups[i] = append(groups[i], m)
	}
	return groups
}

// parse splits line as RFC 5424 or RFC 3164. An RFC 5424 message is also
// checked with go-syslog's strict parser, unless it holds invalid UTF-8:
// the encoder repairs SD values, and MSG is the line byte for byte, which
// RFC 5424 allows (MSG-ANY) but go-syslog rejects.
func (c *e2eCase) parse(line string) (wireMessage, error) {
	if c.rfc3164 {
		return parse3164(line)
	}
	if utf8.ValidString(line) {
		if _, err := rfc5424.NewParser().Parse([]byte(line)); err != nil {
			return wireMessage{}, fmt.Errorf("not RFC 5424 for go-syslog: %w", err)
		}
	}
	m, err := syslogtest.Parse([]byte(line))
	if err != nil {
		return wireMessage{}, err
	}
	ts := strings.IndexByte(line, '>') + len(">1 ")
	return wireMessage{line: line, appName: string(m.AppName), ts: ts, tsEnd: ts + len(m.Timestamp), msg: string(m.Msg)}, nil
}

// parse3164 splits <PRI>Mmm dd hh:mm:ss HOSTNAME TAG[PROCID]: MSG.
func parse3164(line string) (wireMessage, error) {
	ts := strings.IndexByte(line, '>') + 1
	tsEnd := ts + len(time.Stamp)
	if ts == 0 || len(line) <= tsEnd || line[tsEnd] != ' ' {
		return wireMessage{}, fmt.Errorf("not RFC 3164: no <PRI> and TIMESTAMP")
	}
	_, rest, ok := strings.Cut(line[tsEnd+1:], " ") // HOSTNAME
	tag, msg, ok2 := strings.Cut(rest, ":")
	if !ok || !ok2 {
		return wireMessage{}, fmt.Errorf("not RFC 3164: no HOSTNAME and TAG")
	}
	tag, _, _ = strings.Cut(tag, "[")
	return wireMessage{line: line, appName: tag, ts: ts, tsEnd: tsEnd, msg: strings.TrimPrefix(msg, " "), rfc3164: true}, nil
}

// masked returns the line with its TIMESTAMP replaced by readTimeMark when
// it is the time the line was read, that is, between before and after
// (event times in the cases are years older than any run).
func (m wireMessage) masked(before, after time.Time) string {
	stamp := m.line[m.ts:m.tsEnd]
	var ts time.Time
	var err error
	if m.rfc3164 {
		// No year and whole seconds: take the run's year (a run across New
		// Year's Eve could fail once).
		ts, err = time.ParseInLocation(time.Stamp, stamp, time.UTC)
		ts = ts.AddDate(before.UTC().Year(), 0, 0)
		before = before.Truncate(time.Second)
	} else {
		ts, err = time.Parse(time.RFC3339Nano, stamp)
		before = before.Truncate(time.Microsecond)
	}
	if err != nil || ts.Before(before) || ts.After(after) {
		return m.line
	}
	return m.line[:m.ts] + readTimeMark + m.line[m.tsEnd:]
}

// checkOrder checks that the messages of the source at path carry its
// non-blank lines, in file order, each whole or, when longer than
// max_line_bytes, cut to exactly max_line_bytes.
func (c *e2eCase) checkOrder(t *testing.T, path string, msgs []wireMessage) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.SplitAfter(string(data), "\n") {
		l = strings.TrimSuffix(strings.TrimSuffix(l, "\n"), "\r")
		if strings.TrimSpace(l) != "" {
			lines = append(lines, strings.TrimPrefix(l, "\uFEFF"))
		}
	}
	if len(msgs) != len(lines) {
		t.Errorf("%s: %d messages for %d non-blank lines", path, len(msgs), len(lines))
	}
	for i := range min(len(msgs), len(lines)) {
		got, want := msgs[i].msg, lines[i]
		cut := len(want) > c.maxLine && got == want[:c.maxLine]
		if got != want && !cut {
			t.Errorf("%s: message %d has MSG %.200q, want line %d of the file %.200q", path, i+1, got, i+1, want)
		}
	}
}

// checkGolden compares got with the file name of the case directory dir,
// or writes it there with -update.
func checkGolden(t *testing.T, dir, name, got string) {
	t.Helper()
	path := filepath.Join(dir, name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to write it, then read it)", err)
	}
	if string(want) == got {
		return
	}
	g, w := strings.Split(got, "\n"), strings.Split(string(want), "\n")
	for i := range max(len(g), len(w)) {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			t.Errorf("%s differs from line %d:\ngot  %q\nwant %q\n(%d lines, want %d; -update rewrites it)", path, i+1, gl, wl, len(g), len(w))
			return
		}
	}
	t.Errorf("%s differs (-update rewrites it)", path)
}
