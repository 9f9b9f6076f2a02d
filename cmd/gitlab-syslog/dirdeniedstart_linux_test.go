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

// TestDirDeniedAtStart: run starts while the directory of a log it has a
// checkpoint for does not let its user in (0700) or list it (0711), the
// log rotated while it was stopped, or not; once the directory is opened
// again, every line written while it was stopped goes out once. The
// checkpoint's file was taken for gone: the rotated copy's unread lines
// were lost, and a file not rotated was sent again whole (fresh-user
// trial 269). Permissions do not stop root, so the binary runs as nobody.
func TestDirDeniedAtStart(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run the binary as another user")
	}
	for _, tc := range []struct {
		name    string
		mode    os.FileMode
		rotated bool
		flows   bool // the lines go out before the directory is opened again
		olddir  bool // the copies go to logrotate's olddir, which is the directory denied
	}{
		{"no entry, rotated", 0o700, true, false, false},
		{"no entry, not rotated", 0o700, false, false, false},
		{"no listing, rotated", 0o711, true, false, false},
		// The checkpoint's file is at the path: the copies are not
		// needed, and a directory that may not be listed holds nothing up.
		{"no listing, not rotated", 0o711, false, true, false},
		// Fresh-user trial 271: the olddir was not waited for.
		{"olddir no entry, rotated", 0o700, true, false, true},
		{"olddir no listing, rotated", 0o711, true, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base, bin, state := nobodyBuild(t)
			dir := filepath.Join(base, "logs")
			line := func(i int) string {
				return fmt.Sprintf(`{"severity":"INFO","time":"2024-05-31T14:32:00.108Z","message":"seq-%03d"}`+"\n", i)
			}
			var first strings.Builder
			for i := range 20 {
				first.WriteString(line(i))
			}
			logPath := writeFile(t, filepath.Join(dir, "application_json.log"), first.String())
			for p, mode := range map[string]os.FileMode{dir: 0o755, logPath: 0o644} {
				if err := os.Chmod(p, mode); err != nil {
					t.Fatal(err)
				}
			}
			denied, copyPath, olddir := dir, logPath+".1", ""
			if tc.olddir {
				denied = filepath.Join(dir, "old")
				copyPath, olddir = filepath.Join(denied, "application_json.log.1"), ", olddir: old"
				if err := os.Mkdir(denied, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			cfg := nobodyConfig(t, base, fmt.Sprintf("state_dir: %s\nforward: {url: stdout}\ndetections: {enabled: false}\nsources:\n  - {type: application, path: %q%s}\n", state, logPath, olddir))
			out := &syslogtest.Buffer{}
			once, onceErr := asNobody(exec.Command(bin, "run", "--config", cfg, "--once")), &syslogtest.Buffer{}
			once.Stdout, once.Stderr = out, onceErr
			if err := once.Run(); err != nil {
				t.Fatalf("the first run: %v\n%s", err, onceErr.String())
			}
			// Stopped: 10 lines more, maybe a rotation and 10 in the new file.
			for i := 20; i < 30; i++ {
				appendTo(t, logPath, line(i))
			}
			want := 40
			if tc.rotated {
				if err := os.Rename(logPath, copyPath); err != nil {
					t.Fatal(err)
				}
				writeFile(t, logPath, "")
				if err := os.Chmod(logPath, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			for i := 30; i < 40; i++ {
				appendTo(t, logPath, line(i))
			}
			if err := os.Chmod(denied, tc.mode); err != nil {
				t.Fatal(err)
			}
			cmd := asNobody(exec.Command(bin, "run", "--config", cfg))
			errOut := &syslogtest.Buffer{}
			cmd.Stdout, cmd.Stderr = out, errOut
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			if tc.flows {
				for deadline := time.Now().Add(10 * time.Second); strings.Count(out.String(), "\n") < want; time.Sleep(50 * time.Millisecond) {
					if time.Now().After(deadline) {
						t.Fatalf("the lines did not go out within 10s with the directory %04o:\n%s", tc.mode, errOut.String())
					}
				}
			}
			time.Sleep(2 * time.Second) // retried
			if err := os.Chmod(denied, 0o755); err != nil {
				t.Fatal(err)
			}
			for deadline := time.Now().Add(15 * time.Second); strings.Count(out.String(), "\n") < want && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			}
			time.Sleep(time.Second) // what else it would send
			cmd.Process.Signal(syscall.SIGTERM)
			cmd.Wait()
			sent := out.String()
			for i := range want {
				if n := strings.Count(sent, fmt.Sprintf(`"message":"seq-%03d"`, i)); n != 1 {
					t.Errorf("seq-%03d sent %d times, want once", i, n)
				}
			}
			if t.Failed() {
				t.Logf("stderr:\n%s", errOut.String())
			}
		})
	}
}
