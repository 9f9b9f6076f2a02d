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
	// The verdict counts it among those that stop run (fresh-user trial
	// 267: "lose data or alerts: run starts with them").
	if want := "1 problem(s) that stop run: it refuses this configuration"; !strings.Contains(out, want) {
		t.Errorf("check of an input: want the verdict %q in:\n%s", want, out)
	}
	// An address no interface has stops run too (fresh-user trial 267:
	// check said valid).
	noaddr := writeFile(t, filepath.Join(dir, "noaddr.yaml"), "state_dir: "+state+"\nforward: {url: stdout}\nsources: []\ninputs:\n  - listen: tcp://192.0.2.55:51434\n")
	out, err = execute(t, "check", "--config", noaddr)
	want = noaddr + ":5: inputs[0].listen: 192.0.2.55:51434: no interface of this host has that address (cannot assign requested address), so run would not start"
	if err == nil || !strings.Contains(out, want) || !strings.Contains(out, "1 problem(s) that stop run") {
		t.Errorf("check of an input on an address of no interface: err %v; want the problem %q in:\n%s", err, want, out)
	}

	lk, err := statelock.Acquire(state) // as the agent running on it holds it
	if err != nil {
		t.Fatal(err)
	}
	defer lk.Release()
	out, err = execute(t, "check", "--config", cfg)
	if err != nil || strings.Contains(out, "another process listens there") {
		t.Errorf("check with the state_dir held: err %v, want valid without the problem:\n%s", err, out)
	}
	// It says an agent runs on the state_dir (fresh-user trial 270:
	// "writable", and run then refused a second agent).
	if want := "; in use: an agent runs on it (a second run on it is refused;"; !strings.Contains(out, want) {
		t.Errorf("check with the state_dir held: want %q in:\n%s", want, out)
	}
}

// TestRunListenInUse: run, which fails to start when another process
// listens on its metrics.listen, streaming.listen or an input's listen,
// names the file and line of the key as check does, and says what to do
// (fresh-user trial: run's error for metrics.listen and streaming.listen
// named no file or line). run --once, which reads the inputs' and the
// receiver's spools and listens on neither, is not refused over theirs
// (fresh-user trial 271: the README's troubleshooting run --once was
// refused beside the running agent).
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
		onceRuns           bool // run --once does not listen there
	}{
		{"metrics.listen", "metrics:\n  listen: " + addr + "\n", ":5: metrics.listen: ", false},
		{"streaming.listen", "streaming:\n  listen: " + addr + "\n  tokens: [abcdefghijklmnopqrstuvwxyz012345]\n", ":5: streaming.listen: ", true},
		{"inputs[0].listen", "inputs:\n  - listen: tcp://" + addr + "\n", ":5: inputs[0].listen: ", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+filepath.Join(dir, "state")+"\nlog_dir: "+logDir+"\nforward: {url: stdout}\n"+tc.config)
			if r := runCmd(t, "--config", cfg, "--once"); (r.err == nil) != tc.onceRuns {
				t.Errorf("run --once: err %v, want it to run %v\n%s", r.err, tc.onceRuns, r.stderr)
			}
			r := runCmd(t, "--config", cfg)
			if r.err == nil {
				t.Fatalf("run started; log:\n%s", r.stderr)
			}
			got := r.err.Error()
			if !strings.Contains(got, cfg+tc.want) || !strings.Contains(got, "another process listens there (address already in use), so run would not start: stop it, or give another port") {
				t.Errorf("run's error:\n  %s\nwant it to name %q, the cause and what to do, in check's words", got, cfg+tc.want)
			}
		})
	}
}

// TestRunListenProblemsWithOthers: run refuses an input on an address no
// interface has in check's words, and names it in its one error with the
// configuration's other problems (fresh-user trial 270: it started, then
// failed on it alone with the bare bind error, after naming the others).
func TestRunListenProblemsWithOthers(t *testing.T) {
	dir := t.TempDir()
	notDir := writeFile(t, filepath.Join(dir, "plainfile"), "x")
	cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+filepath.Join(notDir, "s")+"\nforward: {url: stdout}\nsources: []\ninputs:\n  - listen: tcp://192.0.2.55:51434\n")
	r := runCmd(t, "--config", cfg)
	if r.err == nil {
		t.Fatalf("run started; log:\n%s", r.stderr)
	}
	got := r.err.Error()
	for _, want := range []string{cfg + ":1: state_dir", cfg + ":5: inputs[0].listen: 192.0.2.55:51434: no interface of this host has that address"} {
		if !strings.Contains(got, want) {
			t.Errorf("run's error:\n  %s\nwant it to name %q", got, want)
		}
	}
	if strings.Contains(r.stderr, `"msg":"starting"`) {
		t.Errorf("run started before refusing:\n%s", r.stderr)
	}
}
