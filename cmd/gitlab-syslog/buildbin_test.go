package main

import (
	"os/exec"
	"path/filepath"
	"testing"
)

// buildBinary builds the command into dir and returns the binary's path,
// for tests that run it as a process of its own (signals, resource limits,
// exit codes).
func buildBinary(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "gitlab-syslog")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}
