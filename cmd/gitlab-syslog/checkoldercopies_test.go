package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckOlderCopies: check's row of a source whose file has rotated
// copies beside it and no checkpoint yet says that run's first start does
// not read them, names them and gives the send command run logs for them,
// oldest first, also while the file is not there yet (run names them once
// it appears: fresh-user trial 285); once run has a checkpoint for the
// file, or when there is no copy, it says nothing of copies (fresh-user
// trial 280: check did not list the copies a first start leaves).
func TestCheckOlderCopies(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(samples, "audit_json.log"))
	if err != nil {
		t.Fatal(err)
	}
	gz, err := gzipBytes(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name       string
		copies     bool // audit_json.log.1 and .2.gz beside the file
		checkpoint bool // run --once before check
		want       string
	}{
		{"copies at a first start", true, false, "; first start (no checkpoint yet): 2 rotated copies beside it (LOG.1, LOG.2.gz) are not read, their lines being older than the start; to send them once: gitlab-syslog send --type audit --to URL -- LOG.2.gz LOG.1 (oldest first; URL and the TLS flags as forward has them)\n"},
		{"copies after a checkpoint", true, true, ""},
		{"no copy", false, false, ""},
		{"copies before the file is there", true, false, "; first start (no checkpoint yet): 2 rotated copies beside it (LOG.1, LOG.2.gz) are not read, their lines being older than the start; to send them once: gitlab-syslog send --type audit --to URL -- LOG.2.gz LOG.1 (oldest first; URL and the TLS flags as forward has them)\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			log := writeFile(t, filepath.Join(dir, "l", "audit_json.log"), string(data))
			if tc.copies {
				writeFile(t, log+".1", string(data))
				writeFile(t, log+".2.gz", string(gz))
			}
			if strings.HasSuffix(tc.name, "before the file is there") { // run waits for it; the copies predate it
				if err := os.Remove(log); err != nil {
					t.Fatal(err)
				}
			}
			cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+filepath.Join(dir, "st")+"\nforward: {url: stdout}\ndetections: {enabled: false}\nsources:\n"+
				"  - {type: audit, path: "+log+"}\n")
			if tc.checkpoint {
				if r := runCmd(t, "--config", cfg, "--once"); r.err != nil {
					t.Fatalf("run --once: %v\n%s", r.err, r.stderr)
				}
			}
			out, err := execute(t, "check", "--config", cfg)
			if err != nil {
				t.Fatalf("check: %v\n%s", err, out)
			}
			var row string
			for line := range strings.SplitSeq(out, "\n") {
				if strings.Contains(line, " "+log+" ") {
					row = line
				}
			}
			want := strings.ReplaceAll(tc.want, "LOG", log)
			if i := strings.Index(row, "; first start"); want == "" && i >= 0 || want != "" && (i < 0 || row[i:]+"\n" != want) {
				t.Errorf("check's row of the source:\n%s\nwant it to end with:\n%s", row, want)
			}
		})
	}
}

// TestCheckDatedCopyNotMistyped: a source whose file is not there yet,
// with a dated rotated copy beside it (logrotate's dateext,
// audit_json.log-20240101), gets the note of the copy a first start does
// not read, not "did you mean" that copy as a mistyped path (fresh-user
// trial 286: both on one row).
func TestCheckDatedCopyNotMistyped(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "l", "audit_json.log")
	writeFile(t, log+"-20240101", "{}\n")
	cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+filepath.Join(dir, "st")+"\nforward: {url: stdout}\ndetections: {enabled: false}\nsources:\n"+
		"  - {type: audit, path: "+log+"}\n")
	out, err := execute(t, "check", "--config", cfg)
	if err != nil {
		t.Fatalf("check: %v\n%s", err, out)
	}
	if strings.Contains(out, "did you mean") || !strings.Contains(out, "1 rotated copy beside it ("+log+"-20240101)") {
		t.Errorf("check's row of the source:\n%s\nwant the copy's note and no \"did you mean\"", out)
	}
}
