package agent

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// loadFile loads, resolves and validates the configuration file at path,
// as run does at start and at SIGHUP.
func loadFile(t *testing.T, path string) *config.Config {
	t.Helper()
	c, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Resolve(); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestReloadRefusesEmptyFile: a reload with the configuration file emptied
// (or all its lines commented out), as an editor or a deployment tool
// leaves it for a moment, is refused with an ERROR naming the file: the
// agent keeps following the configured file and forwarding to the
// configured collector, instead of taking the built-in defaults
// (/var/log/gitlab, tcp://127.0.0.1:514). When the running file set
// nothing either, the reload changes nothing and goes ahead.
func TestReloadRefusesEmptyFile(t *testing.T) {
	for _, tc := range []struct {
		name, emptied string
	}{
		{"empty", ""},
		{"all commented", "# state_dir: /x\n# sources:\n#   - {type: access, path: /x/gitlab_access.log}\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			logPath := filepath.Join(dir, "gitlab_access.log")
			writeAccessLines(t, logPath, 0, 3)
			r := &received{msgs: map[string]int{}}
			col, err := syslogtest.Listen("127.0.0.1:0", r.add)
			if err != nil {
				t.Fatal(err)
			}
			defer col.Close()
			cfgPath := filepath.Join(dir, "config.yaml")
			yaml := fmt.Sprintf("state_dir: %s\nhostname: testhost\nforward:\n  url: tcp://%s\nsources:\n  - {type: access, path: %s}\n",
				filepath.Join(dir, "state"), col.Addr(), logPath)
			if err := os.WriteFile(cfgPath, []byte(yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			c := loadFile(t, cfgPath)
			var logs syncBuffer
			a, err := New(c, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- a.Run(ctx) }()
			waitFor(t, "3 lines", 10*time.Second, func() bool { return r.count() == 3 })

			if err := os.WriteFile(cfgPath, []byte(tc.emptied), 0o644); err != nil {
				t.Fatal(err)
			}
			err = a.Reload(ctx, loadFile(t, cfgPath))
			want := cfgPath + " sets nothing: every setting would be a built-in default; keeping the running configuration"
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("Reload = %v, want an error %q", err, want)
			}
			if !strings.Contains(logs.String(), "level=ERROR msg=\"reload: "+want) {
				t.Errorf("no ERROR %q in the log:\n%s", want, logs.String())
			}
			if strings.Contains(logs.String(), "/var/log/gitlab") || strings.Contains(logs.String(), "configuration reloaded") {
				t.Errorf("the defaults were taken:\n%s", logs.String())
			}
			writeAccessLines(t, logPath, 3, 2)
			waitFor(t, "the 2 lines written after the reload", 10*time.Second, func() bool { return r.count() == 5 })

			// An agent started from a file that set nothing too is not
			// refused the reload: it changes no setting.
			if err := setsNothing(loadFile(t, cfgPath), loadFile(t, cfgPath)); err != nil {
				t.Errorf("a reload of a file that set nothing at start too: %v", err)
			}
			cancel()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		})
	}
}
