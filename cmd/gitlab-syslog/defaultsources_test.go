package main

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
)

// TestLogDefaultSourcesEmptyLogDir: a log_dir holding neither
// gitlab-rails/ nor nginx/ nor a GitLab file is warned about at start,
// as a flat directory written to later would never be read (trial 253:
// two agents waited in silence while 12,000 lines went to a flat
// directory); one with gitlab-rails/, or with a flat file, is not.
func TestLogDefaultSourcesEmptyLogDir(t *testing.T) {
	for _, tc := range []struct {
		name string
		make func(dir string)
		warn bool
	}{
		{"empty", func(string) {}, true},
		{"gitlab-rails", func(dir string) { os.Mkdir(filepath.Join(dir, "gitlab-rails"), 0o755) }, false},
		{"flat", func(dir string) { os.WriteFile(filepath.Join(dir, "audit_json.log"), nil, 0o644) }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tc.make(dir)
			c := &config.Config{StateDir: t.TempDir(), LogDir: dir}
			c.Forward.URL = "stdout://"
			r, err := c.Resolve()
			if err != nil {
				t.Fatal(err)
			}
			var logs bytes.Buffer
			logDefaultSources(slog.New(slog.NewTextHandler(&logs, nil)), c, r)
			if got := strings.Contains(logs.String(), "log_dir holds neither gitlab-rails/ nor nginx/"); got != tc.warn {
				t.Errorf("warned %v, want %v:\n%s", got, tc.warn, logs.String())
			}
		})
	}
}
