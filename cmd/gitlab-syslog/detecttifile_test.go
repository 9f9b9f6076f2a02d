package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDetectRerunNotesChangedTIFile: with a kept --state-dir, an
// indicator file changed in place (same path, other addresses) is a
// change of sentinel.ti_malicious_ip's parameters, noted as a new path
// is: the lines earlier runs folded were matched against the old
// indicators only (fresh-user trial 238: no note, and the new
// indicators' hits in those lines silently never reported). The same
// contents give no note, also by another path to the file, and a record
// of an earlier release, which has the path only, is taken as the same.
func TestDetectRerunNotesChangedTIFile(t *testing.T) {
	access := filepath.Join("..", "..", "testdata", "gitlab_access.log")
	dir := t.TempDir()
	ti := writeFile(t, filepath.Join(dir, "feed.txt"), "198.51.100.77\n")
	params := []string{"ti_file=" + ti}
	state := t.TempDir()
	if alerts, summary := detectState(t, state, params, []string{access}); len(alerts) != 1 {
		t.Fatalf("first run: %d alerts, want 1\n%s", len(alerts), summary)
	}
	if _, summary := detectState(t, state, params, []string{access}); strings.Contains(summary, "ran with other parameters") {
		t.Errorf("same indicator file: a note in:\n%s", summary)
	}
	// The same file by another path: the same contents (trial 241).
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(wd, ti)
	if err != nil {
		t.Fatal(err)
	}
	if _, summary := detectState(t, state, []string{"ti_file=" + rel}, []string{access}); strings.Contains(summary, "ran with other parameters") {
		t.Errorf("the same file by a relative path: a note in:\n%s", summary)
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
	if _, summary := detectState(t, state, params, []string{access}); strings.Contains(summary, "ran with other parameters") {
		t.Errorf("a record of the path only: a note in:\n%s", summary)
	}
}

// TestDetectRerunNotesChangedCityDB: with a kept --state-dir, the GeoIP
// database of the --config file (geoip.city_db), which the GeoIP rules
// read without their geoip_db parameter, is recorded with its contents
// too: a database replaced in place is noted as changed (fresh-user trial
// 241: only --param geoip_db was).
func TestDetectRerunNotesChangedCityDB(t *testing.T) {
	golden := filepath.Join("..", "..", "testdata", "detections", "sentinel.signin_burst")
	src, err := os.ReadFile(filepath.Join("..", "..", "testdata", "geoip", "GeoIP2-City-Test.mmdb"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	city := filepath.Join(dir, "city.mmdb")
	if err := os.WriteFile(city, src, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := writeFile(t, filepath.Join(dir, "config.yaml"), "geoip:\n  city_db: "+city+"\n")
	state := t.TempDir()
	run := func() string {
		o := keptDirOptions("sentinel.signin_burst", state)
		o.config = cfg
		_, summary := detectWith(t, o, filepath.Join(golden, "application_json.log"))
		return summary
	}
	run()
	if summary := run(); strings.Contains(summary, "ran with other parameters") {
		t.Errorf("same database: a note in:\n%s", summary)
	}
	// The same database as --param geoip_db, without the config (trial 242).
	o := keptDirOptions("sentinel.signin_burst", state)
	o.params = []string{"geoip_db=" + city}
	if _, summary := detectWith(t, o, filepath.Join(golden, "application_json.log")); strings.Contains(summary, "ran with other parameters") {
		t.Errorf("the same database as geoip_db: a note in:\n%s", summary)
	}
	if err := os.WriteFile(city, append(src, 0), 0o644); err != nil { // still a database that opens
		t.Fatal(err)
	}
	want := "detect: NOTE: rule sentinel.signin_burst ran with other parameters when earlier runs with --state-dir " + state + " folded their lines (geoip.city_db=" + city + " (contents "
	if summary := run(); !strings.Contains(summary, want) {
		t.Errorf("database changed in place: want %q in:\n%s", want, summary)
	}

	// A record of an earlier release, which did not record geoip.city_db:
	// its path is unknown, so no note (the rule ran, so it had one).
	rec := filepath.Join(state, foldedParamsFile)
	b, err := os.ReadFile(rec)
	if err != nil {
		t.Fatal(err)
	}
	old := regexp.MustCompile(`\tgeoip\.city_db=[^\t\n]*`).ReplaceAll(b, nil)
	if bytes.Equal(old, b) {
		t.Fatalf("no geoip.city_db item in %s:\n%s", rec, b)
	}
	if err := os.WriteFile(rec, old, 0o644); err != nil {
		t.Fatal(err)
	}
	if summary := run(); strings.Contains(summary, "ran with other parameters") {
		t.Errorf("a record without the config's database (an earlier release's): a note in:\n%s", summary)
	}
}
