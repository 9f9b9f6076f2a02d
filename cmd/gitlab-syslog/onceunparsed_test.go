package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOnceUnnamedUnparsed: the parse warnings of run are paced (one per
// 10 s per file), so --once ends, for a file with more lines that did not
// parse than its warnings named, with one warning saying how many and the
// command that lists them all; that command lists every one (fresh-user
// trial 146: only the first was named, and nothing said how to find the
// rest). A file with one such line gets none.
func TestOnceUnnamedUnparsed(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile(filepath.Join(samples, "audit_json.log"))
	if err != nil {
		t.Fatal(err)
	}
	var junk strings.Builder
	for i := range 30 {
		junk.WriteString("not a GitLab line " + strings.Repeat("x", i) + "\n")
	}
	many := writeFile(t, filepath.Join(dir, "l", "many.log"), junk.String()+string(data))
	one := writeFile(t, filepath.Join(dir, "l", "one.log"), "not a GitLab line\n"+string(data))
	cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+filepath.Join(dir, "st")+"\nforward: {url: stdout}\ndetections: {enabled: false}\nsources:\n"+
		"  - {type: audit, path: "+many+"}\n  - {type: audit, path: "+one+"}\n")

	r := runCmd(t, "--config", cfg, "--once")
	if r.err != nil {
		t.Fatalf("run --once: %v\n%s", r.err, r.stderr)
	}
	var got []map[string]any
	for _, l := range r.logs {
		if strings.HasPrefix(l["msg"].(string), "--once: the warnings above name only some") {
			got = append(got, l)
		}
	}
	if len(got) != 1 || got[0]["file"] != many {
		t.Fatalf("warnings of lines not named: %v, want one, for %s", got, many)
	}
	if raw, named := got[0]["unparsed_sent_raw"], got[0]["named_above"]; raw != float64(30) || named != float64(1) {
		t.Errorf("unparsed_sent_raw %v, named_above %v; want 30 and 1", raw, named)
	}
	list, _ := got[0]["list_them"].(string)
	want := "gitlab-syslog parse --type audit -- " + many + ` | grep '^{"_error"'`
	if !strings.HasPrefix(list, want) {
		t.Fatalf("list_them %q, want it to begin %q", list, want)
	}
	out, _, err := runParse(t, nil, "--type", "audit", "--", many)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, `{"_error"`) {
			n++
		}
	}
	if n != 30 {
		t.Errorf("the command lists %d lines, want the 30 that did not parse", n)
	}
}
