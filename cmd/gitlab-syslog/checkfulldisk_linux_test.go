package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/fulldisk"
)

// TestCheckStateDirFull: a state_dir on a full file system is a problem
// of check, as run's probe (which writes and syncs a line) refuses it.
// Before, check created an empty file, which a full tmpfs allows, called
// the directory writable and said valid; run then refused to start
// (fresh-user trial 259).
func TestCheckStateDirFull(t *testing.T) {
	state := fulldisk.Mount(t, "256k")
	fulldisk.Fill(t, filepath.Join(state, "filler"), 0)
	cfg := writeFile(t, filepath.Join(t.TempDir(), "config.yaml"), "state_dir: "+state+"\nforward: {url: stdout}\n")
	out, err := execute(t, "check", "--config", cfg)
	if err == nil || !strings.Contains(out, "writing a file in it failed: no space left on device; free space on its file system (df -h "+state+")") {
		t.Errorf("check of a full state_dir: err %v, want a problem naming the full disk:\n%s", err, out)
	}
}
