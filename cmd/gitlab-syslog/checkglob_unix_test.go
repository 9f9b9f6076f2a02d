//go:build unix

package main

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestCheckGlobNamedPipe: a named pipe a glob matches is listed as not
// followed, as run logs it (fresh-user trial 65: counted as a file).
func TestCheckGlobNamedPipe(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "p")
	writeFile(t, filepath.Join(p, "a_audit.log"), "")
	if err := syscall.Mkfifo(filepath.Join(p, "e_audit.log"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+filepath.Join(dir, "s")+"\nsources:\n  - type: audit\n    path: "+filepath.Join(p, "*_audit.log")+"\n")
	out, err := execute(t, "check", "--config", cfg, "--to", "stdout://")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if want := "glob: 2 files match now, 1 not followed by run (" + p + "/e_audit.log: not a regular file: a named pipe (FIFO)); new ones"; !strings.Contains(out, want) {
		t.Errorf("no %q in:\n%s", want, out)
	}
}
