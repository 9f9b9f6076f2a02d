package agent

import (
	"bufio"
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// TestNULLineLoggedAsPadding checks that run's warning for a line of only
// NUL bytes (the padding a crash or a copytruncate leaves) says so, as
// parse, send and detect do, instead of blaming the line's JSON ("invalid
// JSON: empty line"), and that the line still goes out raw (fresh-user
// trial 82).
func TestNULLineLoggedAsPadding(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "audit_json.log")
	good := `{"severity":"INFO","time":"2024-05-10T17:46:49.065Z","author_id":1,"author_name":"Administrator","entity_id":1,"entity_type":"User","target_id":1,"target_type":"User","target_details":"Administrator"}`
	if err := os.WriteFile(path, []byte(good+"\n\x00\x00\x00\x00\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := newConfig(t, "stdout://", config.Source{Type: "audit", Path: path})
	var logs, out bytes.Buffer
	runToEOFWith(t, c, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil)), Stdout: &out})
	n := 0
	for sc := bufio.NewScanner(&out); sc.Scan(); n++ {
		if _, err := syslogtest.Parse(sc.Bytes()); err != nil {
			t.Fatalf("%v: %q", err, sc.Bytes())
		}
	}
	if n != 2 {
		t.Errorf("%d messages, want 2 (the NUL line forwarded raw)", n)
	}
	warn := ""
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, "did not parse") {
			warn = l
		}
	}
	if !strings.Contains(warn, "only NUL bytes") || strings.Contains(warn, "empty line") {
		t.Errorf("the NUL line's warning does not say it is NUL padding:\n%s", logs.String())
	}
}
