package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/gziptest"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/loadgen"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// detectState runs detect with every default rule (and params) over
// inputs with state dir state, and returns its alerts and summary.
func detectState(t *testing.T, state string, params, inputs []string) (alerts []string, summary string) {
	t.Helper()
	o := &detectOptions{params: params, stateDir: state, format: "json", now: func() time.Time { return detectedAt }}
	var stdout, stderr bytes.Buffer
	if err := runDetect(context.Background(), o, inputs, strings.NewReader(""), &stdout, &stderr); err != nil {
		t.Fatalf("detect %v: %v\n%s", inputs, err, stderr.String())
	}
	if s := strings.TrimSpace(stdout.String()); s != "" {
		alerts = strings.Split(s, "\n")
	}
	return alerts, stderr.String()
}

// TestDetectRerunRaisesNothingTwice: run again over the same inputs with
// the same --state-dir, detect raises no alert, however far apart in time
// the events of the inputs are and whether or not they carry an EventID;
// a third run neither. Every golden directory is a case, all rules on.
// Before, a second run raised again the alerts of events more than a day
// (the dedupe window) before the last one, counted again the events
// without EventID (a brute force or repository deletion case's near-miss
// fired), and a third run raised other alerts than the second.
func TestDetectRerunRaisesNothingTwice(t *testing.T) {
	root := filepath.Join("..", "..", "testdata", "detections")
	var dirs []string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() && p != root {
			dirs = append(dirs, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	gen := t.TempDir() // generated logs: an ordinary instance's traffic, most events without EventID
	for _, typ := range []parser.Type{parser.TypeAudit, parser.TypeAccess, parser.TypeApplication} {
		p := filepath.Join(gen, string(typ)+".log")
		if _, err := loadgen.WriteFile(p, loadgen.Options{Type: typ, Lines: 20_000, Seed: 7, Mix: loadgen.MixRealistic}); err != nil {
			t.Fatal(err)
		}
	}
	dirs = append(dirs, gen)
	for _, dir := range dirs {
		name, _ := filepath.Rel(root, dir)
		if dir == gen {
			name = "loadgen"
		}
		t.Run(name, func(t *testing.T) {
			inputs, params := goldenInputs(t, dir)
			if dir == gen {
				inputs = []string{"audit:" + inputs[2], "access:" + inputs[0], "application:" + inputs[1]}
			}
			if len(inputs) == 0 {
				t.Skip("no input files")
			}
			state := t.TempDir()
			first, _ := detectState(t, state, params, inputs)
			for run := 2; run <= 3; run++ {
				again, summary := detectState(t, state, params, inputs)
				if len(again) > 0 {
					t.Errorf("run %d raised %d alerts (run 1: %d); the first:\n%s\nsummary:\n%s", run, len(again), len(first), again[0], summary)
				}
				// The events are skipped as folded before (a file's lines)
				// or deduplicated (stream bodies, and a file's line that
				// was a duplicate already in the first run).
				if len(first) > 0 && !strings.Contains(summary, "already folded by an earlier run with this --state-dir") &&
					strings.Contains(summary, "; 0 deduplicated") {
					t.Errorf("run %d: the summary says neither skipped nor deduplicated events:\n%s", run, summary)
				}
			}
		})
	}
}

// TestDetectRerunFileChanged: with a kept --state-dir, a file that grew
// since the last run has only its new lines folded (their alerts are
// those a single run over the whole file raises for them), a file
// written anew under the same name is folded whole, and a file that
// logrotate renamed (and compressed) is not folded again. Before, a
// rotated file was known by its name: its alerts were raised again.
func TestDetectRerunFileChanged(t *testing.T) {
	golden := filepath.Join("..", "..", "testdata", "detections", "sentinel.repo_public", "audit_json.log")
	b, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(strings.TrimSpace(string(b)), "\n")
	if len(lines) < 3 {
		t.Fatalf("%s: want 3 lines or more, has %d", golden, len(lines))
	}
	lines[len(lines)-1] += "\n" // each line whole: a last line without its newline is left for a later run
	whole, _ := detectState(t, t.TempDir(), nil, []string{golden})
	pad := strings.Repeat("\x00", 4096) + "\n"
	for _, c := range []struct {
		name        string
		first, then string // the file's content in the first and the second run
		rotated     string // the file's name in the second run ("": unchanged; .gz: compressed)
		want        []string
	}{
		{"appended", strings.Join(lines[:2], ""), strings.Join(lines, ""), "", whole[2:]},
		{"written anew", lines[2], strings.Join(lines[:2], ""), "", whole[:2]},
		{"unchanged", strings.Join(lines, ""), strings.Join(lines, ""), "", nil},
		{"rotated", strings.Join(lines, ""), strings.Join(lines, ""), "audit_json.log.1", nil},
		{"rotated and compressed", strings.Join(lines, ""), strings.Join(lines, ""), "audit_json.log.1.gz", nil},
		{"appended, then rotated", strings.Join(lines[:2], ""), strings.Join(lines, ""), "audit_json.log.1", whole[2:]},
		// A line of NUL padding first (a crash's, the same in many files)
		// is not the file's identity (fresh-user trial 92: another file
		// after the same padding was taken for the one folded).
		{"written anew, both after a line of NUL padding", pad + lines[2], pad + strings.Join(lines[:2], ""), "", whole[:2]},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, "audit_json.log")
			state := filepath.Join(dir, "state")
			if err := os.WriteFile(file, []byte(c.first), 0o644); err != nil {
				t.Fatal(err)
			}
			detectState(t, state, nil, []string{file})
			then := []byte(c.then)
			if c.rotated != "" {
				if err := os.Remove(file); err != nil {
					t.Fatal(err)
				}
				file = filepath.Join(dir, c.rotated)
				if strings.HasSuffix(file, ".gz") {
					then = gziptest.Compress(t, then)
				}
			}
			if err := os.WriteFile(file, then, 0o644); err != nil {
				t.Fatal(err)
			}
			got, summary := detectState(t, state, nil, []string{file})
			if !slices.Equal(got, c.want) {
				t.Errorf("second run raised\n%s\nwant\n%s\nsummary:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"), summary)
			}
		})
	}
}

// TestDetectRerunOtherRules: with a kept --state-dir, a run that adds
// rules to those of the runs before is refused, naming them, and leaves
// the state as it was; a run of fewer rules is not, and narrows the rules
// recorded only when it folds lines, wanted by its rules or not. Before, the added rules silently
// never saw the lines the earlier runs folded: detect --rule
// falco.pat_created, then detect with every rule, raised nothing.
func TestDetectRerunOtherRules(t *testing.T) {
	audit := filepath.Join("..", "..", "testdata", "audit_json.log")
	patFile := filepath.Join("..", "..", "testdata", "detections", "falco.pat_created", "audit_json.log")
	pat := []string{"falco.pat_created"}
	brute := []string{"sentinel.bruteforce"} // of application lines only
	run := func(state string, rules []string, input string) error {
		o := &detectOptions{rules: rules, stateDir: state, format: "json", now: func() time.Time { return detectedAt }}
		var stdout, stderr bytes.Buffer
		return runDetect(context.Background(), o, []string{input}, strings.NewReader(""), &stdout, &stderr)
	}
	type step struct {
		rules []string // --rule (nil: every rule)
		input string
	}
	for _, c := range []struct {
		name    string
		before  []step
		refused bool // every rule over audit is then refused
	}{
		{"fewer rules before", []step{{pat, audit}}, true},
		{"every rule, then fewer over the same lines", []step{{nil, audit}, {pat, audit}}, false},
		{"every rule, then fewer over new lines", []step{{nil, audit}, {pat, patFile}}, true},
		// Lines no rule of a run wanted are folded by its rules too
		// (trial 234: such a run recorded no rules, and a later run
		// with more skipped the lines, their alerts missed).
		{"fewer rules before, none of which wanted the lines", []step{{brute, audit}}, true},
		{"every rule, then fewer over new lines none of them wanted", []step{{nil, audit}, {brute, patFile}}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			state := t.TempDir()
			for i, s := range c.before {
				if err := run(state, s.rules, s.input); err != nil {
					t.Fatalf("run %d: %v", i+1, err)
				}
			}
			err := run(state, nil, audit)
			if !c.refused {
				if err != nil {
					t.Fatalf("every rule again: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "sentinel.repo_public") || !strings.Contains(err.Error(), "did not see them") {
				t.Fatalf("every rule after fewer: err %v; want it refused, naming the rules added", err)
			}
			if err := run(state, c.before[len(c.before)-1].rules, audit); err != nil {
				t.Errorf("the earlier rule again, after the refused run: %v", err)
			}
		})
	}
}

// TestDetectSameFileTwice gives one file twice in a run (by the same
// name, through ./ and through a link): it is read once, with a note, so
// the near-miss of sentinel.bruteforce (10 failures, one under the
// threshold) stays silent instead of counting 20.
func TestDetectSameFileTwice(t *testing.T) {
	src := filepath.Join("..", "..", "testdata", "detections", "sentinel.bruteforce", "near-miss", "application_json.log")
	dir := t.TempDir()
	link := filepath.Join(dir, "application_json.log")
	abs, err := filepath.Abs(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(abs, link); err != nil {
		t.Fatal(err)
	}
	dot := filepath.Dir(src) + string(filepath.Separator) + "." + string(filepath.Separator) + filepath.Base(src) // not cleaned, as typed
	for _, args := range [][]string{{src, src}, {src, dot}, {src, link}} {
		o := &detectOptions{rules: []string{"sentinel.bruteforce"}, format: "json", now: func() time.Time { return detectedAt }}
		var stdout, stderr bytes.Buffer
		if err := runDetect(context.Background(), o, args, strings.NewReader(""), &stdout, &stderr); err != nil {
			t.Fatalf("detect %v: %v\n%s", args, err, stderr.String())
		}
		if stdout.Len() != 0 {
			t.Errorf("detect %v: alerts\n%s\nwant none: the file was read twice", args, stdout.String())
		}
		want := args[1] + " is the same file as " + src + ", given before; read once"
		if args[1] == src {
			want = src + " is given twice; read once"
		}
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("detect %v: stderr\n%s\nwant %q", args, stderr.String(), want)
		}
	}
}

// TestCheckDetectInputsSameFile: checkDetectInputs, from the stat of its
// own check, leaves out an input that is a file given before it (the same
// path, ./, a symbolic or a hard link) with a note on w, keeps distinct
// files and standard input, and when an input cannot be read returns the
// error alone, with no note written.
func TestCheckDetectInputsSameFile(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "audit_json.log")
	b := filepath.Join(dir, "application_json.log")
	for _, p := range []string{a, b} {
		if err := os.WriteFile(p, []byte("{}\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	sym, hard := filepath.Join(dir, "sym.log"), filepath.Join(dir, "hard.log")
	if err := os.Symlink(a, sym); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(a, hard); err != nil {
		t.Fatal(err)
	}
	dot := dir + string(filepath.Separator) + "." + string(filepath.Separator) + "audit_json.log" // not cleaned, as typed
	missing := filepath.Join(dir, "missing.log")
	for _, tc := range []struct {
		name  string
		paths []string
		kept  []string
		notes string
		err   bool
	}{
		{"the same path", []string{a, a}, []string{a}, "detect: " + a + " is given twice; read once\n", false},
		// One line for a file named many times (fresh-user trial 85: 199
		// lines for a file given 200 times).
		{"the same path four times", []string{a, a, b, a, a}, []string{a, b}, "detect: " + a + " is given 4 times; read once\n", false},
		{"a hard link twice", []string{a, hard, hard}, []string{a}, "detect: " + hard + " is the same file as " + a + ", given before; read once (2 times)\n", false},
		{"./", []string{a, dot}, []string{a}, "detect: " + dot + " is the same file as " + a + ", given before; read once\n", false},
		{"symbolic link", []string{sym, a}, []string{sym}, "detect: " + a + " is the same file as " + sym + ", given before as any type (line by line); read once, as any type (line by line) (a file is read as one type: give it once, with the TYPE: it holds)\n", false},
		{"hard link", []string{a, b, hard}, []string{a, b}, "detect: " + hard + " is the same file as " + a + ", given before; read once\n", false},
		{"an untyped name after a typed one", []string{a, sym}, []string{a}, "detect: " + sym + " is the same file as " + a + ", given before; read once\n", false},
		{"two TYPE: prefixes", []string{"audit:" + b, "application:" + b}, []string{b}, "detect: " + b + " is given twice, first as audit; read once, as audit (a file is read as one type: give it once, with the TYPE: it holds)\n", false},
		{"distinct files and standard input", []string{a, "-", b}, []string{a, "-", b}, "", false},
		{"an unreadable input: the error alone", []string{a, a, missing}, nil, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inputs := make([]detectInput, len(tc.paths))
			for i, p := range tc.paths {
				in, err := parseDetectInput(p)
				if err != nil {
					t.Fatal(err)
				}
				inputs[i] = in
			}
			var w bytes.Buffer
			kept, _, err := checkDetectInputs(context.Background(), inputs, strings.NewReader(""), &w)
			if (err != nil) != tc.err {
				t.Fatalf("err = %v, want an error: %v", err, tc.err)
			}
			var got []string
			for _, in := range kept {
				got = append(got, in.path)
			}
			if !slices.Equal(got, tc.kept) || w.String() != tc.notes {
				t.Errorf("kept %q, wrote %q\nwant %q, %q", got, w.String(), tc.kept, tc.notes)
			}
		})
	}
}

// TestDetectRerunStdin: with a kept --state-dir, lines read again from
// standard input are skipped as those of the file with the same first
// line, whether the earlier run read them from standard input or from
// the file. Before, standard input had no identity: its events without
// EventID were folded again, into the windows the state still held, and
// six failed sign-ins read twice made a brute force of twelve.
func TestDetectRerunStdin(t *testing.T) {
	t0 := time.Date(2025, 9, 18, 10, 0, 0, 0, time.UTC)
	log := sixFailedLogins(t0) // under sentinel.bruteforce's 10 in 60 minutes
	file := writeFile(t, filepath.Join(t.TempDir(), "application_json.log"), log.String())
	run := func(state string, inputs ...string) ([]string, string) {
		t.Helper()
		o := &detectOptions{stateDir: state, format: "json", now: func() time.Time { return detectedAt }}
		var stdout, stderr bytes.Buffer
		if err := runDetect(context.Background(), o, inputs, strings.NewReader(log.String()), &stdout, &stderr); err != nil {
			t.Fatalf("detect %v: %v\n%s", inputs, err, stderr.String())
		}
		if s := strings.TrimSpace(stdout.String()); s != "" {
			return strings.Split(s, "\n"), stderr.String()
		}
		return nil, stderr.String()
	}
	for _, c := range []struct {
		name  string
		first string // the first run's input; standard input after it
	}{{"stdin again", "application:-"}, {"the file, then stdin", file}} {
		t.Run(c.name, func(t *testing.T) {
			state := t.TempDir()
			if alerts, summary := run(state, c.first); len(alerts) > 0 {
				t.Fatalf("first run: %d alerts for 6 failures:\n%s", len(alerts), summary)
			}
			for i := 2; i <= 4; i++ {
				alerts, summary := run(state, "application:-")
				if len(alerts) > 0 || !strings.Contains(summary, "6 already folded by an earlier run with this --state-dir") {
					t.Errorf("run %d over standard input: %d alerts, want none and the 6 events skipped; the first: %v\nsummary:\n%s", i, len(alerts), alerts, summary)
				}
			}
		})
	}
}

// TestDetectWarnsCopies: two inputs of one run that begin with the same
// lines (a byte copy, or the file and a later, longer state of it) are
// both read, and detect says so, naming them: a warning, naming the log,
// when lines the rules read of the access log or the text application.log
// were among them, which are counted twice (they have no event id, and
// two alike may be two events); else a note that none counted twice, the
// lines of the audit, JSON application and auth logs being taken once
// (deduplicated). Before, every copy got the access log's warning, also
// an audit log's (fresh-user trial 83), and a text application.log's
// said its lines were taken once. Two logs that share only their first
// line (two nodes' access logs starting with the same health check) get
// neither.
func TestDetectWarnsCopies(t *testing.T) {
	t0 := time.Date(2025, 9, 18, 10, 0, 0, 0, time.UTC)
	log := sixFailedLogins(t0) // under sentinel.bruteforce's 10 in 60 minutes
	dir := t.TempDir()
	orig := writeFile(t, filepath.Join(dir, "n1", "application_json.log"), log.String())
	copied := writeFile(t, filepath.Join(dir, "n2", "application_json.log"), log.String())
	grown := writeFile(t, filepath.Join(dir, "n3", "application_json.log"),
		log.String()+loadgen.FailedLogin(t0.Add(10*time.Minute), "erin", "192.0.2.78")+"\n")
	other := writeFile(t, filepath.Join(dir, "n4", "application_json.log"),
		strings.SplitAfter(log.String(), "\n")[0]+loadgen.FailedLogin(t0.Add(2*time.Minute), "frank", "192.0.2.79")+"\n")
	copies := func(name string) (string, string) { // testdata's name, copied into two directories
		data, err := os.ReadFile(filepath.Join("..", "..", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return writeFile(t, filepath.Join(dir, "c1", name), string(data)), writeFile(t, filepath.Join(dir, "c2", name), string(data))
	}
	audit1, audit2 := copies("audit_json.log")
	text1, text2 := copies("application.log")
	access1, access2 := copies("gitlab_access.log")
	events, err := os.ReadFile(filepath.Join("..", "..", "testdata", "detections", "falco.pat_created", "events.log"))
	if err != nil {
		t.Fatal(err)
	}
	stream1, stream2 := writeFile(t, filepath.Join(dir, "s1", "spool.log"), string(events)), writeFile(t, filepath.Join(dir, "s2", "spool.log"), string(events))
	ti := writeFile(t, filepath.Join(dir, "ti.txt"), "10.2.47.75\n") // the access log's first address
	same := func(a, b string) string {
		return a + " and " + b + " begin with the same lines (a copy of one log, or one of them the other grown): "
	}
	note := func(a, b string) string {
		return "detect: NOTE: " + same(a, b) + "none of the lines they share counted twice (those the rules read were taken once, deduplicated by event id or by the whole line); give only one of them (the longer) to read them once"
	}
	warning := func(a, b, log string) string {
		return "detect: WARNING: " + same(a, b) + "the " + log + " lines they share were counted twice ("
	}
	for _, c := range []struct {
		name   string
		params []string
		inputs []string
		want   string // "": no such warning or note
	}{
		{"byte copy", nil, []string{orig, copied}, note(orig, copied)},
		{"grown", nil, []string{grown, orig}, note(grown, orig)},
		{"audit copy", nil, []string{audit1, audit2}, note(audit1, audit2)},
		{"text application.log copy", nil, []string{text1, text2}, warning(text1, text2, "text application.log")},
		{"access log copy read by a rule", []string{"ti_file=" + ti}, []string{access1, access2}, warning(access1, access2, "access log")},
		{"access log copy no rule reads", nil, []string{access1, access2}, note(access1, access2)},
		// Fresh-user trial 264: a spool's copy was read without a word.
		{"stream copy", nil, []string{"stream:" + stream1, "stream:" + stream2}, note(stream1, stream2)},
		{"first line only", nil, []string{orig, other}, ""},
		{"one input", nil, []string{orig}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, summary := detectState(t, "", c.params, c.inputs)
			has := strings.Contains(summary, "begin with the same lines")
			switch {
			case c.want != "" && !strings.Contains(summary, c.want):
				t.Errorf("want %q in:\n%s", c.want, summary)
			case c.want == "" && has:
				t.Errorf("a warning about copies in:\n%s", summary)
			}
			if strings.Contains(c.want, "NOTE") && strings.Contains(summary, "were counted twice") {
				t.Errorf("copies whose lines were taken once said to be counted twice in:\n%s", summary)
			}
		})
	}
}

// TestDetectRerunNotesChangedParams: with a kept --state-dir, a run whose
// parameters differ from those the earlier runs folded their lines with,
// and that skips lines, says so for each rule they changed for (the new
// values applied only to lines not read before); the same parameters
// again (a duration written otherwise included), or a state dir without
// the record, get no note.
func TestDetectRerunNotesChangedParams(t *testing.T) {
	golden := filepath.Join("..", "..", "testdata", "detections", "sentinel.bruteforce")
	inputs, _ := goldenInputs(t, golden)
	state := t.TempDir()
	detectState(t, state, nil, inputs)
	_, summary := detectState(t, state, []string{"window=2h"}, inputs)
	want := "detect: NOTE: rule sentinel.bruteforce ran with other parameters when earlier runs with --state-dir " + state +
		" folded their lines (defaults; now window=2h): those lines were skipped"
	if !strings.Contains(summary, want) {
		t.Errorf("changed window: want %q in:\n%s", want, summary)
	}
	if strings.Contains(summary, "NOTE: rule falco.pat_created") {
		t.Errorf("a note for a rule without the parameter:\n%s", summary)
	}
	// Nothing was folded with window=2h: the record stays, and says so again.
	if _, summary := detectState(t, state, []string{"window=2h"}, inputs); !strings.Contains(summary, want) {
		t.Errorf("same change again: want %q in:\n%s", want, summary)
	}
	fresh := t.TempDir()
	detectState(t, fresh, []string{"window=2h"}, inputs)
	if _, summary := detectState(t, fresh, []string{"window=2h"}, inputs); strings.Contains(summary, "NOTE: rule") {
		t.Errorf("same parameters: a note in:\n%s", summary)
	}
	if _, summary := detectState(t, fresh, []string{"window=120m"}, inputs); strings.Contains(summary, "NOTE: rule") {
		t.Errorf("the same window written otherwise (120m for 2h): a note in:\n%s", summary)
	}
	if err := os.Remove(filepath.Join(fresh, foldedParamsFile)); err != nil {
		t.Fatal(err)
	}
	if _, summary := detectState(t, fresh, nil, inputs); strings.Contains(summary, "NOTE: rule") {
		t.Errorf("no record: a note in:\n%s", summary)
	}
}

// TestDetectWarnsEmptyInputs: an input read to its end without a line (an
// empty file, standard input closed at once, a file of blank lines, which
// says how many: it said "is empty", fresh-user trial 53) is named in a
// warning; the run still succeeds (exit 0: nothing failed to read), and
// an input with lines gets none.
func TestDetectWarnsEmptyInputs(t *testing.T) {
	empty := writeFile(t, filepath.Join(t.TempDir(), "audit_json.log"), "")
	blank := writeFile(t, filepath.Join(t.TempDir(), "application_json.log"), "\n \n\t\n")
	full := filepath.Join("..", "..", "testdata", "audit_json.log")
	_, summary := detectState(t, "", nil, []string{empty, blank, full, "audit:-"})
	for _, want := range []string{
		"detect: WARNING: " + empty + " is empty: it had no line to search",
		"detect: WARNING: " + blank + " holds only 3 blank lines: it had no line to search",
		"detect: WARNING: standard input is empty: it had no line to search",
	} {
		if !strings.Contains(summary, want) {
			t.Errorf("want %q in:\n%s", want, summary)
		}
	}
	if strings.Contains(summary, full+" is empty") {
		t.Errorf("a warning for %s, which has lines:\n%s", full, summary)
	}
}

// TestDetectRerunAfterEmptyRun: a run with a kept --state-dir that folded
// nothing (empty standard input) records no rules and no parameters, so a
// later run with more rules is not refused and gets no note. Before, the
// empty run's rules were recorded as those that folded the lines.
func TestDetectRerunAfterEmptyRun(t *testing.T) {
	state := t.TempDir()
	o := &detectOptions{stateDir: state, format: "json", rules: []string{"sentinel.bruteforce"}, params: []string{"window=2h"}}
	var stdout, stderr bytes.Buffer
	if err := runDetect(context.Background(), o, []string{"application:-"}, strings.NewReader(""), &stdout, &stderr); err != nil {
		t.Fatalf("empty run: %v\n%s", err, stderr.String())
	}
	golden := filepath.Join("..", "..", "testdata", "detections", "sentinel.bruteforce")
	inputs, _ := goldenInputs(t, golden)
	alerts, summary := detectState(t, state, nil, inputs) // every default rule, default parameters
	if fresh, _ := detectState(t, t.TempDir(), nil, inputs); len(alerts) != len(fresh) || strings.Contains(summary, "NOTE: rule") {
		t.Errorf("after an empty run: %d alerts (a fresh state dir: %d); summary:\n%s", len(alerts), len(fresh), summary)
	}
}

// TestDetectOverlapsTakenOnce: lines read twice, without EventID, are
// taken once (deduplicated) when their inputs overlap other than as one
// file: a concatenation of two rotated files and the newer file alone, in
// one run or in two runs with a kept --state-dir (the newer file's first
// line is not the concatenation's, so it is not skipped as that file's
// lines). Before, eight failed sign-ins of one user read twice made a
// brute force of sixteen.
func TestDetectOverlapsTakenOnce(t *testing.T) {
	t0 := time.Date(2025, 9, 18, 9, 0, 0, 0, time.UTC)
	var older, newer strings.Builder
	for i := range 10 {
		older.WriteString(loadgen.FailedLogin(t0.Add(time.Duration(i)*5*time.Minute), "user"+strconv.Itoa(i), "198.51.100.1") + "\n")
	}
	for i := range 8 { // within the last lateness: on time again when read again
		newer.WriteString(loadgen.FailedLogin(t0.Add(time.Hour+time.Duration(i)*10*time.Second), "dave", "192.0.2.77") + "\n")
	}
	dir := t.TempDir()
	concat := writeFile(t, filepath.Join(dir, "concat", "application_json.log"), older.String()+newer.String())
	part := writeFile(t, filepath.Join(dir, "part", "application_json.log"), newer.String())
	for _, c := range []struct {
		name string
		runs [][]string // the inputs of each run, with one --state-dir
	}{
		{"one run", [][]string{{concat, part}}},
		{"two runs", [][]string{{concat}, {part}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			state := t.TempDir()
			var all []string
			var last string
			for _, inputs := range c.runs {
				alerts, summary := detectState(t, state, nil, inputs)
				all, last = append(all, alerts...), summary
			}
			if len(all) > 0 {
				t.Errorf("%d alerts for 8 failed sign-ins of one user and 10 of others; the first: %s\nsummary of the last run:\n%s", len(all), all[0], last)
			}
			if !strings.Contains(last, "8 deduplicated") {
				t.Errorf("want the 8 lines read again counted as deduplicated in:\n%s", last)
			}
		})
	}
}

// TestDetectSummaryFoldedNotEvents: with a kept --state-dir, the lines an
// earlier run folded are skipped before any rule, and the summary counts
// them apart from the events for the rules. Before, they were counted in
// both ("25 events for the rules; ... 25 already folded ... (skipped)":
// fresh-user trial 83).
func TestDetectSummaryFoldedNotEvents(t *testing.T) {
	t0 := time.Date(2025, 9, 18, 10, 0, 0, 0, time.UTC)
	log := sixFailedLogins(t0) // under sentinel.bruteforce's 10 in 60 minutes
	dir := t.TempDir()
	orig := writeFile(t, filepath.Join(dir, "n1", "application_json.log"), log.String())
	grown := writeFile(t, filepath.Join(dir, "n3", "application_json.log"), log.String()+
		loadgen.FailedLogin(t0.Add(10*time.Minute), "erin", "192.0.2.78")+"\n"+
		loadgen.FailedLogin(t0.Add(11*time.Minute), "erin", "192.0.2.78")+"\n")
	const folded = " already folded by an earlier run with this --state-dir (skipped); "
	for _, c := range []struct {
		name   string
		before []string // the inputs of a run before, with the same --state-dir; nil: none
		inputs []string
		want   string
	}{
		{"first run", nil, []string{orig}, "detect: read 6 lines (0 not parsed), 6 events for the rules; 0 deduplicated"},
		{"again", []string{orig}, []string{orig}, "detect: read 6 lines (0 not parsed), 0 events for the rules, 6" + folded + "0 deduplicated"},
		{"grown", []string{orig}, []string{grown}, "detect: read 8 lines (0 not parsed), 2 events for the rules, 6" + folded + "0 deduplicated"},
	} {
		t.Run(c.name, func(t *testing.T) {
			state := t.TempDir()
			if c.before != nil {
				detectState(t, state, nil, c.before)
			}
			_, summary := detectState(t, state, nil, c.inputs)
			if !strings.Contains(summary, c.want) {
				t.Errorf("want %q in:\n%s", c.want, summary)
			}
		})
	}
}

// sixFailedLogins returns six application-log lines of failed sign-ins of
// dave from one address, a minute apart from t0, each ending in "\n".
func sixFailedLogins(t0 time.Time) *strings.Builder {
	var log strings.Builder
	for i := range 6 {
		log.WriteString(loadgen.FailedLogin(t0.Add(time.Duration(i)*time.Minute), "dave", "192.0.2.77") + "\n")
	}
	return &log
}

// TestDetectTypedNameBesideFile: TYPE:FILE is read as FILE of TYPE, and
// when a file named TYPE:FILE exists too, a note says so and how to name
// that one (fresh-user trial 121: it was read silently); with no such
// file, no note.
func TestDetectTypedNameBesideFile(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, name := range []string{"x.log", "audit:x.log"} {
		if err := os.WriteFile(name, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	const want = "detect: audit:x.log is read as TYPE:FILE, FILE x.log; a file named audit:x.log exists too: to read that one, write ./audit:x.log\n"
	for _, tc := range []struct {
		arg  string
		note bool
	}{{"audit:x.log", true}, {"./audit:x.log", false}, {"audit:./x.log", false}} {
		o := &detectOptions{rules: []string{"falco.user_locked"}, format: "json", now: func() time.Time { return detectedAt }}
		var stdout, stderr bytes.Buffer
		if err := runDetect(context.Background(), o, []string{tc.arg}, strings.NewReader(""), &stdout, &stderr); err != nil {
			t.Fatalf("detect %s: %v\n%s", tc.arg, err, stderr.String())
		}
		if got := strings.Contains(stderr.String(), want); got != tc.note {
			t.Errorf("detect %s: note %v, want %v:\n%s", tc.arg, got, tc.note, stderr.String())
		}
	}
}

// TestDetectRerunWrongType: with a kept --state-dir, an input read as
// the wrong TYPE is not recorded as folded, so a run that follows the
// warning's advice and gives the right TYPE raises its alerts: an input
// none of whose lines parsed, and one whose lines parsed as the other
// JSON log (the parsers take one another's lines). Before (trials 234
// and 236), its lines were recorded as folded and skipped by that run,
// and the alerts they hold missed.
func TestDetectRerunWrongType(t *testing.T) {
	bruteforce := filepath.Join("..", "..", "testdata", "detections", "sentinel.bruteforce", "application_json.log")
	audit := filepath.Join("..", "..", "testdata", "audit_json.log")
	for _, c := range []struct {
		name, wrong, right, advice string
		rules                      []string
	}{
		{"none parsed", "access:" + bruteforce, "application:" + bruteforce, "look like application lines: give application:" + bruteforce, []string{"sentinel.bruteforce"}},
		{"parsed as the other JSON log", "application:" + audit, "audit:" + audit, "look like audit lines but were read as application", []string{"falco.pat_created", "sentinel.repo_public", "sentinel.repo_deletion"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			state := t.TempDir()
			alerts, summary := detectRules(t, state, c.rules, c.wrong)
			if len(alerts) != 0 || !strings.Contains(summary, c.advice) {
				t.Fatalf("first run, %s: alerts %q, want none and %q\n%s", c.wrong, alerts, c.advice, summary)
			}
			want, _ := detectRules(t, "", c.rules, c.right)
			if len(want) == 0 {
				t.Fatal("no alert without a state dir")
			}
			got, summary := detectRules(t, state, c.rules, c.right)
			if !slices.Equal(got, want) {
				t.Errorf("second run, %s: alerts\n%s\nwant\n%s\n%s", c.right, strings.Join(got, "\n"), strings.Join(want, "\n"), summary)
			}
		})
	}
}
