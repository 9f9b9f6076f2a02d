package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
	"github.com/gitlab-syslog/gitlab-syslog/tailer/checkpoint"
)

// nonl is the line, written without a newline.
const nonl = `{"severity":"INFO","time":"2024-05-31T14:32:44.108Z","message":"x"}`

// runResult is what one `run` command did.
type runResult struct {
	stdout string
	logs   []map[string]any // the JSON log records on stderr
	stderr string
	err    error
}

// runCmd runs `run args... --log-format json` in-process, with the messages
// on stdout, and fails the test when it does not end within 30s.
func runCmd(t *testing.T, args ...string) runResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out, errOut syslogtest.Buffer
	err := runCmdContext(ctx, &out, &errOut, args...)
	if ctx.Err() != nil {
		t.Fatalf("run %v did not end within 30s; log:\n%s", args, errOut.String())
	}
	return newRunResult(t, out.String(), errOut.String(), err)
}

// runCmdContext runs `run args... --log-format json` until it returns or
// ctx ends.
func runCmdContext(ctx context.Context, stdout, stderr io.Writer, args ...string) error {
	cmd := newRootCmd()
	cmd.SetOut(stdout)
	cmd.SetErr(stderr)
	cmd.SetArgs(append(append([]string{"run"}, args...), "--log-format", "json"))
	return cmd.ExecuteContext(ctx)
}

func newRunResult(t *testing.T, stdout, stderr string, err error) runResult {
	t.Helper()
	r := runResult{stdout: stdout, stderr: stderr, err: err}
	sc := bufio.NewScanner(strings.NewReader(stderr))
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("log line is not JSON: %q", sc.Text())
		}
		r.logs = append(r.logs, rec)
	}
	return r
}

// msgs returns the MSG of every message printed.
func (r runResult) msgs(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, l := range strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n") {
		if l == "" {
			continue
		}
		m, err := syslogtest.Parse([]byte(l))
		if err != nil {
			t.Fatalf("%v: %q", err, l)
		}
		out = append(out, string(m.Msg))
	}
	return out
}

// records returns the log records with message msg.
func (r runResult) records(msg string) []map[string]any {
	var out []map[string]any
	for _, rec := range r.logs {
		if rec["msg"] == msg {
			out = append(out, rec)
		}
	}
	return out
}

// totals returns the --once totals logged for file, failing when there is
// not exactly one record.
func (r runResult) totals(t *testing.T, file string) map[string]any {
	t.Helper()
	var found []map[string]any
	for _, rec := range r.records("--once: file read") {
		if rec["file"] == file {
			found = append(found, rec)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d totals for %s, want 1; log:\n%s", len(found), file, r.stderr)
	}
	return found[0]
}

// wantTotals checks the totals of file: lines read, sent, forwarded raw,
// truncated.
func (r runResult) wantTotals(t *testing.T, file string, read, sent, unparsed, truncated int) {
	t.Helper()
	got := r.totals(t, file)
	want := map[string]int{"lines_read": read, "lines_sent": sent, "unparsed_sent_raw": unparsed, "truncated": truncated}
	for k, v := range want {
		if got[k] != float64(v) {
			t.Errorf("%s: %s = %v, want %d (totals %v)", file, k, got[k], v, got)
		}
	}
}

func checkMsgs(t *testing.T, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("sent %d messages %q, want %q", len(got), got, want)
	}
}

// sourcesConfig writes a configuration with the given application sources
// and extra YAML and returns its name.
func sourcesConfig(t *testing.T, extra string, paths ...string) string {
	t.Helper()
	var sb strings.Builder
	sb.WriteString(extra)
	sb.WriteString("sources:\n")
	for _, p := range paths {
		fmt.Fprintf(&sb, "  - {type: application, path: %q}\n", p)
	}
	return writeFile(t, filepath.Join(t.TempDir(), "config.yaml"), sb.String())
}

func appendTo(t *testing.T, path, data string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(data); err != nil {
		t.Fatal(err)
	}
}

// D.1: run --once sends a last line without a newline and ends; what the
// next run sends depends on what became of the line, and never loses or
// splits it.
func TestRunOnceLastLineWithoutNewline(t *testing.T) {
	tests := []struct {
		name       string
		first      string // the file for the first run
		appended   string // to the file before the second run
		wantSecond []string
		secondLog  string // a log message of the second run
	}{
		{name: "unchanged", first: nonl,
			secondLog: "nothing was sent: every file had already been read up to its checkpoint; to send the files again use another state directory"},
		{name: "got its newline", first: nonl, appended: "\n",
			secondLog: "tailer: the last line, delivered without its newline by the previous run, has got its newline; resuming after it"},
		{name: "continued", first: nonl[:30], appended: nonl[30:] + "\n" + nonl + "\n", wantSecond: []string{nonl, nonl},
			secondLog: "tailer: the checkpoint is inside a last line that had no newline (sent without it by run --once, or skipped by start_at end), and the line was continued since; sending it whole, from its start (if a run sent its first part, the collector has that twice)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, filepath.Join(t.TempDir(), "nonl.log"), tt.first)
			args := []string{"--config", sourcesConfig(t, "", path), "--to", "stdout", "--once", "--state-dir", t.TempDir()}
			r := runCmd(t, args...)
			if r.err != nil {
				t.Fatalf("run: %v\n%s", r.err, r.stderr)
			}
			checkMsgs(t, r.msgs(t), []string{tt.first})
			unparsed := 0
			if tt.first != nonl {
				unparsed = 1
			}
			r.wantTotals(t, path, 1, 1, unparsed, 0)

			appendTo(t, path, tt.appended)
			r = runCmd(t, args...)
			if r.err != nil {
				t.Fatalf("second run: %v\n%s", r.err, r.stderr)
			}
			checkMsgs(t, r.msgs(t), tt.wantSecond)
			if len(r.records(tt.secondLog)) != 1 {
				t.Errorf("second run does not log %q:\n%s", tt.secondLog, r.stderr)
			}
		})
	}
}

// D.2: a source that exists but cannot be read ends run --once with an
// error naming the path and the cause, and sends nothing. (A directory or
// a named pipe stops run at start: TestRunRefusesSourceNotFile.)
func TestRunOnceUnreadableSource(t *testing.T) {
	dir := t.TempDir()
	plain := writeFile(t, filepath.Join(dir, "plain"), "x")
	noPerm := writeFile(t, filepath.Join(dir, "noperm.log"), nonl+"\n")
	if err := os.Chmod(noPerm, 0); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want []string // in the error
	}{
		{"log-dir is a file", []string{"--log-dir", plain}, // refused at start, once: TestRunRefusesSourceUnderFile
			[]string{"--log-dir: " + plain + " is a file, not a directory: give the directory GitLab writes its logs to"}},
		{"no permission", []string{"--config", sourcesConfig(t, "", noPerm)},
			[]string{"cannot open " + noPerm + ": permission denied"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "no permission" && os.Geteuid() == 0 {
				t.Skip("running as root, which reads a file of mode 0: TestRunOnceUnreadableAsNobody covers it")
			}
			r := runCmd(t, append(tt.args, "--to", "stdout", "--once", "--state-dir", t.TempDir())...)
			if r.err == nil {
				t.Fatalf("run --once succeeded; log:\n%s", r.stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.err.Error(), w) {
					t.Errorf("error %q lacks %q", r.err, w)
				}
			}
			if r.stdout != "" {
				t.Errorf("sent %q", r.stdout)
			}
		})
	}
}

// getHealth returns the status and body of /healthz at addr.
func getHealth(t *testing.T, addr string) (int, string) {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// waitHealth waits until /healthz answers code with a body holding want.
func waitHealth(t *testing.T, addr string, code int, want string, log *syslogtest.Buffer) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		got, body := getHealth(t, addr)
		if got == code && strings.Contains(body, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz = %d %q, want %d with %q; log:\n%s", got, body, code, want, log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// daemon runs `run args...` (without --once) until the test ends, with
// the metrics endpoint on a free port, and returns that address, stdout
// and stderr.
func daemon(t *testing.T, args ...string) (addr string, out, errOut *syslogtest.Buffer) {
	t.Helper()
	addr = freePort(t, "tcp")
	out, errOut = &syslogtest.Buffer{}, &syslogtest.Buffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- runCmdContext(ctx, out, errOut, append(args, "--to", "stdout", "--metrics-listen", addr)...)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Errorf("run did not stop after cancel")
		}
	})
	return addr, out, errOut
}

// D.2, the daemon: a source path that becomes a directory after the start
// (one that is a directory at start stops run: TestRunRefusesSourceNotFile)
// is retried, /healthz says why it is not read, and the failure is logged
// once, not at every attempt.
func TestRunDaemonRetriesUnreadableSource(t *testing.T) {
	adir := filepath.Join(t.TempDir(), "adir.log")
	addr, _, errOut := daemon(t, "--config", sourcesConfig(t, "", adir), "--state-dir", t.TempDir())
	waitHealth(t, addr, http.StatusOK, "ok", errOut) // waiting for the file
	if err := os.Mkdir(adir, 0o755); err != nil {
		t.Fatal(err)
	}
	waitHealth(t, addr, http.StatusServiceUnavailable, "source "+adir+" cannot be read (retrying): tailer: "+adir+" is a directory, not a log file", errOut)
	time.Sleep(2 * time.Second) // attempts after 250ms, 500ms, 1s, 2s
	if n := strings.Count(errOut.String(), "cannot open the file; retrying until it can be read"); n != 1 {
		t.Errorf("%d warnings in 2s, want 1; log:\n%s", n, errOut.String())
	}
	if err := os.Remove(adir); err != nil {
		t.Fatal(err)
	}
	writeFile(t, adir, nonl+"\n")
	waitHealth(t, addr, http.StatusOK, "ok", errOut)
}

// D.3: run --once names the files that do not exist, and fails when none
// does; an optional default source (application.log) is not missing.
func TestRunOnceMissingFiles(t *testing.T) {
	t.Run("log-dir does not exist", func(t *testing.T) {
		logDir := filepath.Join(t.TempDir(), "nope")
		r := runCmd(t, "--log-dir", logDir, "--to", "stdout", "--once", "--state-dir", t.TempDir())
		if r.err == nil {
			t.Fatalf("run --once succeeded; log:\n%s", r.stderr)
		}
		want := "--once: nothing to read: none of the source files exists: " +
			filepath.Join(logDir, "gitlab-rails", "audit_json.log") + ", " +
			filepath.Join(logDir, "gitlab-rails", "application_json.log") + ", " +
			filepath.Join(logDir, "nginx", "gitlab_access.log") +
			" (log_dir " + logDir + " does not exist; give GitLab's log directory with --log-dir, /var/log/gitlab on Omnibus)"
		if r.err.Error() != want {
			t.Errorf("error\n%s\nwant\n%s", r.err, want)
		}
		if r.stdout != "" || strings.Contains(r.stderr, "nothing was sent: every file had already been read") {
			t.Errorf("stdout %q; log:\n%s", r.stdout, r.stderr)
		}
	})
	t.Run("one of two missing", func(t *testing.T) {
		dir := t.TempDir()
		present := writeFile(t, filepath.Join(dir, "present.log"), nonl+"\n")
		missing := filepath.Join(dir, "missing.log")
		args := []string{"--config", sourcesConfig(t, "", present, missing), "--to", "stdout", "--once", "--state-dir", t.TempDir()}
		for run, want := range [][]string{{nonl}, nil} {
			r := runCmd(t, args...)
			if r.err != nil {
				t.Fatalf("run %d: %v\n%s", run, r.err, r.stderr)
			}
			checkMsgs(t, r.msgs(t), want)
			recs := r.records("--once: file does not exist; nothing read from it")
			if len(recs) != 1 || recs[0]["file"] != missing {
				t.Errorf("run %d: missing file not named: %v\n%s", run, recs, r.stderr)
			}
			if strings.Contains(r.stderr, "every file had already been read") {
				t.Errorf("run %d claims every file was read:\n%s", run, r.stderr)
			}
		}
	})
	// A glob that matches no file fails as a missing file does (fresh-
	// user trial 96: it ended with 0, saying the spools held nothing).
	t.Run("glob matches no file", func(t *testing.T) {
		pattern := filepath.Join(t.TempDir(), "*.log")
		r := runCmd(t, "--config", sourcesConfig(t, "", pattern), "--to", "stdout", "--once", "--state-dir", t.TempDir())
		if want := "--once: nothing to read: no file matches " + pattern; r.err == nil || r.err.Error() != want {
			t.Errorf("error %v, want %s; log:\n%s", r.err, want, r.stderr)
		}
		if strings.Contains(r.stderr, "spools held nothing") {
			t.Errorf("the log speaks of spools:\n%s", r.stderr)
		}
	})
	t.Run("optional application.log absent", func(t *testing.T) {
		logDir := t.TempDir()
		for _, name := range []string{"audit_json.log", "application_json.log", "gitlab_access.log"} {
			data, err := os.ReadFile(filepath.Join("../../testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(logDir, name), string(data))
		}
		r := runCmd(t, "--log-dir", logDir, "--to", "stdout", "--once", "--state-dir", t.TempDir())
		if r.err != nil {
			t.Fatalf("run: %v\n%s", r.err, r.stderr)
		}
		if strings.Contains(r.stderr, "does not exist") || len(r.msgs(t)) == 0 {
			t.Errorf("%d messages; log:\n%s", len(r.msgs(t)), r.stderr)
		}
		// auth_json.log appears at GitLab's first Rack::Attack event: not
		// missing, but said; waited for next to the others (a flat
		// layout), not under gitlab-rails/.
		recs := r.records("--once: file not created yet; nothing read from it")
		if len(recs) != 1 || recs[0]["file"] != filepath.Join(logDir, "auth_json.log") {
			t.Errorf("auth_json.log not reported as not created yet: %v\n%s", recs, r.stderr)
		}
	})
	t.Run("a source's auth_json.log, without log_dir", func(t *testing.T) {
		// The note goes by the file's name, wherever the source names it
		// (fresh-user trial 30, F9: only a file under log_dir had it).
		dir := t.TempDir()
		auth := filepath.Join(dir, "rails", "auth_json.log")
		if err := os.MkdirAll(filepath.Dir(auth), 0o755); err != nil {
			t.Fatal(err)
		}
		audit, err := filepath.Abs(filepath.Join(samples, "audit_json.log"))
		if err != nil {
			t.Fatal(err)
		}
		cfg := writeFile(t, filepath.Join(dir, "c.yaml"), fmt.Sprintf("forward: {url: stdout}\nsources:\n  - {type: audit, path: %q}\n  - {type: auth, path: %q}\n", audit, auth))
		out, _ := execute(t, "check", "--config", cfg)
		if !strings.Contains(out, "does not exist yet: run waits for it (GitLab creates auth_json.log at the first Rack::Attack event)") {
			t.Errorf("check gives no note for %s:\n%s", auth, out)
		}
		r := runCmd(t, "--config", cfg, "--once", "--state-dir", t.TempDir())
		if recs := r.records("--once: file not created yet; nothing read from it"); r.err != nil || len(recs) != 1 || recs[0]["file"] != auth {
			t.Errorf("run --once: %v; auth_json.log not reported as not created yet: %v\n%s", r.err, recs, r.stderr)
		}
	})
}

// D.4: run --once logs per file the lines read, sent, forwarded raw and cut
// at max_line_bytes, and logs a cut line with its offset and length once
// per interval.
func TestRunOnceTotals(t *testing.T) {
	long := `{"severity":"INFO","message":"` + strings.Repeat("y", 10000) + `"}`
	lines := []string{nonl, "not json", long, long, nonl}
	path := writeFile(t, filepath.Join(t.TempDir(), "app.log"), strings.Join(lines, "\n")+"\n")
	cfg := sourcesConfig(t, "max_line_bytes: 8KiB\n", path)
	r := runCmd(t, "--config", cfg, "--to", "stdout", "--once", "--state-dir", t.TempDir())
	if r.err != nil {
		t.Fatalf("run: %v\n%s", r.err, r.stderr)
	}
	checkMsgs(t, r.msgs(t), []string{nonl, "not json", long[:8192], long[:8192], nonl})
	r.wantTotals(t, path, 5, 5, 3, 2)
	cut := r.records("tailer: line longer than max_line_bytes; forwarded cut to that length, the rest of it dropped")
	wantOff := float64(len(nonl) + 1 + len("not json") + 1)
	if len(cut) != 1 || cut[0]["file"] != path || cut[0]["line_offset"] != wantOff || cut[0]["line_bytes"] != float64(len(long)) {
		t.Errorf("truncation logged as %v, want once with file %s, line_offset %v, line_bytes %d (without the newline, as send gives it)", cut, path, wantOff, len(long))
	}
	// What to do, as send and detect say it: the key and a value above
	// the longest line (fresh-user trial).
	hint := fmt.Sprintf("to forward such lines whole, raise max_line_bytes above the longest line cut so far (%d bytes), e.g. max_line_bytes: 10KiB (or --max-line-bytes 10KiB)", len(long))
	if len(cut) == 1 && (cut[0]["max_line_bytes"] != float64(8192) || cut[0]["hint"] != hint) {
		t.Errorf("truncation logged with max_line_bytes %v, hint %q; want 8192, %q", cut[0]["max_line_bytes"], cut[0]["hint"], hint)
	}
}

// D.5: run refuses to start with a state directory it cannot write, and
// names the directory and what to do, in check's words (trial 33, F4).
func TestRunStateDirUnwritableAtStart(t *testing.T) {
	state, lock := unwritableDir(t)
	lock()
	path := writeFile(t, filepath.Join(t.TempDir(), "app.log"), nonl+"\n")
	r := runCmd(t, "--config", sourcesConfig(t, "", path), "--to", "stdout", "--once", "--state-dir", state)
	if r.err == nil {
		t.Fatalf("run succeeded with an unwritable state directory; log:\n%s", r.stderr)
	}
	for _, w := range []string{"--state-dir " + state + ": creating a file in it failed: ", "give a directory on a writable file system that the agent's user may write"} {
		if !strings.Contains(r.err.Error(), w) {
			t.Errorf("error %q lacks %q", r.err, w)
		}
	}
	if r.stdout != "" {
		t.Errorf("sent %q before failing", r.stdout)
	}
}

// D.5: a checkpoint that cannot be written while the agent runs turns
// /healthz to 503 naming the checkpoint file; forwarding goes on.
func TestRunCheckpointFailureUnhealthy(t *testing.T) {
	state, lock := unwritableDir(t)
	path := writeFile(t, filepath.Join(t.TempDir(), "app.log"), nonl+"\n")
	addr, out, errOut := daemon(t, "--config", sourcesConfig(t, "checkpoint_interval: 100ms\n", path), "--state-dir", state)
	ck := checkpointFile(t, state, path)
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, err := os.Stat(ck); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no checkpoint %s; log:\n%s", ck, errOut.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	waitHealth(t, addr, http.StatusOK, "ok", errOut)
	lock()
	appendTo(t, path, nonl+"\n")
	waitHealth(t, addr, http.StatusServiceUnavailable, "source "+path+": checkpoint not saved, so a restart would send its lines again: tailer: write checkpoint "+ck+": ", errOut)
	if n := bytes.Count([]byte(out.String()), []byte("\n")); n != 2 {
		t.Errorf("%d messages sent, want 2", n)
	}
}

// checkpointFile returns the file that holds the tailer's position of path
// in the state directory dir.
func checkpointFile(t testing.TB, dir, path string) string {
	t.Helper()
	return filepath.Join(dir, checkpoint.PositionKey(path)+".json") // checkpoint.Store.File
}

// run --once with --start-at end into a new state directory sends
// nothing, and says why: start_at end, not checkpoints (there are none),
// and how to send what the files hold.
func TestRunOnceStartAtEndSaysWhy(t *testing.T) {
	args := []string{"--log-dir", samples, "--to", "stdout", "--once", "--state-dir", t.TempDir(), "--start-at", "end"}
	r := runCmd(t, args...)
	if r.err != nil {
		t.Fatalf("run: %v\n%s", r.err, r.stderr)
	}
	if r.stdout != "" {
		t.Errorf("run --once --start-at end sent:\n%s", r.stdout)
	}
	want := "nothing was sent: with start_at end a file without a checkpoint is read from its end, and one with a checkpoint from there; to send what the files hold, use --start-at beginning and a new state directory"
	if len(r.records(want)) != 1 || strings.Contains(r.stderr, "every file had already been read up to its checkpoint") {
		t.Errorf("run does not log %q (and only it):\n%s", want, r.stderr)
	}
}

// D.1 for a line longer than max_line_bytes: the first run sends it cut;
// a second run that finds only its rest and newline drops the rest and
// says so, rather than that the file was read up to its checkpoint
// (fresh-user trial 104).
func TestRunOnceOnlyCutRestDropped(t *testing.T) {
	long := strings.Repeat("A", 3000)
	path := writeFile(t, filepath.Join(t.TempDir(), "long.log"), long[:2000])
	args := []string{"--config", sourcesConfig(t, "max_line_bytes: 1KiB\n", path), "--to", "stdout", "--once", "--state-dir", t.TempDir()}
	if r := runCmd(t, args...); r.err != nil {
		t.Fatalf("run: %v\n%s", r.err, r.stderr)
	} else {
		checkMsgs(t, r.msgs(t), []string{long[:1024]})
	}
	appendTo(t, path, long[2000:]+"\n")
	r := runCmd(t, args...)
	if r.err != nil {
		t.Fatalf("second run: %v\n%s", r.err, r.stderr)
	}
	checkMsgs(t, r.msgs(t), nil)
	got := r.records("nothing was sent: the files held nothing new but the rest of a line longer than max_line_bytes, whose start an earlier run sent cut; that rest was dropped (see the tailer's warning above)")
	if len(got) != 1 || got[0]["bytes_dropped"] != float64(1001) {
		t.Errorf("second run logs %v, want one record with bytes_dropped 1001 (the rest and its newline); log:\n%s", got, r.stderr)
	}
}

// A line of byte order marks only (and white space) is blank: run --once
// and send skip and count it as they do an empty line, rather than send
// an empty MSG that did not parse (fresh-user trial 107).
func TestBOMOnlyLinesBlank(t *testing.T) {
	const bom = "\xef\xbb\xbf"
	path := writeFile(t, filepath.Join(t.TempDir(), "app.log"), nonl+"\n"+bom+"\n"+bom+bom+"\n\n"+bom+"\r\n"+nonl+"\n")
	r := runCmd(t, "--config", sourcesConfig(t, "", path), "--to", "stdout", "--once", "--state-dir", t.TempDir())
	if r.err != nil {
		t.Fatalf("run: %v\n%s", r.err, r.stderr)
	}
	checkMsgs(t, r.msgs(t), []string{nonl, nonl})
	if got := r.totals(t, path); got["lines_read"] != 6.0 || got["blank_skipped"] != 4.0 || got["unparsed_sent_raw"] != 0.0 {
		t.Errorf("totals %v, want lines_read 6, blank_skipped 4, unparsed_sent_raw 0", got)
	}

	var stdout, stderr bytes.Buffer
	if err := runSendCollect(context.Background(), strings.NewReader(""), &stdout, &stderr, "send", "--type", "application", "--to", "-", path); err != nil {
		t.Fatalf("send: %v\n%s", err, stderr.String())
	}
	if n := strings.Count(stdout.String(), "\n"); n != 2 {
		t.Errorf("send wrote %d messages, want 2:\n%s\n%s", n, stdout.String(), stderr.String())
	}
}

// The --once summary of a file with lines cut to max_line_bytes names the
// longest of them, with a value above it: the warnings of cut lines come
// at most one per interval, and the first may be a shorter one
// (fresh-user trial 108 followed the first's 2KiB and got the 3,000-byte
// line cut again).
func TestRunOnceLongestCut(t *testing.T) {
	line := func(n int) string {
		return `{"severity":"INFO","message":"` + strings.Repeat("y", n-len(`{"severity":"INFO","message":""}`)) + `"}`
	}
	path := writeFile(t, filepath.Join(t.TempDir(), "app.log"), line(1500)+"\n"+line(3000)+"\n"+nonl+"\n")
	r := runCmd(t, "--config", sourcesConfig(t, "max_line_bytes: 1KiB\n", path), "--to", "stdout", "--once", "--state-dir", t.TempDir())
	if r.err != nil {
		t.Fatalf("run: %v\n%s", r.err, r.stderr)
	}
	got := r.records("--once: lines were cut to max_line_bytes, the rest of each dropped")
	want := "to forward them whole, raise max_line_bytes above the longest (3000 bytes), e.g. max_line_bytes: 3KiB (or --max-line-bytes 3KiB)"
	if len(got) != 1 || got[0]["file"] != path || got[0]["longest_line_bytes"] != 3000.0 || got[0]["truncated"] != 2.0 || got[0]["hint"] != want {
		t.Errorf("--once logs %v, want one warning for %s with longest_line_bytes 3000, truncated 2, hint %q", got, path, want)
	}
}

// A rotated .gz copy cut short loses the lines after its last whole one:
// --once says so per file and in its closing line, and counts the copy,
// rather than "all sources read to the end" alone (fresh-user trial 110).
func TestRunOnceDamagedCopy(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, filepath.Join(dir, "app.log"), nonl+"\n")
	args := []string{"--config", sourcesConfig(t, "", path), "--to", "stdout", "--once", "--state-dir", t.TempDir()}
	if r := runCmd(t, args...); r.err != nil {
		t.Fatalf("run: %v\n%s", r.err, r.stderr)
	}
	var more strings.Builder
	for i := range 5000 {
		fmt.Fprintf(&more, `{"severity":"INFO","time":"2024-05-31T14:32:44.108Z","message":"line %d %x"}`+"\n", i, i*7919)
	}
	appendTo(t, path, more.String())
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(data)
	zw.Close()
	writeFile(t, path+".1.gz", gz.String()[:gz.Len()/2]) // cut short
	// the new file, another inode
	if err := os.Rename(writeFile(t, path+".new", strings.Replace(nonl, `"x"`, `"new"`, 1)+"\n"), path); err != nil {
		t.Fatal(err)
	}

	r := runCmd(t, args...)
	if r.err != nil {
		t.Fatalf("second run: %v\n%s", r.err, r.stderr)
	}
	if n := len(r.msgs(t)); n < 2 || n > 5000 {
		t.Errorf("second run sent %d messages, want some of the copy and the new line, fewer than the copy's 5000", n)
	}
	got := r.records("--once: lines of this file may be lost: they were not sent (the tailer's warnings above name the copies, and where copies were looked for)")
	if len(got) != 1 || got[0]["file"] != path || got[0]["rotated_copies_damaged"] != 1.0 {
		t.Errorf("--once logs %v, want one warning for %s with rotated_copies_damaged 1; log:\n%s", got, path, r.stderr)
	} else if h, _ := got[0]["hint"].(string); !strings.HasPrefix(h, "a damaged copy's lines up to whole_lines_to_offset (in its warning) were sent; the rest are in no file read") {
		// not "send what a copy holds": that was sent (fresh-user trial 113)
		t.Errorf("hint %q, want the damaged copy's", h)
	}
	if got := r.records("all sources read to the end and acknowledged, but lines of 1 file(s) may be lost (see the warnings above); exiting (--once)"); len(got) != 1 {
		t.Errorf("--once's closing line is not the one of lost lines; log:\n%s", r.stderr)
	}
}
