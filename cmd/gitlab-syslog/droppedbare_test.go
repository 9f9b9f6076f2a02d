package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunWarnsBareLinesDropped: a container source without type whose
// records hold GitLab's lines not wrapped by gitlab-logger drops every
// line (a source without type takes the type from gitlab-logger's
// subcomponent); run says so once, naming the file and the type to give,
// where it logged only an INFO count before (fresh-user trial 76). A
// source of that type sends them.
func TestRunWarnsBareLinesDropped(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile(filepath.Join(samples, "audit_json.log"))
	if err != nil {
		t.Fatal(err)
	}
	var cri strings.Builder
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		cri.WriteString("2026-12-01T10:00:00.000000000Z stdout F " + l + "\n")
	}
	pod := writeFile(t, filepath.Join(dir, "pod.log"), cri.String())
	const msg = "the file's first lines are audit lines not wrapped by gitlab-logger: the source, without type, drops them"
	for _, tc := range []struct {
		typ   string
		warns int
	}{{"", 1}, {"audit", 0}} {
		src := "{path: " + pod + ", format: cri}"
		if tc.typ != "" {
			src = "{type: " + tc.typ + ", path: " + pod + ", format: cri}"
		}
		cfg := writeFile(t, filepath.Join(dir, "c"+tc.typ+".yaml"), "state_dir: "+filepath.Join(dir, "st"+tc.typ)+
			"\nforward: {url: stdout}\ndetections: {enabled: false}\nsources:\n  - "+src+"\n")
		r := runCmd(t, "--config", cfg, "--once")
		recs := r.records(msg)
		if len(recs) != tc.warns || tc.warns == 1 && (recs[0]["file"] != pod || !strings.Contains(recs[0]["hint"].(string), "type: audit")) {
			t.Errorf("type %q: %d WARN %q, want %d naming %s and type: audit:\n%s", tc.typ, len(recs), msg, tc.warns, pod, r.stderr)
		}
	}
}
