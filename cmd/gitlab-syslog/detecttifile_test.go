package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDetectRerunNotesChangedTIFile: with a kept --state-dir, an
// indicator file changed in place (same path, other addresses) is a
// change of sentinel.ti_malicious_ip's parameters, noted as a new path
// is: the lines earlier runs folded were matched against the old
// indicators only (fresh-user trial 238: no note, and the new
// indicators' hits in those lines silently never reported). The same
// contents give no note, and a record of an earlier release, which has
// the path only, is taken as the same.
func TestDetectRerunNotesChangedTIFile(t *testing.T) {
	access := filepath.Join("..", "..", "testdata", "gitlab_access.log")
	dir := t.TempDir()
	ti := writeFile(t, filepath.Join(dir, "feed.txt"), "198.51.100.77\n")
	params := []string{"ti_file=" + ti}
	state := t.TempDir()
	if alerts, summary := detectState(t, state, params, []string{access}); len(alerts) != 1 {
		t.Fatalf("first run: %d alerts, want 1\n%s", len(alerts), summary)
	}
	if _, summary := detectState(t, state, params, []string{access}); strings.Contains(summary, "NOTE: rule") {
		t.Errorf("same indicator file: a note in:\n%s", summary)
	}
	writeFile(t, ti, "198.51.100.78\n")
	_, summary := detectState(t, state, params, []string{access})
	want := "detect: NOTE: rule sentinel.ti_malicious_ip ran with other parameters when earlier runs with --state-dir " + state + " folded their lines (ti_file=" + ti + " (contents "
	if !strings.Contains(summary, want) || !strings.Contains(summary, "; now ti_file="+ti+" (contents ") {
		t.Errorf("indicator file changed in place: want %q in:\n%s", want, summary)
	}

	// A record without the contents, as an earlier release wrote it.
	record := filepath.Join(state, foldedParamsFile)
	if err := os.WriteFile(record, []byte("sentinel.ti_malicious_ip\tti_file="+ti+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, summary := detectState(t, state, params, []string{access}); strings.Contains(summary, "NOTE: rule") {
		t.Errorf("a record of the path only: a note in:\n%s", summary)
	}
}
