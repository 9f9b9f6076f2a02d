package detect

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// TestRefreshRereadsTIFile: an address added to the indicator file is
// wanted after Engine.Refresh once tiCheckEvery passed on the wall clock,
// with no event processed in between. Without Refresh the lines of the new
// address are declined by the rule's filter, so nothing moved the rule to
// reread the file and they were missed until an unrelated event moved the
// watermark (found by a fresh-user trial: 97 s on a quiet instance).
func TestRefreshRereadsTIFile(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var logs bytes.Buffer
	e, path, rec := refreshFixture(t, "198.51.100.7\n", &now, &logs)
	e.Refresh() // the first look: the file is unchanged
	if e.Want(parser.TypeAccess, rec) {
		t.Fatal("an address the file does not list is wanted")
	}
	if err := os.WriteFile(path, []byte("198.51.100.7\n192.0.2.0/24\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
	e.Refresh() // too early: the last look was less than tiCheckEvery ago
	if e.Want(parser.TypeAccess, rec) {
		t.Error("the file was reread before tiCheckEvery passed")
	}
	now = now.Add(tiCheckEvery)
	if e.Want(parser.TypeAccess, rec) {
		t.Fatal("the address was wanted before Refresh: the test cannot show Refresh's effect")
	}
	e.Refresh()
	if !e.Want(parser.TypeAccess, rec) {
		t.Error("after Refresh, a line of an address the changed file lists is not wanted")
	}
}

// TestRefreshTIFileGone: a TI file deleted while the agent runs leaves
// the loaded indicators in use, and says so once (before, nothing was
// logged); once the file is back it is read again.
func TestRefreshTIFileGone(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var logs bytes.Buffer
	e, path, rec := refreshFixture(t, "192.0.2.0/24\n", &now, &logs)
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		now = now.Add(tiCheckEvery)
		e.Refresh()
	}
	if got := strings.Count(logs.String(), "threat-intelligence file cannot be read"); got != 1 {
		t.Errorf("the deleted file was logged %d times, want once:\n%s", got, logs.String())
	}
	if !e.Want(parser.TypeAccess, rec) {
		t.Error("the indicators loaded were dropped with the file")
	}
	if err := os.WriteFile(path, []byte("198.51.100.7\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	now = now.Add(tiCheckEvery)
	e.Refresh()
	if e.Want(parser.TypeAccess, rec) {
		t.Error("the file written again was not read")
	}
}

// refreshFixture is an engine running only the TI rule over a file first
// holding indicators, on the clock *now, logging to logs; and the record
// of an access line from 192.0.2.1.
func refreshFixture(t *testing.T, indicators string, now *time.Time, logs *bytes.Buffer) (e *Engine, path string, rec *parser.Record) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "ti.txt")
	if err := os.WriteFile(path, []byte(indicators), 0o600); err != nil {
		t.Fatal(err)
	}
	e, err := New(Config{Only: []string{"sentinel.ti_malicious_ip"}, Params: map[string]string{"ti_file": path},
		Now: func() time.Time { return *now }, Log: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	rec = new(parser.Record)
	line := `192.0.2.1 - - [05/Mar/2025:14:00:01 +0000] "GET / HTTP/1.1" 200 10 "" "curl/8" -`
	if err := parser.New(parser.TypeAccess).Parse([]byte(line), rec); err != nil {
		t.Fatal(err)
	}
	return e, path, rec
}

// TestRefreshTIFileSameStamp: an indicator file replaced by one of the
// same size that carries the old modification time is read again by
// Refresh: rewritten in place and its time set back (cp -p), or another
// file with the old time renamed over it. Told apart by size and
// modification time only, neither was seen until a SIGHUP.
func TestRefreshTIFileSameStamp(t *testing.T) {
	const before, after = "198.51.100.7\n", "192.0.2.0/24\n" // the same size
	for _, tc := range []struct {
		name    string
		replace func(t *testing.T, path string)
	}{
		{"rewritten in place, time kept (cp -p)", func(t *testing.T, path string) {
			if err := os.WriteFile(path, []byte(after), 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{"renamed over, old time carried", func(t *testing.T, path string) {
			tmp := path + ".new"
			if err := os.WriteFile(tmp, []byte(after), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(tmp, path); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			var logs bytes.Buffer
			e, path, rec := refreshFixture(t, before, &now, &logs)
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			// The change time has the kernel's tick as resolution: let one
			// pass, as it does between two runs of a feed job.
			time.Sleep(50 * time.Millisecond)
			tc.replace(t, path)
			if err := os.Chtimes(path, fi.ModTime(), fi.ModTime()); err != nil {
				t.Fatal(err)
			}
			if fi2, err := os.Stat(path); err != nil || fi2.Size() != fi.Size() || !fi2.ModTime().Equal(fi.ModTime()) {
				t.Fatalf("the new file's size and time differ: the test shows nothing (%v)", err)
			}
			now = now.Add(tiCheckEvery)
			e.Refresh()
			if !e.Want(parser.TypeAccess, rec) {
				t.Errorf("after Refresh, the replaced file (same size and modification time) was not read:\n%s", logs.String())
			}
		})
	}
}

// TestRefreshTIFileMalformed: an indicator file rewritten with nothing
// usable (UTF-16, a CSV feed whose lines are no indicator) while the agent
// runs leaves the indicators loaded in use, with one error naming the file
// and the cause, however often the rule looks; fixed, it is read again.
func TestRefreshTIFileMalformed(t *testing.T) {
	for _, tc := range []struct{ name, file, cause string }{
		{"UTF-16", "\xff\xfe1\x009\x002\x00.\x000\x00.\x002\x00.\x001\x00\n\x00", "UTF-16LE"},
		{"CSV", "ip,first_seen\n192.0.2.1,2026-01-01\n", "none of its lines"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			var logs bytes.Buffer
			e, path, rec := refreshFixture(t, "192.0.2.0/24\n", &now, &logs)
			if err := os.WriteFile(path, []byte(tc.file), 0o600); err != nil {
				t.Fatal(err)
			}
			later := time.Now().Add(time.Minute)
			if err := os.Chtimes(path, later, later); err != nil {
				t.Fatal(err)
			}
			for range 3 {
				now = now.Add(tiCheckEvery)
				e.Refresh()
			}
			if !e.Want(parser.TypeAccess, rec) {
				t.Error("the indicators loaded were dropped for a malformed file")
			}
			errs := strings.Count(logs.String(), "level=ERROR")
			if errs != 1 || !strings.Contains(logs.String(), "file="+path+" ") || !strings.Contains(logs.String(), tc.cause) {
				t.Errorf("%d errors logged, want one naming %s and %q:\n%s", errs, path, tc.cause, logs.String())
			}
			if err := os.WriteFile(path, []byte("198.51.100.7\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			now = now.Add(tiCheckEvery)
			e.Refresh()
			if e.Want(parser.TypeAccess, rec) {
				t.Error("the fixed file was not read")
			}
		})
	}
}

// TestKeepDataTIFileMissing: an engine built for a running agent
// (Config.Running, a SIGHUP) whose ti_file is missing is no error: with
// KeepData it keeps the indicators of the engine it replaces, logs one
// error naming the file, and reads the file once it is back. Built
// without Running (check, detect), the same configuration is refused.
func TestKeepDataTIFileMissing(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var logs bytes.Buffer
	old, path, rec := refreshFixture(t, "192.0.2.0/24\n", &now, &logs)
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	cfg := Config{Only: []string{"sentinel.ti_malicious_ip"}, Params: map[string]string{"ti_file": path},
		Now: func() time.Time { return now }, Log: slog.New(slog.NewTextHandler(&logs, nil))}
	if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("at start, a missing ti_file: %v, want an error naming it", err)
	}
	logs.Reset()
	cfg.Running = true
	e, err := New(cfg)
	if err != nil {
		t.Fatalf("reload with the ti_file missing: %v", err)
	}
	e.KeepData(old)
	for range 3 {
		now = now.Add(tiCheckEvery)
		e.Refresh()
	}
	if !e.Want(parser.TypeAccess, rec) {
		t.Error("the running indicators were not kept")
	}
	if n := strings.Count(logs.String(), "level=ERROR"); n != 1 || !strings.Contains(logs.String(), "file="+path+" ") ||
		!strings.Contains(logs.String(), "no such file") || !strings.Contains(logs.String(), "indicators=1 ") {
		t.Errorf("%d errors logged, want one naming the file, the cause and the indicators kept:\n%s", n, logs.String())
	}
	if err := os.WriteFile(path, []byte("198.51.100.7\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	now = now.Add(tiCheckEvery)
	e.Refresh()
	if e.Want(parser.TypeAccess, rec) {
		t.Error("the file written again was not read")
	}
}

// TestKeepDataTIFileElsewhere: a SIGHUP that sets ti_file to a file
// that is missing, or holds nothing usable, keeps the indicators of the
// engine it replaces, and the one error says where they were read from
// (indicators_from) when that is not the new ti_file; for the same
// ti_file, now missing, it does not. The error used to name only the new
// file next to indicators=N.
func TestKeepDataTIFileElsewhere(t *testing.T) {
	for _, tc := range []struct {
		name    string
		newFile func(t *testing.T, old string) string // the reload's ti_file
		moved   bool
	}{
		{"same ti_file removed", func(t *testing.T, old string) string {
			if err := os.Remove(old); err != nil {
				t.Fatal(err)
			}
			return old
		}, false},
		{"ti_file set to a missing file", func(t *testing.T, _ string) string {
			return filepath.Join(t.TempDir(), "missing.txt")
		}, true},
		{"ti_file set to a file with no indicator", func(t *testing.T, _ string) string {
			p := filepath.Join(t.TempDir(), "feed.csv")
			if err := os.WriteFile(p, []byte("ip,seen\nnot an address,1\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			return p
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			var logs bytes.Buffer
			old, oldPath, rec := refreshFixture(t, "192.0.2.0/24\n", &now, &logs)
			path := tc.newFile(t, oldPath)
			logs.Reset()
			e, err := New(Config{Only: []string{"sentinel.ti_malicious_ip"}, Params: map[string]string{"ti_file": path}, Running: true,
				Now: func() time.Time { return now }, Log: slog.New(slog.NewTextHandler(&logs, nil))})
			if err != nil {
				t.Fatal(err)
			}
			e.KeepData(old)
			if !e.Want(parser.TypeAccess, rec) {
				t.Error("the running indicators were not kept")
			}
			got := logs.String()
			from := "indicators_from=" + oldPath + " "
			if strings.Count(got, "level=ERROR") != 1 || !strings.Contains(got, "file="+path+" ") || !strings.Contains(got, "indicators=1 ") ||
				strings.Contains(got, from) != tc.moved || strings.Contains(got, "read from "+oldPath) != tc.moved ||
				!strings.Contains(got, "enabled: false") {
				t.Errorf("want one error naming %s, indicators=1, the file they were read from (%v) and enabled: false:\n%s", path, tc.moved, got)
			}
		})
	}
}

// TestKeepDataTIFileMissingAfterRestore: an engine that restores a saved
// state (whose watermark makes it advance its rules, and the TI rule look
// at its file, while New builds it) and whose new ti_file is missing
// logs one error, once KeepData gave it the indicators of the engine it
// replaces: that it keeps them, read from the old file. Before (trial
// 227), the look at the file while restoring logged that the rule ran
// with no indicators, and the reload's log credited the kept ones to the
// missing file.
func TestKeepDataTIFileMissingAfterRestore(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var logs bytes.Buffer
	dir := t.TempDir()
	oldPath := filepath.Join(dir, "ti.txt")
	if err := os.WriteFile(oldPath, []byte("192.0.2.0/24\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := Config{Only: []string{"sentinel.ti_malicious_ip"}, Params: map[string]string{"ti_file": oldPath}, Running: true,
		StateDir: filepath.Join(dir, "state"), Now: func() time.Time { return now }, Log: slog.New(slog.NewTextHandler(&logs, nil))}
	old, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	old.KeepData(nil)
	rec := tiRecord(t)
	old.Process(NewEvent(rec, []byte("line"), "gitlab_access.log", OriginFile))
	if err := old.Save(); err != nil {
		t.Fatal(err)
	}
	logs.Reset()
	missing := filepath.Join(dir, "missing.txt")
	cfg.Params = map[string]string{"ti_file": missing}
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	e.KeepData(old)
	if !e.Want(parser.TypeAccess, rec) {
		t.Error("the running indicators were not kept")
	}
	got := logs.String()
	if strings.Count(got, "level=ERROR") != 1 || strings.Contains(got, "runs with no indicators") ||
		!strings.Contains(got, "keeps the indicators it had, read from "+oldPath) || !strings.Contains(got, "indicators=1 ") {
		t.Errorf("want one error saying the rule keeps the indicator read from %s:\n%s", oldPath, got)
	}
	if f := e.Files()["sentinel.ti_malicious_ip"]; f.File != missing || f.Entries != 1 || f.From != oldPath {
		t.Errorf("Files = %+v, want file %s, 1 entry, from %s", f, missing, oldPath)
	}
}

// TestTIFileReportState: the TI rule's FileReport gives the metrics what
// an administrator alerts on: the indicators in use, whether the file as
// last looked at gave any (Usable), and the modification time of the file
// they came from. A file deleted while running keeps its indicators and
// their time, and is no longer usable (fresh-user trial 259: a missing or
// stale feed showed only in one log line).
func TestTIFileReportState(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var logs bytes.Buffer
	e, path, _ := refreshFixture(t, "192.0.2.0/24\n198.51.100.7\n", &now, &logs)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	rep := e.Files()["sentinel.ti_malicious_ip"]
	if rep.Entries != 2 || !rep.Usable || !rep.Modified.Equal(fi.ModTime()) {
		t.Errorf("loaded: entries %d, usable %v, modified %v; want 2, true, %v", rep.Entries, rep.Usable, rep.Modified, fi.ModTime())
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		now = now.Add(tiCheckEvery)
		e.Refresh()
	}
	rep = e.Files()["sentinel.ti_malicious_ip"]
	if rep.Entries != 2 || rep.Usable || !rep.Modified.Equal(fi.ModTime()) {
		t.Errorf("deleted: entries %d, usable %v, modified %v; want 2 kept, false, %v", rep.Entries, rep.Usable, rep.Modified, fi.ModTime())
	}
}
