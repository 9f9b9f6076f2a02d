package detect

import (
	"os"
	"path/filepath"
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
	path := filepath.Join(t.TempDir(), "ti.txt")
	if err := os.WriteFile(path, []byte("198.51.100.7\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	e, err := New(Config{Only: []string{"sentinel.ti_malicious_ip"}, Params: map[string]string{"ti_file": path},
		Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	var rec parser.Record
	line := `192.0.2.1 - - [05/Mar/2025:14:00:01 +0000] "GET / HTTP/1.1" 200 10 "" "curl/8" -`
	if err := parser.New(parser.TypeAccess).Parse([]byte(line), &rec); err != nil {
		t.Fatal(err)
	}
	e.Refresh() // the first look: the file is unchanged
	if e.Want(parser.TypeAccess, &rec) {
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
	if e.Want(parser.TypeAccess, &rec) {
		t.Error("the file was reread before tiCheckEvery passed")
	}
	now = now.Add(tiCheckEvery)
	if e.Want(parser.TypeAccess, &rec) {
		t.Fatal("the address was wanted before Refresh: the test cannot show Refresh's effect")
	}
	e.Refresh()
	if !e.Want(parser.TypeAccess, &rec) {
		t.Error("after Refresh, a line of an address the changed file lists is not wanted")
	}
}
