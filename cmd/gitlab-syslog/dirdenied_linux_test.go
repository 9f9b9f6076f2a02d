//go:build linux

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// TestDirDeniedWhileFollowing: the directory of the logs the agent
// follows is made unreadable to its user for 7 seconds, longer than the
// drain of a file renamed away, then readable again (an administrator's
// chmod, undone): no line is sent again, and a line written meanwhile and
// one after go out once. The path that could
// not be looked at was taken for a rotation and the file, found again at
// it, read again from its start (fresh-user trial 268: every file sent
// twice). Permissions do not stop root, so the binary runs as nobody.
func TestDirDeniedWhileFollowing(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run the binary as another user")
	}
	for _, tc := range []struct{ name, path string }{
		{"path", "application_json.log"},
		{"glob", "*.log"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base, bin, state := nobodyBuild(t)
			dir := filepath.Join(base, "logs")
			line := func(msg string) string {
				return fmt.Sprintf(`{"severity":"INFO","time":"2024-05-31T14:32:00.108Z","message":%q}`+"\n", msg)
			}
			var lines strings.Builder
			for i := range 20 {
				lines.WriteString(line(fmt.Sprintf("old %d", i)))
			}
			logPath := writeFile(t, filepath.Join(dir, "application_json.log"), lines.String())
			for p, mode := range map[string]os.FileMode{dir: 0o755, logPath: 0o644} {
				if err := os.Chmod(p, mode); err != nil {
					t.Fatal(err)
				}
			}
			cfg := nobodyConfig(t, base, fmt.Sprintf("state_dir: %s\nforward: {url: stdout}\nsources:\n  - {type: application, path: %q}\n", state, filepath.Join(dir, tc.path)))
			cmd := asNobody(exec.Command(bin, "run", "--config", cfg))
			out, errOut := &syslogtest.Buffer{}, &syslogtest.Buffer{}
			cmd.Stdout, cmd.Stderr = out, errOut
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			wait := func(what string, ok func() bool) {
				t.Helper()
				for deadline := time.Now().Add(15 * time.Second); !ok(); time.Sleep(50 * time.Millisecond) {
					if time.Now().After(deadline) {
						t.Fatalf("no %s within 15s; sent:\n%s\nstderr:\n%s", what, out.String(), errOut.String())
					}
				}
			}
			wait("20 lines", func() bool { return strings.Count(out.String(), "\n") >= 20 })
			if err := os.Chmod(dir, 0o700); err != nil { // nobody may no longer look in it
				t.Fatal(err)
			}
			appendTo(t, logPath, line("meanwhile"))
			time.Sleep(7 * time.Second) // many polls, a glob's scans, longer than the drain of a file renamed away (tailer.DefaultRotateWait)
			if err := os.Chmod(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			time.Sleep(time.Second)
			appendTo(t, logPath, line("after"))
			wait("the line written after", func() bool { return strings.Contains(out.String(), `"message":"after"`) })
			time.Sleep(time.Second) // what else it would send
			cmd.Process.Signal(syscall.SIGTERM)
			cmd.Wait()
			sent := out.String()
			if n := strings.Count(sent, "\n"); n != 22 || strings.Count(sent, `"message":"old 0"`) != 1 || strings.Count(sent, `"message":"meanwhile"`) != 1 {
				t.Errorf("%d lines sent, want the 22 written, each once:\n%s\nstderr:\n%s", n, sent, errOut.String())
			}
		})
	}
}
