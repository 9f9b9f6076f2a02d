package detect

import (
	"bytes"
	"path/filepath"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// TestRulesRepeatedLines gives an engine with every rule on each line of
// the golden cases (testdata/detections), one line at a time, repeated
// 512 times one millisecond apart (an 8-bit count wraps to 0 twice), then
// 1,030 variants of it (its digits changed, past the 1,024 Messages at
// which the index of the application log's JSON events prunes). Line
// dedupe is off, so every repeat reaches the rules (under the race
// detector, one line in four). No rule may panic:
// GitLab logs one message over and over (a password guessed), and a
// count that wrapped to 0 once crashed the agent (nearIndex).
func TestRulesRepeatedLines(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: 1,542 events per golden line")
	}
	lines := goldenRaw(t)
	if rulesRace { // ten times slower: one line in four
		for i := range len(lines) / 4 {
			lines[i] = lines[4*i]
		}
		lines = lines[:len(lines)/4]
	}
	cfg := allRulesConfig(t, true)
	cfg.DedupeLines = false
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	alerts := 0
	e.cfg.Emit = func(*Alert) { alerts++ }
	at := time.Date(2024, 6, 10, 9, 0, 0, 0, time.UTC)
	var rec parser.Record
	var buf []byte
	feed := func(typ parser.Type, line []byte) {
		if parser.New(typ).Parse(line, &rec) != nil {
			return
		}
		at = at.Add(time.Millisecond)
		rec.Time = at
		e.Process(NewEvent(&rec, line, "repeat.log", OriginFile))
	}
	for _, l := range lines {
		for range 512 {
			feed(l.typ, l.line)
		}
		for i := range 1030 {
			buf = append(buf[:0], l.line...)
			for j, c := range buf {
				if '0' <= c && c <= '9' {
					buf[j] = '0' + byte((int(c-'0')+i+j)%10)
				}
			}
			feed(l.typ, buf)
		}
	}
	e.Close()
	if alerts == 0 {
		t.Errorf("no alert from %d golden lines repeated", len(lines))
	}
}

// goldenLine is a line of a golden case and its type.
type goldenLine struct {
	typ  parser.Type
	line []byte
}

// goldenRaw returns the lines of the log files of the golden cases under
// testdata/detections, each line once, with the type typeOfFile gives
// (parser.Detect's for other names).
func goldenRaw(t *testing.T) []goldenLine {
	t.Helper()
	seen := map[string]bool{}
	var out []goldenLine
	eachGoldenFile(t, func(_, name string, data []byte) error {
		if filepath.Ext(name) != ".log" {
			return nil
		}
		for line := range bytes.Lines(data) {
			line = bytes.TrimRight(line, "\r\n")
			typ, _ := typeOfFile(name)
			if typ == parser.TypeUnknown {
				typ = parser.Detect(line)
			}
			if len(line) == 0 || seen[string(line)] {
				continue
			}
			seen[string(line)] = true
			out = append(out, goldenLine{typ, line})
		}
		return nil
	})
	if len(out) < 100 {
		t.Fatalf("%d golden lines: want the cases of every rule", len(out))
	}
	t.Logf("%d golden lines", len(out))
	return out
}
