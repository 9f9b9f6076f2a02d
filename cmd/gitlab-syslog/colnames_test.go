package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/influxdata/go-syslog/v3/rfc5424"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// wirePlace is the README's rule for where a column of `parse` is found in
// the STRUCTURED-DATA that `send` and `run` write with the default SD-ID:
// meta.X is PARAM-NAME X of [meta@32473], every other column is the
// PARAM-NAME of its own name in [gitlab@32473].
func wirePlace(column string) (sdID, param string) {
	if rest, ok := strings.CutPrefix(column, "meta."); ok {
		return "meta@32473", rest
	}
	return "gitlab@32473", column
}

// parsedColumns runs `parse` on the files and returns the columns printed
// for each line, by line.
func parsedColumns(t *testing.T, files ...string) map[string]map[string]string {
	t.Helper()
	cols := map[string]map[string]string{}
	for _, f := range files {
		stdout, _, err := runParse(t, nil, f)
		if err != nil {
			t.Fatal(err)
		}
		in := sampleLines(t, filepath.Base(f))
		out := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
		if len(out) != len(in) {
			t.Fatalf("%s: %d output lines for %d input lines", f, len(out), len(in))
		}
		for i, line := range out {
			_, vals := objectKeys(t, line)
			cols[in[i]] = vals
		}
	}
	return cols
}

// checkWireColumns checks that a message's STRUCTURED-DATA holds exactly
// the columns `parse` printed for its MSG, each where wirePlace says.
func checkWireColumns(t *testing.T, cols map[string]map[string]string, msg string, sd map[string]map[string]string) {
	t.Helper()
	want, ok := cols[msg]
	if !ok {
		t.Fatalf("MSG %q was not an input line", msg)
	}
	n := 0
	for _, params := range sd {
		n += len(params)
	}
	if n != len(want) {
		t.Errorf("line %q: %d params on the wire %v, parse printed %d columns %v", msg, n, sd, len(want), want)
	}
	for col, v := range want {
		id, name := wirePlace(col)
		if got, ok := sd[id][name]; !ok || got != v {
			t.Errorf("line %q: column %s=%q from parse is [%s] %s=%q (present %v) on the wire", msg, col, v, id, name, got, ok)
		}
	}
}

var colnameSamples = []string{"audit_json.log", "application_json.log", "application_json_meta.log", "gitlab_access.log"}

// TestSendKeepsParseColumnNames checks that every column `parse` prints,
// meta.artifacts_dependencies_count (33 characters) and meta.* keys that
// are not SD-NAMEs included, reaches the collector under the name `parse`
// printed, as the README documents.
func TestSendKeepsParseColumnNames(t *testing.T) {
	var files []string
	for _, s := range colnameSamples {
		files = append(files, filepath.Join(samples, s))
	}
	cols := parsedColumns(t, files...)
	url := "tcp://" + freePort(t, "tcp")
	out := startCollectCmd(t, url)
	var stdout, stderr syslogtest.Buffer
	if err := runSendCollect(context.Background(), nil, &stdout, &stderr, append([]string{"send", "--to", url}, files...)...); err != nil {
		t.Fatalf("send: %v\n%s", err, stderr.String())
	}
	if strings.Contains(stderr.String(), "short form") {
		t.Errorf("send renamed columns: %s", stderr.String())
	}
	n := 0
	for _, f := range colnameSamples {
		n += len(sampleLines(t, f))
	}
	for _, c := range waitLines(t, out, n) {
		checkWireColumns(t, cols, c.Message, c.StructuredData)
	}
}

// TestRunKeepsParseColumnNames is TestSendKeepsParseColumnNames for the
// agent: `run --once --to stdout` on a log directory whose
// application_json.log holds the meta.* samples, read back with the
// go-syslog v3 RFC 5424 parser.
func TestRunKeepsParseColumnNames(t *testing.T) {
	dir := t.TempDir()
	var app []byte
	for _, f := range []string{"application_json.log", "application_json_meta.log"} {
		data, err := os.ReadFile(filepath.Join(samples, f))
		if err != nil {
			t.Fatal(err)
		}
		app = append(app, data...)
	}
	for name, data := range map[string][]byte{"application_json.log": app} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"audit_json.log", "gitlab_access.log"} {
		data, err := os.ReadFile(filepath.Join(samples, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := newRootCmd()
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs([]string{"run", "--log-dir", dir, "--to", "stdout", "--once", "--state-dir", t.TempDir()})
	if err := cmd.Execute(); err != nil {
		t.Fatalf("run: %v\n%s", err, errOut.String())
	}
	var files []string
	for _, s := range colnameSamples {
		files = append(files, filepath.Join(samples, s))
	}
	cols := parsedColumns(t, files...)
	p := rfc5424.NewParser()
	var lines []string // the log lines; the alerts they raise carry alert columns
	for _, l := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
		if !strings.Contains(l, " "+forwarder.AppNameDetections+" ") {
			lines = append(lines, l)
		}
	}
	want := 0
	for _, f := range colnameSamples {
		want += len(sampleLines(t, f))
	}
	if len(lines) != want {
		t.Fatalf("run printed %d messages, want %d", len(lines), want)
	}
	for _, l := range lines {
		m, err := p.Parse([]byte(l))
		if err != nil {
			t.Fatalf("go-syslog: %v in %q", err, l)
		}
		sm := m.(*rfc5424.SyslogMessage)
		var sd map[string]map[string]string
		if sm.StructuredData != nil {
			sd = *sm.StructuredData
		}
		checkWireColumns(t, cols, *sm.Message, sd)
	}
}
