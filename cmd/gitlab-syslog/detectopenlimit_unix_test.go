//go:build unix

package main

import (
	"bytes"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestDetectOpenFileLimit runs detect over more inputs than its open-file
// limit allows (a hard limit set with ulimit -n, which the Go runtime
// cannot raise): it must refuse them all before printing anything, every
// time, saying the limit and what to do, and with room for them all it
// alerts on every input. Before, each input was opened to be checked,
// closed, and opened again to be read: a run printed the alerts and
// summary of the inputs it happened to open and then failed, with a
// different count each time (fresh-user trial 83).
func TestDetectOpenFileLimit(t *testing.T) {
	dir := t.TempDir()
	bin := buildBinary(t, dir)
	const n = 120
	var files []string
	for i := range n {
		f := filepath.Join(dir, fmt.Sprintf("audit_json.log.%d", i+1))
		writeFile(t, f, fmt.Sprintf(`{"severity":"INFO","time":"2024-05-31T14:%02d:%02d.421Z","author_id":%d,"author_name":"U","entity_id":%d,"entity_type":"User","target_id":1,"target_type":"User","target_details":"x","event_name":"personal_access_token_created","custom_message":"Created personal access token with id %d","id":%d}`+"\n",
			i/60, i%60, i+1, i+1, i+1, i+1000))
		files = append(files, f)
	}
	for _, tc := range []struct {
		limit  int
		alerts int // -1: refused
	}{
		{64, -1}, {64, -1}, {64, -1},
		{n + 8, -1}, // room for the inputs, not for the state files too (fresh-user trial 85)
		{n + 64, n},
	} {
		var stdout, stderr bytes.Buffer
		cmd := exec.Command("sh", append([]string{"-c", fmt.Sprintf(`ulimit -n %d && exec "$0" detect --rule falco.pat_created "$@"`, tc.limit), bin}, files...)...)
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		got := strings.Count(stdout.String(), "\n")
		if tc.alerts < 0 {
			if err == nil || got != 0 || strings.Contains(stderr.String(), "alerts from") ||
				!strings.Contains(stderr.String(), "ulimit -n") || !strings.Contains(stderr.String(), "each holds a file open") {
				t.Errorf("ulimit -n %d: err %v, %d alerts, stderr:\n%s\nwant a refusal before any alert or summary", tc.limit, err, got, stderr.String())
			}
			continue
		}
		if err != nil || got != tc.alerts {
			t.Errorf("ulimit -n %d: err %v, %d alerts, want %d; stderr:\n%s", tc.limit, err, got, tc.alerts, stderr.String())
		}
	}
}
