package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/influxdata/go-syslog/v3/rfc5424"
)

var update = flag.Bool("update", false, "rewrite the golden files of this package's tests from the current output: testdata/detections/*/expected.json and testdata/e2e/*/{expected,totals}.txt (then read every rewritten file)")

// detectedAt is the wall clock the golden runs use for detected_at.
var detectedAt = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// goldenRun runs detect over the inputs of dir for rule id, as the
// command line would: every file but args, expected.json and *.txt is an
// input (events.log as stream:events.log); args holds extra arguments, one
// per line, with $DIR replaced by dir.
func goldenRun(t *testing.T, dir, id string) []byte {
	t.Helper()
	return goldenRunFormat(t, dir, id, "json")
}

// goldenRunFormat is goldenRun with the given --format.
func goldenRunFormat(t *testing.T, dir, id, format string) []byte {
	t.Helper()
	inputs, params := goldenInputs(t, dir)
	o := &detectOptions{rules: []string{id}, params: params, format: format, now: func() time.Time { return detectedAt }}
	var stdout, stderr bytes.Buffer
	if err := runDetect(context.Background(), o, inputs, strings.NewReader(""), &stdout, &stderr); err != nil {
		t.Fatalf("detect %v: %v\n%s", inputs, err, stderr.String())
	}
	return stdout.Bytes()
}

// goldenInputs returns the detect arguments of a golden directory: its
// files, sorted (events.log as a stream input), and the --param values of
// its args file.
func goldenInputs(t *testing.T, dir string) (inputs, params []string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		name := e.Name()
		switch {
		case e.IsDir(), name == "expected.json", strings.HasSuffix(name, ".txt"):
		case name == "args":
			b, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			fields := strings.Split(strings.TrimSpace(string(b)), "\n")
			for i := 0; i+1 < len(fields); i += 2 {
				if fields[i] != "--param" {
					t.Fatalf("%s/args: only --param NAME=VALUE pairs are supported, got %q", dir, fields[i])
				}
				params = append(params, strings.ReplaceAll(fields[i+1], "$DIR", dir))
			}
		case name == "events.log":
			inputs = append(inputs, "stream:"+filepath.Join(dir, name))
		default:
			inputs = append(inputs, filepath.Join(dir, name))
		}
	}
	slices.Sort(inputs)
	if len(inputs) == 0 {
		t.Fatalf("%s: no input files", dir)
	}
	return inputs, params
}

// TestDetectGolden runs every rule's golden directory: the alerts must be
// byte for byte those of expected.json, every alert must be of that rule,
// and the near-miss inputs must stay silent.
func TestDetectGolden(t *testing.T) {
	root := filepath.Join("..", "..", "testdata", "detections")
	ents, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		id := e.Name()
		dir := filepath.Join(root, id)
		t.Run(id, func(t *testing.T) {
			got := goldenRun(t, dir, id)
			want := filepath.Join(dir, "expected.json")
			if *update {
				if err := os.WriteFile(want, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			exp, err := os.ReadFile(want)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, exp) {
				t.Errorf("alerts differ from %s (run with -update to see the diff in git)\ngot:\n%s", want, got)
			}
			lines := bytes.Split(bytes.TrimSpace(got), []byte("\n"))
			if len(got) == 0 {
				t.Fatalf("no alert: every rule's golden input must fire")
			}
			for _, l := range lines {
				var a map[string]any
				if err := json.Unmarshal(l, &a); err != nil {
					t.Fatalf("alert is not JSON: %v\n%s", err, l)
				}
				if a["rule"] != id || a["alert_id"] == "" || a["severity"] == "" || a["name"] == "" {
					t.Errorf("alert lacks rule %s, alert_id, severity or name: %s", id, l)
				}
			}
			checkWire(t, goldenRunFormat(t, dir, id, "rfc5424"), lines, id)
			checkAlertTimes(t, got)
			nm := filepath.Join(dir, "near-miss")
			if _, err := os.Stat(nm); err != nil {
				t.Fatalf("no near-miss directory: %v", err)
			}
			if out := goldenRun(t, nm, id); len(out) > 0 {
				t.Errorf("near-miss input fired:\n%s", out)
			}
		})
	}
}

// checkWire parses every line of wire (the --format rfc5424 output) with
// the go-syslog v3 RFC 5424 parser: APP-NAME GitLab-Detections, MSGID the
// rule, an alert@32473 element with the alert_id, and MSG byte for byte the
// JSON alert of the same position. Each message is one line: no CR in
// it, and no LF but the one that ends it.
func checkWire(t *testing.T, wire []byte, jsonLines [][]byte, id string) {
	t.Helper()
	p := rfc5424.NewParser(rfc5424.WithBestEffort())
	msgs := bytes.Split(bytes.TrimSpace(wire), []byte("\n"))
	if len(msgs) != len(jsonLines) {
		t.Fatalf("%d lines of syslog messages for %d JSON alerts (a line break inside a message?):\n%q", len(msgs), len(jsonLines), wire)
	}
	for i, m := range msgs {
		if bytes.IndexByte(m, '\r') >= 0 {
			t.Errorf("message %d holds a CR: %q", i, m)
		}
		got, err := p.Parse(m)
		if err != nil {
			t.Fatalf("parse %s: %v", m, err)
		}
		sm := got.(*rfc5424.SyslogMessage)
		var a map[string]any
		json.Unmarshal(jsonLines[i], &a)
		if *sm.Appname != "GitLab-Detections" || *sm.MsgID != id || sm.StructuredData == nil ||
			(*sm.StructuredData)["alert@32473"]["alert_id"] != a["alert_id"] {
			t.Errorf("message %d: app %v msgid %v sd %v", i, *sm.Appname, *sm.MsgID, sm.StructuredData)
		}
		if sm.Message == nil || *sm.Message != string(jsonLines[i]) {
			t.Errorf("message %d: MSG is not the JSON alert:\n%v\n%s", i, sm.Message, jsonLines[i])
		}
	}
}

// checkAlertTimes fails t for an alert of out (detect's JSON lines) whose
// first_event is before its window_start or after its last_event: the
// events an alert counts are in its window (fresh-user trial 121: the
// re-alerts of password spraying gave the first event of the whole burst).
func checkAlertTimes(t *testing.T, out []byte) {
	t.Helper()
	for _, line := range bytes.Split(bytes.TrimSpace(out), []byte("\n")) {
		var a struct {
			WindowStart time.Time `json:"window_start"`
			FirstEvent  time.Time `json:"first_event"`
			LastEvent   time.Time `json:"last_event"`
		}
		if err := json.Unmarshal(line, &a); err != nil {
			t.Fatalf("alert %s: %v", line, err)
		}
		if !a.WindowStart.IsZero() && a.FirstEvent.Before(a.WindowStart) || !a.LastEvent.IsZero() && a.FirstEvent.After(a.LastEvent) {
			t.Errorf("alert's first_event %s is outside its window_start %s .. last_event %s: %s", a.FirstEvent, a.WindowStart, a.LastEvent, line)
		}
	}
}
