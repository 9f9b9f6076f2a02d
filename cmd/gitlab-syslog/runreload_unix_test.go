//go:build unix

package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/inputs"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// runReload runs `run --config cfg args...` until it follows its sources,
// then writes data to cfg, sends SIGHUP and waits until run logs a record
// whose message begins with until; it then stops run and returns its
// result. SIGHUP goes to the test's own process: it is caught (run's
// handler, and the test's so that an early one cannot end the process).
func runReload(t *testing.T, cfg, data, until string, args ...string) runResult {
	t.Helper()
	return runReloadAfter(t, cfg, data, until, nil, args...)
}

// runReloadAfter is runReload calling before, when not nil, once run
// follows its sources, before it writes data to cfg.
func runReloadAfter(t *testing.T, cfg, data, until string, before func(), args ...string) runResult {
	t.Helper()
	return runReloadHooks(t, cfg, data, until, before, nil, args...)
}

// runReloadHooks is runReloadAfter calling after, when not nil, once run
// logged until, before it stops run.
func runReloadHooks(t *testing.T, cfg, data, until string, before, after func(), args ...string) runResult {
	t.Helper()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut syslogtest.Buffer
	done := make(chan error, 1)
	go func() { done <- runCmdContext(ctx, &out, &errOut, append([]string{"--config", cfg}, args...)...) }()
	wait := func(msg string) {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if strings.Contains(errOut.String(), `"msg":"`+msg) {
				return
			}
			select {
			case err := <-done:
				t.Fatalf("run ended: %v\n%s", err, errOut.String())
			default:
			}
		}
		t.Fatalf("run logged no %q within 20s:\n%s", msg, errOut.String())
	}
	wait("following")
	if before != nil {
		before()
	}
	writeFile(t, cfg, data)
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	wait(until)
	time.Sleep(200 * time.Millisecond) // what run logs right after
	if after != nil {
		after()
	}
	cancel()
	err := <-done
	return newRunResult(t, out.String(), errOut.String(), err)
}

// TestReloadWarnsAsStart: a reload logs the configuration's warnings as
// the start does, in the same words: a source whose type contradicts its
// file's name, a rule duration without a unit (fresh-user trial #5, #15:
// a reload applied them silently).
func TestReloadWarnsAsStart(t *testing.T) {
	dir := t.TempDir()
	logPath := writeFile(t, filepath.Join(dir, "gitlab_access.log"), "")
	head := "state_dir: " + filepath.Join(dir, "st") + "\nforward: {url: stdout}\nsources:\n  - {type: access, path: " + logPath + "}\n"
	cfg := writeFile(t, filepath.Join(dir, "c.yaml"), head)
	changed := strings.Replace(head, "type: access", "type: auth", 1) + "detections:\n  rules:\n    sentinel.bruteforce:\n      window: 90\n"
	r := runReload(t, cfg, changed, "configuration reloaded")
	if r.err != nil {
		t.Fatalf("run: %v\n%s", r.err, r.stderr)
	}
	// The same file read at start gives the warnings to expect.
	start := runCmd(t, "--config", cfg, "--once", "--state-dir", filepath.Join(dir, "st2"))
	for _, msg := range []string{"config: source probably misconfigured", "config: a duration without a unit"} {
		want := start.records(msg)
		if len(want) != 1 {
			t.Fatalf("run at start logged %d %q, want 1:\n%s", len(want), msg, start.stderr)
		}
		got := r.records(msg)
		if len(got) != 1 || got[0]["warning"] != want[0]["warning"] || got[0]["level"] != "WARN" {
			t.Errorf("reload logged %v, want once the WARN of the start %v", got, want[0])
		}
	}
	_, after, _ := strings.Cut(r.stderr, `"msg":"reloading configuration"`)
	if !strings.Contains(after, "config: source probably misconfigured") {
		t.Errorf("the warning is not logged at the reload:\n%s", r.stderr)
	}
}

// TestReloadEmptiedOneError: a reload of a file emptied is refused with
// one ERROR line (the agent's "reload: FILE sets nothing"), not the same
// cause twice (fresh-user trial #12).
func TestReloadEmptiedOneError(t *testing.T) {
	dir := t.TempDir()
	logPath := writeFile(t, filepath.Join(dir, "gitlab_access.log"), "")
	cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+filepath.Join(dir, "st")+"\nforward: {url: stdout}\nsources:\n  - {type: access, path: "+logPath+"}\n")
	r := runReload(t, cfg, "", "reload: "+cfg+" sets nothing")
	var errs []string
	for _, rec := range r.logs {
		if rec["level"] == "ERROR" {
			errs = append(errs, rec["msg"].(string))
		}
	}
	if len(errs) != 1 || !strings.HasPrefix(errs[0], "reload: "+cfg+" sets nothing: every setting would be a built-in default; keeping the running configuration") {
		t.Errorf("ERROR lines %q, want the one of the agent\n%s", errs, r.stderr)
	}
}

// TestReloadInvalidSaysWhatToDo: a reload of a file with a mistake keeps
// the running configuration and says what to do about the file (final
// fresh-user trial: the log gave the errors alone).
func TestReloadInvalidSaysWhatToDo(t *testing.T) {
	dir := t.TempDir()
	logPath := writeFile(t, filepath.Join(dir, "gitlab_access.log"), "")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	head := "state_dir: " + filepath.Join(dir, "st") + "\nforward: {url: stdout}\nmetrics: {listen: \"" + addr + "\"}\nsources:\n  - {type: access, path: " + logPath + "}\n"
	cfg := writeFile(t, filepath.Join(dir, "c.yaml"), head)
	// The refusal shows in the metrics too (fresh-user trial 69: only in
	// the log).
	scraped := ""
	r := runReloadHooks(t, cfg, head+"start_at: middle\n", "SIGHUP: configuration invalid", nil, func() {
		resp, err := http.Get("http://" + addr + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		scraped = string(b)
	})
	if !strings.Contains(scraped, "gitlab_syslog_config_last_reload_successful 0\n") {
		t.Errorf("/metrics after a refused reload lacks config_last_reload_successful 0:\n%s", scraped)
	}
	recs := r.records("SIGHUP: configuration invalid; keeping the running one")
	if len(recs) != 1 {
		t.Fatalf("logged %d such records, want 1:\n%s", len(recs), r.stderr)
	}
	if err, _ := recs[0]["err"].(string); !strings.Contains(err, "start_at") {
		t.Errorf("err %q does not name the key", err)
	}
	if hint, _ := recs[0]["hint"].(string); !strings.Contains(hint, "gitlab-syslog check") || !strings.Contains(hint, "send SIGHUP again") {
		t.Errorf("hint %q, want what to do: gitlab-syslog check, then SIGHUP again", hint)
	}
}

// TestReloadRefusesStartProblems: a SIGHUP whose file has a problem that
// would stop run at start (a GeoIP database that does not open, streaming
// token and TLS files) is refused as a whole: one ERROR lists each
// problem in check's words (FILE:LINE: key: cause and what to do), the
// running configuration is kept and no "configuration reloaded" follows
// (fresh-user trial 34, F5: the GeoIP error had no file, line nor advice
// and the reload went ahead).
func TestReloadRefusesStartProblems(t *testing.T) {
	none := filepath.Join(t.TempDir(), "none")
	afile := writeFile(t, filepath.Join(t.TempDir(), "afile"), "x\n")
	for _, tc := range []struct {
		name, add string
		want      []string
		stateDir  string // the new file's state_dir; "": the running one
	}{
		{"geoip", "geoip:\n  city_db: " + none + ".mmdb\n", []string{
			"c.yaml:6: geoip.city_db: open city_db " + none + ".mmdb",
			"give the path of a GeoLite2-City"}, ""},
		{"streaming", "streaming:\n  listen: 127.0.0.1:0\n  token_file: " + none + ".tok\n  tls:\n    cert_file: " + none + ".crt\n    key_file: " + none + ".key\n", []string{
			"c.yaml:7: streaming.token_file: ",
			"c.yaml:8: streaming.tls: cert_file " + none + ".crt"}, ""},
		{"another state_dir under a file", "", []string{ // trial 35, F5
			"c.yaml:1: state_dir " + filepath.Join(afile, "st") + ": " + afile + " is a file, not a directory"}, filepath.Join(afile, "st")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			logPath := writeFile(t, filepath.Join(dir, "gitlab_access.log"), "")
			head := "state_dir: " + filepath.Join(dir, "st") + "\nforward: {url: stdout}\nsources:\n  - {type: access, path: " + logPath + "}\n"
			cfg := writeFile(t, filepath.Join(dir, "c.yaml"), head)
			next := head + tc.add
			if tc.stateDir != "" {
				next = strings.Replace(next, filepath.Join(dir, "st"), tc.stateDir, 1)
			}
			r := runReload(t, cfg, next, "SIGHUP: configuration invalid")
			recs := r.records("SIGHUP: configuration invalid; keeping the running one")
			if len(recs) != 1 {
				t.Fatalf("logged %d such records, want 1:\n%s", len(recs), r.stderr)
			}
			got, _ := recs[0]["err"].(string)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("err %q lacks %q", got, w)
				}
			}
			if strings.Contains(r.stderr, "configuration reloaded") {
				t.Errorf("the reload went ahead:\n%s", r.stderr)
			}
			// Every SIGHUP logs its start, as a valid or an emptied file's does.
			if before, _, _ := strings.Cut(r.stderr, "SIGHUP: configuration invalid"); !strings.Contains(before, `"msg":"reloading configuration"`) {
				t.Errorf("no reloading configuration line before the error:\n%s", r.stderr)
			}
		})
	}
}

// TestReloadCorruptGeoIP: a SIGHUP after a GeoIP database was replaced by
// a file that is not one (a broken download renamed into place) is
// refused with one ERROR naming the key's file and line and the database
// file, saying the databases in use stay in use and what to do.
func TestReloadCorruptGeoIP(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "City.mmdb")
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "geoip", "GeoIP2-City-Test.mmdb"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, db, string(data))
	logPath := writeFile(t, filepath.Join(dir, "gitlab_access.log"), "")
	conf := "state_dir: " + filepath.Join(dir, "st") + "\nforward: {url: stdout}\nsources:\n  - {type: access, path: " + logPath + "}\n" +
		"geoip:\n  city_db: " + db + "\n"
	cfg := writeFile(t, filepath.Join(dir, "c.yaml"), conf)
	r := runReloadAfter(t, cfg, conf, "SIGHUP: configuration invalid", func() {
		writeFile(t, db+".tmp", strings.Repeat("not an mmdb file\x00\xff", 200))
		if err := os.Rename(db+".tmp", db); err != nil {
			t.Fatal(err)
		}
	})
	recs := r.records("SIGHUP: configuration invalid; keeping the running one")
	if len(recs) != 1 {
		t.Fatalf("logged %d such records, want 1:\n%s", len(recs), r.stderr)
	}
	got, _ := recs[0]["err"].(string)
	for _, w := range []string{cfg + ":6: geoip.city_db: open city_db " + db, "the GeoIP databases in use stay in use", "fix or replace the file"} {
		if !strings.Contains(got, w) {
			t.Errorf("err %q lacks %q", got, w)
		}
	}
}

// TestReloadInputPlainWhere: a reload logs the WARN of a plain listener on
// a non-loopback address again, as the start does, with where naming the
// listen key's file and line: in the file reread (a line added above it
// moves it), or, when the inputs list changed (which needs a restart), in
// the file as read at start, the entry the input runs with.
func TestReloadInputPlainWhere(t *testing.T) {
	for _, tc := range []struct {
		name, prefix, entry     string
		startWhere, reloadWhere string // after the config's path
	}{
		{"line moved", "# the aggregator\n", "  - listen: tcp://0.0.0.0:0\n", ":6: inputs[0].listen", ":7: inputs[0].listen"},
		{"list changed", "# the aggregator\n", "  - listen: tcp://0.0.0.0:0\n    other: drop\n", ":6: inputs[0].listen", ":6: inputs[0].listen"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			logPath := writeFile(t, filepath.Join(dir, "gitlab_access.log"), "")
			head := "state_dir: " + filepath.Join(dir, "st") + "\nforward: {url: stdout}\nsources:\n  - {type: access, path: " + logPath + "}\ninputs:\n"
			cfg := writeFile(t, filepath.Join(dir, "c.yaml"), head+"  - listen: tcp://0.0.0.0:0\n")
			r := runReload(t, cfg, tc.prefix+head+tc.entry, "configuration reloaded")
			if r.err != nil {
				t.Fatalf("run: %v\n%s", r.err, r.stderr)
			}
			var wheres []any
			for _, rec := range r.records("inputs: " + inputs.PlainWarning) {
				if rec["level"] != "WARN" {
					t.Errorf("logged at %v, want WARN", rec["level"])
				}
				wheres = append(wheres, rec["where"])
			}
			if want := []any{cfg + tc.startWhere, cfg + tc.reloadWhere}; !reflect.DeepEqual(wheres, want) {
				t.Errorf("the plain listener's WARNs have where %q, want %q (start, reload); log:\n%s", wheres, want, r.stderr)
			}
		})
	}
}

// TestReloadInputWarningsOfTheFile: an input's idle_timeout added to the
// file is not warned of at a reload as the 0 that the running input keeps
// until a restart: the warnings are of the file, with its lines (fresh-
// user trial 267: "inputs[0].idle_timeout: 0 means the default" for a
// file that gives 10m); one the file gives as 0 is.
func TestReloadInputWarningsOfTheFile(t *testing.T) {
	for _, tc := range []struct {
		name, timeout string
		warned        bool
	}{
		{"10m added", "    idle_timeout: 10m\n", false},
		{"0 added", "    idle_timeout: 0s\n", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			logPath := writeFile(t, filepath.Join(dir, "gitlab_access.log"), "")
			head := "state_dir: " + filepath.Join(dir, "st") + "\nforward: {url: stdout}\nsources:\n  - {type: access, path: " + logPath + "}\ninputs:\n  - listen: tcp://127.0.0.1:0\n"
			cfg := writeFile(t, filepath.Join(dir, "c.yaml"), head)
			r := runReload(t, cfg, head+tc.timeout, "configuration reloaded")
			if r.err != nil {
				t.Fatalf("run: %v\n%s", r.err, r.stderr)
			}
			got := r.records("config: an input is off")
			if want := cfg + ":7: inputs[0].idle_timeout: 0 means the default"; tc.warned != (len(got) == 1) || tc.warned && !strings.HasPrefix(got[0]["warning"].(string), want) {
				t.Errorf("reload warned %v, want a warning beginning %q: %v; log:\n%s", got, want, tc.warned, r.stderr)
			}
		})
	}
}

// TestReloadWarnsRestartListen: a reload that moves metrics.listen to an
// address another process listens on is applied (the running listener is
// kept) with a warning that the next restart would not start (fresh-user
// trial 271: nothing said, and the restart failed); one moved to a free
// port is not warned of.
func TestReloadWarnsRestartListen(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	free := syslogtest.FreeTCPPort(t)
	for _, tc := range []struct {
		name, addr string
		warned     bool
	}{
		{"in use", busy.Addr().String(), true},
		{"free", "127.0.0.1:" + strconv.Itoa(free), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			logPath := writeFile(t, filepath.Join(dir, "gitlab_access.log"), "")
			head := "state_dir: " + filepath.Join(dir, "st") + "\nforward: {url: stdout}\nsources:\n  - {type: access, path: " + logPath + "}\n"
			cfg := writeFile(t, filepath.Join(dir, "c.yaml"), head+"metrics: {listen: '127.0.0.1:0'}\n")
			r := runReload(t, cfg, head+"metrics: {listen: '"+tc.addr+"'}\n", "configuration reloaded")
			if r.err != nil {
				t.Fatalf("run: %v\n%s", r.err, r.stderr)
			}
			got := r.records("config: the next restart would not start with this address (the running listeners are kept until then)")
			want := cfg + ":5: metrics.listen: " + tc.addr + ": another process listens there"
			if tc.warned != (len(got) == 1) || tc.warned && !strings.HasPrefix(got[0]["problem"].(string), want) {
				t.Errorf("reload warned %v, want %v a warning beginning %q; log:\n%s", got, tc.warned, want, r.stderr)
			}
		})
	}
}
