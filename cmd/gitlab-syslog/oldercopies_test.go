package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFirstStartOlderCopies: at its first start with a file (no
// checkpoint), run says which rotated copies beside it it does not read,
// and the send command that sends them, oldest first; a later start, from
// the checkpoint, says nothing (fresh-user trial 144, item 9: the copies
// were skipped silently).
func TestFirstStartOlderCopies(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile(filepath.Join(samples, "audit_json.log"))
	if err != nil {
		t.Fatal(err)
	}
	log := writeFile(t, filepath.Join(dir, "l", "audit_json.log"), string(data))
	one := writeFile(t, log+".1", string(data))
	gz, err := gzipBytes(data)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, log+".2.gz", string(gz))
	cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+filepath.Join(dir, "st")+"\nforward: {url: stdout}\ndetections: {enabled: false}\nsources:\n"+
		"  - {type: audit, path: "+log+"}\n")
	older := func() []map[string]any {
		r := runCmd(t, "--config", cfg, "--once")
		if r.err != nil {
			t.Fatalf("run --once: %v\n%s", r.err, r.stderr)
		}
		var got []map[string]any
		for _, l := range r.logs {
			if strings.HasPrefix(l["msg"].(string), "rotated copies older than this first start are not read") {
				got = append(got, l)
			}
		}
		return got
	}
	got := older()
	if len(got) != 1 {
		t.Fatalf("first start: %d notes of older copies, want 1", len(got))
	}
	if c := got[0]["copies"]; c != one+", "+log+".2.gz" {
		t.Errorf("copies %q", c)
	}
	if s, _ := got[0]["send"].(string); !strings.HasPrefix(s, "gitlab-syslog send --type audit --to URL -- "+log+".2.gz "+one+" ") {
		t.Errorf("send %q: want the copies oldest first", s)
	}
	if got := older(); len(got) != 0 {
		t.Errorf("a start from the checkpoint: %v, want no note", got)
	}
}
