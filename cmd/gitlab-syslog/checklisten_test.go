package main

import (
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/statelock"
)

// TestCheckListenInUse: a metrics.listen, streaming.listen or input's
// listen address where another process listens is a problem, as run would
// not start (fresh-user trials 54 and 66: check said valid); not while a
// process holds the lock of the state_dir: the agent running on it listens
// there itself.
func TestCheckListenInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	addr := ln.Addr().String()
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+state+"\nforward: {url: stdout}\nsources: [{type: audit, path: /var/log/gitlab/gitlab-rails/audit_json.log}]\nmetrics:\n  listen: "+addr+"\n")
	out, err := execute(t, "check", "--config", cfg)
	want := cfg + ":5: metrics.listen: " + addr + ": another process listens there (address already in use), so run would not start"
	if err == nil || !strings.Contains(out, want) {
		t.Errorf("check: err %v; want the problem %q in:\n%s", err, want, out)
	}
	in := writeFile(t, filepath.Join(dir, "in.yaml"), "state_dir: "+state+"\nforward: {url: stdout}\nsources: []\ninputs:\n  - listen: relp://"+addr+"\n")
	out, err = execute(t, "check", "--config", in)
	want = in + ":5: inputs[0].listen: " + addr + ": another process listens there (address already in use), so run would not start"
	if err == nil || !strings.Contains(out, want) {
		t.Errorf("check of an input: err %v; want the problem %q in:\n%s", err, want, out)
	}

	lk, err := statelock.Acquire(state) // as the agent running on it holds it
	if err != nil {
		t.Fatal(err)
	}
	defer lk.Release()
	if out, err := execute(t, "check", "--config", cfg); err != nil || strings.Contains(out, "another process listens there") {
		t.Errorf("check with the state_dir held: err %v, want valid without the problem:\n%s", err, out)
	}
}

// TestRunListenInUse: run, which fails to start when another process
// listens on its metrics.listen, streaming.listen or an input's listen,
// names the file and line of the key as check does, and says what to do
// (fresh-user trial: run's error for metrics.listen and streaming.listen
// named no file or line).
func TestRunListenInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	addr := ln.Addr().String()
	logDir, err := filepath.Abs("../../testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, config, want string
	}{
		{"metrics.listen", "metrics:\n  listen: " + addr + "\n", ":5: metrics.listen: "},
		{"streaming.listen", "streaming:\n  listen: " + addr + "\n  tokens: [abcdefghijklmnopqrstuvwxyz012345]\n", ":5: streaming.listen: "},
		{"inputs[0].listen", "inputs:\n  - listen: tcp://" + addr + "\n", ":5: inputs[0].listen: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+filepath.Join(dir, "state")+"\nlog_dir: "+logDir+"\nforward: {url: stdout}\n"+tc.config)
			r := runCmd(t, "--config", cfg)
			if r.err == nil {
				t.Fatalf("run started; log:\n%s", r.stderr)
			}
			got := r.err.Error()
			if !strings.Contains(got, cfg+tc.want) || !strings.Contains(got, "address already in use") || !strings.Contains(got, "another process listens there (another agent?): stop it, or give") {
				t.Errorf("run's error:\n  %s\nwant it to name %q, the cause and what to do", got, cfg+tc.want)
			}
		})
	}
}
