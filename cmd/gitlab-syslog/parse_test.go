package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/gziptest"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

const samples = "../../testdata"

// runParse executes "gitlab-syslog parse args..." and returns stdout and
// stderr.
func runParse(t *testing.T, stdin io.Reader, args ...string) (string, string, error) {
	t.Helper()
	cmd := newRootCmd()
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	if stdin != nil {
		cmd.SetIn(stdin)
	}
	cmd.SetArgs(append([]string{"parse"}, args...))
	err := cmd.Execute()
	return out.String(), errOut.String(), err
}

// objectKeys decodes one JSON object line, checking it is valid, and
// returns its keys in order and its values.
func objectKeys(t *testing.T, line string) ([]string, map[string]string) {
	t.Helper()
	if !json.Valid([]byte(line)) || !utf8.ValidString(line) {
		t.Fatalf("output line is not valid UTF-8 JSON: %q", line)
	}
	dec := json.NewDecoder(strings.NewReader(line))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("output line is not an object: %q", line)
	}
	var keys []string
	vals := map[string]string{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		var v string
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("value of %v in %q is not a string: %v", tok, line, err)
		}
		keys = append(keys, tok.(string))
		vals[tok.(string)] = v
	}
	return keys, vals
}

func sampleLines(t *testing.T, name string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(samples, name))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
}

// TestParseCommandSamples runs the command on every bundled sample, with
// the explicit type and with auto, and checks every output line against the
// parser library: same keys in the same order, same values.
func TestParseCommandSamples(t *testing.T) {
	files := map[string]string{
		"audit_json.log":       "audit",
		"application_json.log": "application",
		"application.log":      "application",
		"gitlab_access.log":    "access",
		"auth_json.log":        "auth",
	}
	for name, typ := range files {
		for _, flag := range []string{typ, "auto"} {
			t.Run(name+"/"+flag, func(t *testing.T) {
				stdout, stderr, err := runParse(t, nil, "--type", flag, filepath.Join(samples, name))
				if err != nil {
					t.Fatal(err)
				}
				in := sampleLines(t, name)
				out := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
				if len(out) != len(in) {
					t.Fatalf("%d output lines for %d input lines", len(out), len(in))
				}
				if want := fmt.Sprintf("parsed %d lines, 0 failed\n", len(in)); stderr != want {
					t.Errorf("stderr = %q, want %q", stderr, want)
				}
				pt, _ := parser.ParseType(typ)
				p := parser.New(pt)
				var r parser.Record
				for i, line := range out {
					keys, vals := objectKeys(t, line)
					if err := p.Parse([]byte(in[i]), &r); err != nil {
						t.Fatal(err)
					}
					if len(keys) != len(r.Fields) {
						t.Fatalf("line %d: keys %v, want %d columns", i+1, keys, len(r.Fields))
					}
					for j, f := range r.Fields {
						if keys[j] != f.Name || vals[f.Name] != string(f.Value) {
							t.Errorf("line %d column %d: %s=%q, want %s=%q", i+1, j, keys[j], vals[keys[j]], f.Name, f.Value)
						}
					}
				}
			})
		}
	}
}

// TestParseCommandBroken checks failed lines print _error and _raw, the
// output stays valid JSON for invalid UTF-8, and the summary counts them.
func TestParseCommandBroken(t *testing.T) {
	path := filepath.Join(samples, "broken.log")
	stdout, stderr, err := runParse(t, nil, path)
	if err != nil {
		t.Fatalf("parse must not fail on bad lines: %v", err)
	}
	in := sampleLines(t, "broken.log")
	out := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if len(out) != len(in) {
		t.Fatalf("%d output lines for %d input lines", len(out), len(in))
	}
	failed := 0
	for i, line := range out {
		_, vals := objectKeys(t, line)
		msg, isErr := vals["_error"]
		if !isErr {
			continue
		}
		failed++
		if prefix := fmt.Sprintf("%s:%d: ", path, i+1); !strings.HasPrefix(msg, prefix) {
			t.Errorf("_error %q does not start with %q", msg, prefix)
		}
		if utf8.ValidString(in[i]) && vals["_raw"] != in[i] {
			t.Errorf("_raw = %q, want %q", vals["_raw"], in[i])
		}
	}
	if failed != 8 {
		t.Errorf("%d failed lines, want 8", failed)
	}
	if want := fmt.Sprintf("parsed %d lines, %d failed\n", len(in), failed); stderr != want {
		t.Errorf("stderr = %q, want %q", stderr, want)
	}
	// The invalid UTF-8 access line comes out repaired.
	_, vals := objectKeys(t, out[len(out)-1])
	if vals["RemoteUser"] != "\uFFFD(" || vals["UserAgent"] != "x\x01y" {
		t.Errorf("repaired columns: %q", vals)
	}
}

// TestParseCommandStdinGzipLong reads standard input, a gzip file and a line
// longer than the 1 MiB default limit with --max-line-bytes raised above it.
func TestParseCommandStdinGzipLong(t *testing.T) {
	access := strings.Join(sampleLines(t, "gitlab_access.log"), "\n") + "\n"

	stdout, stderr, err := runParse(t, strings.NewReader(access), "--type", "access")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(stdout, "\n"); n != 18 || stderr != "parsed 18 lines, 0 failed\n" {
		t.Fatalf("stdin: %d lines, stderr %q", n, stderr)
	}

	dir := t.TempDir()
	gz := filepath.Join(dir, "gitlab_access.log.1.gz")
	if err := os.WriteFile(gz, gziptest.Compress(t, []byte(strings.ReplaceAll(access, "\n", "\r\n"))), 0o644); err != nil {
		t.Fatal(err)
	}
	gzOut, _, err := runParse(t, nil, "-t", "access", gz)
	if err != nil {
		t.Fatal(err)
	}
	if gzOut != stdout {
		t.Errorf("gzip CRLF output differs from plain stdin output")
	}

	big := strings.Repeat("x", 3<<20)
	long := filepath.Join(dir, "long.log")
	content := `{"author_id":1,"custom_message":"` + big + `"}` + "\n\n" + `{"author_id":2}`
	if err := os.WriteFile(long, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, err = runParse(t, nil, "--type", "audit", "--max-line-bytes", "4MiB", long)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(strings.NewReader(stdout))
	sc.Buffer(nil, 8<<20)
	var got []map[string]string
	for sc.Scan() {
		_, vals := objectKeys(t, sc.Text())
		got = append(got, vals)
	}
	if len(got) != 2 || got[0]["CustomMessage"] != big || got[1]["AuthorID"] != "2" || stderr != "parsed 2 lines, 0 failed (1 blank line skipped; 2 without a usable time, EventTime left out: the first, "+long+":1)\n" {
		t.Errorf("long line: %d objects, stderr %q", len(got), stderr)
	}
}

// TestParseCommandInterrupt checks that cancelling the command's context
// ends a read from a pipe that has no writer activity.
func TestParseCommandInterrupt(t *testing.T) {
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	defer pw.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := newRootCmd()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(io.Discard)
	cmd.SetIn(pr)
	cmd.SetArgs([]string{"parse", "--type", "access"})
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(ctx) }()
	line := strings.SplitN(strings.Join(sampleLines(t, "gitlab_access.log"), "\n"), "\n", 2)[0]
	pw.Write([]byte(line + "\n"))
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("parse did not stop after its context was cancelled")
	}
}

func TestParseCommandErrors(t *testing.T) {
	if _, _, err := runParse(t, nil, "--type", "syslog"); err == nil || !strings.Contains(err.Error(), "syslog") {
		t.Errorf("bad --type: %v", err)
	}
	missing := filepath.Join(t.TempDir(), "missing.log")
	if _, _, err := runParse(t, nil, missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing file: %v", err)
	}
	bad := filepath.Join(t.TempDir(), "bad.gz")
	os.WriteFile(bad, []byte{0x1f, 0x8b, 0, 0}, 0o644)
	if _, _, err := runParse(t, nil, bad); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("corrupt gzip: %v", err)
	}
}

// TestParseCommandUnreadableInput: an input that cannot be read (a
// directory, a missing file) is reported and skipped, the inputs after it
// are still parsed and summed up, and the command exits with an error.
func TestParseCommandUnreadableInput(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.log")
	good := filepath.Join(samples, "audit_json.log")
	stdout, stderr, err := runParse(t, nil, dir, good, missing)
	if err == nil || !strings.Contains(err.Error(), "2 of 3 inputs could not be read") {
		t.Errorf("err = %v, want 2 of 3 inputs not read", err)
	}
	in := sampleLines(t, "audit_json.log")
	if got := strings.Count(stdout, "\n"); got != len(in) {
		t.Errorf("%d output lines, want the %d of %s", got, len(in), good)
	}
	for _, want := range []string{dir, missing, fmt.Sprintf("parsed %d lines, 0 failed", len(in))} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr does not mention %q:\n%s", want, stderr)
		}
	}
}

// TestParseUnreadInputNote: an input parse cannot read (a directory) is
// said to be skipped; "the other inputs are still parsed" only when there
// are others (fresh-user trial 97: it was said of a single input).
func TestParseUnreadInputNote(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args   []string
		others bool
	}{
		{[]string{"parse", dir}, false},
		{[]string{"parse", dir, "../../testdata/audit_json.log"}, true},
	} {
		out, _ := execute(t, tc.args...)
		if !strings.Contains(out, "(skipped") {
			t.Errorf("%v: the directory is not said to be skipped:\n%s", tc.args, out)
		}
		if got := strings.Contains(out, "the other inputs are still parsed"); got != tc.others {
			t.Errorf("%v: says the other inputs are still parsed: %v, want %v:\n%s", tc.args, got, tc.others, out)
		}
	}
}

// TestParseUntimed: a line that parses but has no usable time (a "time"
// that is no time) prints without EventTime, and the summary says how
// many such lines there were and where the first is (fresh-user trial
// 173: it was left out silently, while detect warned).
func TestParseUntimed(t *testing.T) {
	in := filepath.Join(t.TempDir(), "application_json.log")
	line := `{"severity":"INFO","time":"%s","correlation_id":"x","message":"hello"}` + "\n"
	data := fmt.Sprintf(line, "2026-12-05T10:00:00.000Z") + fmt.Sprintf(line, "yesterday") + fmt.Sprintf(line, "")
	if err := os.WriteFile(in, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, err := runParse(t, nil, in)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(stdout, `"EventTime"`); n != 1 {
		t.Errorf("%d lines with EventTime, want 1:\n%s", n, stdout)
	}
	if w := "parsed 3 lines, 0 failed (2 without a usable time, EventTime left out: the first, " + in + ":2)"; !strings.Contains(stderr, w) {
		t.Errorf("standard error lacks %q:\n%s", w, stderr)
	}
}
