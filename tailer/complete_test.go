package tailer

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuf is a log destination tests can read while the tailer writes.
type lockedBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// idleFor waits until the tailer follows the file (everything read) and
// then d more, and fails if any line beyond the first n arrived.
func (c *collector) idleFor(n int, d time.Duration) {
	c.t.Helper()
	waitStats(c.t, c.tl, "following", func(s Stats) bool { return s.Mode == ModeFollowing })
	time.Sleep(d)
	if got := c.texts(); len(got) != n {
		c.t.Fatalf("got %d lines %q, want %d", len(got), got, n)
	}
}

// A last line without a newline is delivered at the end of the file only
// when the file is Complete (run --once); a live follow waits for its
// newline and then delivers it whole.
func TestCompletePartialLastLine(t *testing.T) {
	t.Run("complete delivers it and checkpoints after it", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "app.log")
		writeFile(t, path, "a\nlast")
		cfg := testConfig(t, path)
		cfg.Complete = true
		c := start(t, cfg)
		c.waitN(2)
		if err := c.stop(); err != nil {
			t.Fatal(err)
		}
		checkExactly(t, c.texts(), []string{"a", "last"})
		if g := c.got(); g[1].end != 6 {
			t.Errorf("offset after the partial line = %d, want 6", g[1].end)
		}
		if ck, err := loadPosition(testStore(t, cfg.StateDir), path); err != nil || ck == nil || ck.Offset != 6 {
			t.Errorf("checkpoint %+v (%v), want offset 6", ck, err)
		}
	})
	t.Run("complete, start at end", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "app.log")
		writeFile(t, path, "a\nlast")
		cfg := testConfig(t, path)
		cfg.Complete, cfg.StartAt = true, StartEnd
		c := start(t, cfg)
		c.idleFor(0, 200*time.Millisecond)
		appendFile(t, path, "new\n")
		c.waitN(1)
		c.stop()
		checkExactly(t, c.texts(), []string{"new"})
	})
	t.Run("complete, written while following", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "app.log")
		writeFile(t, path, "a\n")
		cfg := testConfig(t, path)
		cfg.Complete = true
		c := start(t, cfg)
		c.waitN(1)
		waitStats(t, c.tl, "following", func(s Stats) bool { return s.Mode == ModeFollowing })
		appendFile(t, path, "late")
		c.waitN(2)
		c.stop()
		checkExactly(t, c.texts(), []string{"a", "late"})
	})
	t.Run("live follow waits for the newline", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "app.log")
		writeFile(t, path, "a\nla")
		c := start(t, testConfig(t, path))
		c.waitN(1)
		c.idleFor(1, 300*time.Millisecond)
		appendFile(t, path, "st\n")
		c.waitN(2)
		c.stop()
		checkExactly(t, c.texts(), []string{"a", "last"})
	})
}

// resumeCase is a second run after a Complete run that delivered a last
// line without its newline (see runResumeCase).
type resumeCase struct {
	name     string
	appended string // to the file between the two runs
	complete bool   // of the second run
	want     []string
	later    string   // appended during a live second run
	wantLate []string // lines expected after later
	warn     string   // in the second run's log
	notWarn  string   // not in it
	// rotate, when set, rotates the file after appended: "rename" (to
	// .1, and a new file), "gzip" (rename, then .1 compressed to .1.gz)
	// or "copytruncate"; the new file holds "new\n", which the second
	// run delivers last.
	rotate string
}

// runResumeCase writes content ("a\n" and a last line without a newline)
// to a file, runs a Complete tailer with MaxLineBytes max (0: default) on
// it, which must deliver first, then appends tt.appended and runs the
// second tailer of tt, and checks what it delivers, its log and that its
// checkpoint is at the end of the file.
func runResumeCase(t *testing.T, content string, max int, first []string, tt resumeCase) {
	path := filepath.Join(t.TempDir(), "app.log")
	writeFile(t, path, content)
	cfg := testConfig(t, path)
	cfg.Complete, cfg.MaxLineBytes = true, max
	c := start(t, cfg)
	c.waitN(len(first))
	if err := c.stop(); err != nil {
		t.Fatal(err)
	}
	checkExactly(t, c.texts(), first)

	appendFile(t, path, tt.appended)
	want := tt.want
	if tt.rotate != "" {
		rotateFile(t, path, tt.rotate)
		want = append(slices.Clone(want), "new")
	}
	var logs lockedBuf
	cfg.Complete = tt.complete
	cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	c = start(t, cfg)
	if len(want) > 0 {
		c.waitN(len(want))
	}
	c.idleFor(len(want), 200*time.Millisecond)
	if tt.later != "" {
		appendFile(t, path, tt.later)
		if len(tt.wantLate) > 0 {
			c.waitN(len(want) + len(tt.wantLate))
		}
		time.Sleep(200 * time.Millisecond)
	}
	c.stop()
	checkExactly(t, c.texts(), append(want, tt.wantLate...))
	if tt.warn != "" && !strings.Contains(logs.String(), tt.warn) {
		t.Errorf("log lacks %q:\n%s", tt.warn, logs.String())
	}
	if tt.notWarn != "" && strings.Contains(logs.String(), tt.notWarn) {
		t.Errorf("log has %q:\n%s", tt.notWarn, logs.String())
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if ck, err := loadPosition(testStore(t, cfg.StateDir), path); err != nil || ck == nil || ck.Offset != fi.Size() {
		t.Errorf("checkpoint %+v (%v) after the second run, want offset %d", ck, err, fi.Size())
	}
}

// rotateFile rotates path as logrotate does: "rename" renames it to
// path.1 and creates path anew; "gzip" also compresses path.1 to
// path.1.gz; "copytruncate" copies it to path.1 and truncates it. Either
// way path then holds "new\n".
func rotateFile(t *testing.T, path, how string) {
	t.Helper()
	switch how {
	case "rename", "gzip":
		if err := os.Rename(path, path+".1"); err != nil {
			t.Fatal(err)
		}
		if how == "gzip" {
			gzipAway(t, path+".1")
		}
	case "copytruncate":
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, path+".1", string(data))
	default:
		t.Fatalf("rotate %q", how)
	}
	writeFile(t, path, "new\n")
}

// After a Complete run delivered a last line without its newline, the next
// run never loses a byte and never sends the line's rest as a line of its
// own: a line that only got its newline is not sent again, a continued line
// is sent again whole (with a warning), an unchanged one is not sent again
// by a Complete run and is sent whole by a live follow once completed.
func TestCompleteResumeAfterPartialLine(t *testing.T) {
	for _, tt := range []resumeCase{
		{name: "unchanged, complete", complete: true},
		{name: "newline only", appended: "\n", complete: true},
		{name: "newline only, live", appended: "\n"},
		{name: "continued", appended: "-continued\nnext\n", complete: true,
			want: []string{"par-continued", "next"}, warn: "continued since"},
		{name: "continued without newline, complete", appended: "-more", complete: true,
			want: []string{"par-more"}, warn: "continued since"},
		{name: "unchanged, live, completed later", later: "-late\n",
			wantLate: []string{"par-late"}, warn: "once its newline is written"},
		{name: "continued, renamed", appended: "-continued\nnext\n", complete: true, rotate: "rename",
			want: []string{"par-continued", "next"}, warn: "continued since"},
		{name: "continued, copytruncate", appended: "-continued\nnext\n", complete: true, rotate: "copytruncate",
			want: []string{"par-continued", "next"}, warn: "continued since"},
		{name: "continued, gzipped", appended: "-continued\nnext\n", complete: true, rotate: "gzip",
			want: []string{"par-continued", "next"}, warn: "continued since"},
		{name: "newline only, gzipped", appended: "\n", complete: true, rotate: "gzip"},
		{name: "newline only, renamed", appended: "\n", complete: true, rotate: "rename"},
		{name: "unchanged, renamed", complete: true, rotate: "rename"},
	} {
		t.Run(tt.name, func(t *testing.T) { runResumeCase(t, "a\npar", 0, []string{"a", "par"}, tt) })
	}
}

// A last line continued past MaxLineBytes in a rotated copy is sent whole
// from its start, cut, and the warnings name the copy, where their offsets
// are, not the path (fresh-user trials 106, 107); line_bytes is the line's
// length without its newline, as send gives it.
func TestCompleteResumeCutInRotatedCopy(t *testing.T) {
	line := "par-continued-past-the-limit" // 28 bytes
	for _, tt := range []resumeCase{
		{name: "renamed", appended: line[3:] + "\nnext\n", complete: true, rotate: "rename",
			want: []string{line[:16], "next"}, warn: "app.log.1 line_offset=2 line_bytes=28"},
		{name: "gzipped", appended: line[3:] + "\nnext\n", complete: true, rotate: "gzip",
			want: []string{line[:16], "next"}, warn: "app.log.1.gz line_offset=2 line_bytes=28"},
		// find_line: how to print the cut line whole (fresh-user trial 257: only its offset was given).
		{name: "find_line", appended: line[3:] + "\nnext\n", complete: true, rotate: "rename",
			want: []string{line[:16], "next"}, warn: "app.log.1 | head -n 1 (the line, whole); head -c 2 -- "},
	} {
		t.Run(tt.name, func(t *testing.T) { runResumeCase(t, "a\npar", 16, []string{"a", "par"}, tt) })
	}
}

// A last line longer than MaxLineBytes, delivered cut by a Complete run
// before its newline was written, is never sent again nor its rest as a
// line of its own: whatever of it follows the checkpoint, in this run or
// a later one, is dropped up to its newline, as the reader drops the rest
// of a cut line (fresh-user trial 103 got the rest as a message).
func TestCompleteResumeAfterCutPartialLine(t *testing.T) {
	long := strings.Repeat("x", 40)
	for _, tt := range []resumeCase{
		{name: "unchanged, complete", complete: true},
		{name: "continued", appended: "-continued\nnext\n", complete: true,
			want: []string{"next"}, warn: "dropped the rest of a line longer than max_line_bytes"},
		{name: "continued, live", appended: "-continued\nnext\n",
			want: []string{"next"}, warn: "dropped the rest of a line longer than max_line_bytes"},
		{name: "continued without newline, complete", appended: "-more", complete: true,
			warn: "dropped the rest of a line longer than max_line_bytes"},
		{name: "continued longer than a read, complete", appended: strings.Repeat("y", 100<<10) + "\nnext\n", complete: true,
			want: []string{"next"}, warn: "dropped the rest of a line longer than max_line_bytes"},
		{name: "unchanged, live, completed later", later: "-late\nnext\n",
			wantLate: []string{"next"}, warn: "dropped the rest of a line longer than max_line_bytes"},
		{name: "unchanged, live, continued in parts", later: "-more"},
		{name: "continued, renamed", appended: "-continued\nnext\n", complete: true, rotate: "rename",
			want: []string{"next"}, warn: "dropped the rest of a line longer than max_line_bytes"},
		{name: "continued, renamed, live", appended: "-continued\nnext\n", rotate: "rename",
			want: []string{"next"}, warn: "dropped the rest of a line longer than max_line_bytes"},
		{name: "continued, copytruncate", appended: "-continued\nnext\n", complete: true, rotate: "copytruncate",
			want: []string{"next"}, warn: "dropped the rest of a line longer than max_line_bytes"},
		{name: "unchanged, renamed", complete: true, rotate: "rename"},
		{name: "continued, gzipped", appended: "-continued\nnext\n", complete: true, rotate: "gzip",
			want: []string{"next"}, warn: "dropped the rest of a line longer than max_line_bytes"},
		{name: "continued longer than a read, gzipped", appended: strings.Repeat("y", 100<<10) + "\nnext\n", complete: true, rotate: "gzip",
			want: []string{"next"}, warn: "dropped the rest of a line longer than max_line_bytes"},
		{name: "newline only, gzipped", appended: "\n", complete: true, rotate: "gzip",
			warn: "has got its newline", notWarn: "dropped the rest"},
		// Only the newline is not a rest dropped (fresh-user trial 106:
		// "dropped the rest ... bytes=1").
		{name: "newline only", appended: "\n", complete: true,
			warn: "has got its newline", notWarn: "dropped the rest"},
		{name: "unchanged, live, newline later", later: "\nnext\n",
			wantLate: []string{"next"}, warn: "has got its newline", notWarn: "dropped the rest"},
	} {
		t.Run(tt.name, func(t *testing.T) { runResumeCase(t, "a\n"+long, 16, []string{"a", long[:16]}, tt) })
	}
}

// A last line of exactly MaxLineBytes, delivered whole by a Complete run
// before its newline was written, is a cut line once it goes on: its rest
// is dropped as a longer line's is, not the line sent again, cut to the
// same bytes (fresh-user trial 106 got the same MSG twice at 1,024 bytes
// and not at 1,025).
func TestCompleteResumeAfterLineOfMaxBytes(t *testing.T) {
	line := strings.Repeat("x", 16)
	for _, tt := range []resumeCase{
		{name: "continued", appended: "-continued\nnext\n", complete: true,
			want: []string{"next"}, warn: "dropped the rest of a line longer than max_line_bytes"},
		{name: "continued, live", appended: "-continued\nnext\n",
			want: []string{"next"}, warn: "dropped the rest of a line longer than max_line_bytes"},
		{name: "continued, gzipped", appended: "-continued\nnext\n", complete: true, rotate: "gzip",
			want: []string{"next"}, warn: "dropped the rest of a line longer than max_line_bytes"},
		{name: "newline only", appended: "\nnext\n", complete: true,
			want: []string{"next"}, warn: "has got its newline", notWarn: "dropped the rest"},
		{name: "unchanged, complete", complete: true},
	} {
		t.Run(tt.name, func(t *testing.T) { runResumeCase(t, "a\n"+line, 16, []string{"a", line}, tt) })
	}
}

// A live tailer that starts at the end (StartEnd) of a file whose last line,
// without a newline yet, is longer than MaxLineBytes drops that line's rest
// when it comes, counted in Stats.CutRestBytes, and delivers the lines
// after it.
func TestStartEndInsideCutLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	writeFile(t, path, "a\n"+strings.Repeat("x", 40))
	cfg := testConfig(t, path)
	cfg.StartAt, cfg.MaxLineBytes = StartEnd, 16
	c := start(t, cfg)
	c.idleFor(0, 200*time.Millisecond)
	appendFile(t, path, "-rest\nnew\n")
	c.waitN(1)
	time.Sleep(200 * time.Millisecond)
	c.stop()
	checkExactly(t, c.texts(), []string{"new"})
	if got := c.tl.Stats().CutRestBytes; got != uint64(len("-rest\n")) {
		t.Errorf("CutRestBytes = %d, want %d", got, len("-rest\n"))
	}
}

// A path that exists but cannot be followed ends a Complete tailer with an
// error naming the path and the cause; a live one retries and logs the
// failure once, not at every attempt.
func TestCompleteUnopenablePath(t *testing.T) {
	dir := t.TempDir()
	notDir := filepath.Join(dir, "plain")
	writeFile(t, notDir, "x")
	if err := os.Mkdir(filepath.Join(dir, "adir.log"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path string
		want       string
	}{
		{"directory", filepath.Join(dir, "adir.log"), "adir.log is a directory, not a log file; the path must name the log file (a glob such as "},
		{"parent is a file", filepath.Join(notDir, "app.log"), notDir + " is a file, not a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name+", complete", func(t *testing.T) {
			cfg := testConfig(t, tt.path)
			cfg.Complete = true
			tl, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			err = tl.Run(ctx)
			if err == nil || ctx.Err() != nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.path) {
				t.Fatalf("Run = %v (ctx %v), want an error naming %s and %q", err, ctx.Err(), tt.path, tt.want)
			}
		})
		t.Run(tt.name+", live", func(t *testing.T) {
			var logs lockedBuf
			cfg := testConfig(t, tt.path)
			cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
			c := start(t, cfg)
			waitStats(t, c.tl, "5 attempts", func(s Stats) bool { return s.ReopenFailures >= 5 })
			if err := c.stop(); err != nil {
				t.Fatalf("live Run = %v, want nil after cancel", err)
			}
			if n := strings.Count(logs.String(), "cannot open the file"); n != 1 {
				t.Errorf("%d warnings for %d attempts, want 1:\n%s", n, c.tl.Stats().ReopenFailures, logs.String())
			}
			if !strings.Contains(logs.String(), tt.want) {
				t.Errorf("log lacks %q:\n%s", tt.want, logs.String())
			}
		})
	}
}

// Lines cut to MaxLineBytes are counted, and logged with their offset and
// length once per interval, not once per line.
func TestTruncatedLinesLoggedOncePerInterval(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	long := strings.Repeat("x", 40)
	writeFile(t, path, "ok\n"+long+"\n"+long+"\n"+long+"\n")
	var logs lockedBuf
	cfg := testConfig(t, path)
	cfg.MaxLineBytes = 16
	cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	c := start(t, cfg)
	c.waitN(4)
	c.stop()
	if s := c.tl.Stats(); s.TruncatedLines != 3 {
		t.Errorf("TruncatedLines = %d, want 3", s.TruncatedLines)
	}
	out := logs.String()
	if n := strings.Count(out, "line longer than max_line_bytes"); n != 1 {
		t.Fatalf("%d truncation warnings, want 1:\n%s", n, out)
	}
	if !strings.Contains(out, "file="+path+" line_offset=3 line_bytes=40") {
		t.Errorf("truncation warning lacks the file, offset 3 and length 40 (without the newline):\n%s", out)
	}
}

// CheckpointError reports a checkpoint that cannot be written, naming the
// file, and clears once a write succeeds again. The state directory is
// replaced by a plain file, which stops writes for root too. The failure
// is logged once, with what to do, however often the write is retried
// (every checkpoint interval), and its end once; before, every retry
// logged an error (fresh-user trial 100: 65 lines in 65 s).
func TestCheckpointError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	writeFile(t, path, "a\n")
	cfg := testConfig(t, path)
	logs := new(lockedBuffer)
	cfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
	c := start(t, cfg)
	c.waitN(1)
	waitStats(t, c.tl, "checkpoint", func(s Stats) bool { return s.CheckpointWrites > 0 })
	if err := c.tl.CheckpointError(); err != nil {
		t.Fatalf("CheckpointError = %v before any failure", err)
	}
	moved := cfg.StateDir + ".moved"
	if err := os.Rename(cfg.StateDir, moved); err != nil {
		t.Fatal(err)
	}
	writeFile(t, cfg.StateDir, "not a directory")
	appendFile(t, path, "b\n")
	c.waitN(2)
	waitStats(t, c.tl, "retried checkpoint errors", func(s Stats) bool { return s.CheckpointErrors >= 5 })
	err := c.tl.CheckpointError()
	if err == nil || !strings.Contains(err.Error(), checkpointFile(t, cfg.StateDir, path)) {
		t.Fatalf("CheckpointError = %v, want an error naming %s", err, checkpointFile(t, cfg.StateDir, path))
	}
	if err := os.Remove(cfg.StateDir); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(moved, cfg.StateDir); err != nil {
		t.Fatal(err)
	}
	waitStats(t, c.tl, "the error to clear", func(Stats) bool { return c.tl.CheckpointError() == nil })
	c.stop()
	out := logs.String()
	// A write between the test's Remove and Rename back fails for another
	// cause (no directory at all), which is logged as such: only the
	// writes that met the file are of one cause.
	var ofFile, other int
	for _, l := range strings.Split(out, "\n") {
		switch {
		case !strings.Contains(l, "checkpoint not saved"):
		case strings.Contains(l, "not a directory"):
			ofFile++
		case strings.Contains(l, "no such file or directory"):
			other++
		default:
			t.Errorf("a checkpoint error of an unexpected cause: %s", l)
		}
	}
	if ofFile != 1 || other > 1 {
		t.Errorf("%d errors logged for %d failed writes of one cause (and %d for the moment the state directory was missing), want 1 (and at most 1):\n%s", ofFile, c.tl.Stats().CheckpointErrors, other, out)
	}
	if !strings.Contains(out, "hint=\"make state_dir a writable directory") {
		t.Errorf("the error says nothing of what to do:\n%s", out)
	}
	if n := strings.Count(out, "checkpoint saved again"); n != 1 {
		t.Errorf("the recovery logged %d times, want 1:\n%s", n, out)
	}
}

// A gzip-compressed rotated copy cut short is delivered up to its last
// whole line: the line the cut falls in is not delivered as a line, and a
// warning says where the readable data ended (fresh-user trial 110 got
// half a line sent raw).
func TestRotatedGzipCopyCutShort(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	writeFile(t, path, numbered("a", 0, 3))
	cfg := testConfig(t, path)
	cfg.Complete = true
	c := start(t, cfg)
	c.waitN(3)
	c.stop()
	appendFile(t, path, numbered("b", 0, 5000))
	rotateFile(t, path, "gzip") // path.1.gz, and "new" at path
	gz := path + ".1.gz"
	fi, err := os.Stat(gz)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(gz, fi.Size()/2); err != nil {
		t.Fatal(err)
	}
	var logs lockedBuf
	cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	c = start(t, cfg)
	c.waitFor(`"new"`, func(l []string) bool { return slices.Contains(l, "new") })
	c.stop()
	whole := map[string]bool{"new": true}
	for _, l := range linesOf(numbered("b", 0, 5000)) {
		whole[l] = true
	}
	got := c.texts()
	for _, l := range got {
		if !whole[l] {
			t.Errorf("delivered %q, not a whole line", l)
		}
	}
	if len(got) < 2 || !strings.Contains(logs.String(), "the line the failure falls in is not sent") {
		t.Errorf("delivered %d lines; log:\n%s", len(got), logs.String())
	}
	if n := c.tl.Stats().DamagedCopies; n != 1 {
		t.Errorf("Stats().DamagedCopies = %d, want 1", n)
	}
}
