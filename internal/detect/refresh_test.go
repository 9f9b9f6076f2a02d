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
