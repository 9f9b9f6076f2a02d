package agent

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// TestAppearedTailOfOlderCopy: at a first start without a file at the
// path, for a source named by its path and for a glob whose match is a
// symbolic link to it (as /var/log/containers links to /var/log/pods), a
// container log that appears later and whose first record is the last
// part of a line whose first parts end the rotated copy there before the
// start (which a first start does not read) sends that rest of the line
// raw under the APP-NAME of the line's log, and the agent logs the copy it
// does not read with the send command, as at a first start on a file
// there (fresh-user trial 280: the rest dropped as a line no gitlab-logger
// wrapped, the copy not named); for a glob of the files themselves, whose
// match is new since the glob's first scan, the note says that the copies
// from before that start are not read.
func TestAppearedTailOfOlderCopy(t *testing.T) {
	for _, tc := range []struct {
		name string
		glob string // "": the source is the path; "link": a glob of symbolic links to it; "file": a glob of the file
		note string // the note's message begins so
	}{
		{"path", "", "rotated copies older than this first start are not read"},
		{"glob of links", "link", "rotated copies older than this first start are not read"},
		{"glob of files", "file", "rotated copies last written before the glob's first start are not read"},
	} {
		t.Run(tc.name, func(t *testing.T) { testAppearedTailOfOlderCopy(t, tc.glob, tc.note) })
	}
}

func testAppearedTailOfOlderCopy(t *testing.T, glob, note string) {
	dir := t.TempDir()
	line := func(n int) string {
		return fmt.Sprintf(`{"severity":"INFO","time":"2026-12-07T10:00:%02d.000Z","author_id":1,"author_name":"Admin","entity_id":%d,"entity_type":"Project","target_details":"N%dE"}`, n, n, n)
	}
	envelope := func(n int) string {
		return fmt.Sprintf(`{"date":"2026-12-07T10:00:%02d.000Z","component": "gitlab","subcomponent":"audit_json","level":"info","file":"/var/log/gitlab/audit_json.log","message":%s}`, n, line(n))
	}
	split := envelope(3)
	cut := len(split) / 2
	logDir := filepath.Join(dir, "pods", "gitlab_webservice-1_uid", "webservice")
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(logDir, "0.log")
	copyName := log + ".20261207-100002"
	older := "2026-12-07T10:00:02.000000000Z stdout F " + envelope(2) + "\n" +
		"2026-12-07T10:00:03.000000000Z stdout P " + split[:cut] + "\n"
	if err := os.WriteFile(copyName, []byte(older), 0o644); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour) // the copy is from before the start
	if err := os.Chtimes(copyName, old, old); err != nil {
		t.Fatal(err)
	}
	src := config.Source{Path: log, Format: "cri"}
	switch glob {
	case "file":
		src.Path = filepath.Join(dir, "pods", "*", "*", "0.log")
	case "link":
		links := filepath.Join(dir, "containers")
		if err := os.MkdirAll(links, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(log, filepath.Join(links, "webservice-1_gitlab_webservice-uid.log")); err != nil {
			t.Fatal(err)
		}
		src.Path = filepath.Join(links, "*.log")
	}
	var mu sync.Mutex
	var got []syslogtest.Message
	col, err := syslogtest.Listen("127.0.0.1:0", func(b []byte) {
		m, err := syslogtest.Parse(b)
		if err != nil {
			panic(err)
		}
		mu.Lock()
		got = append(got, m)
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	defer col.Close()
	c := newConfig(t, "tcp://"+col.Addr(), src)
	c.Detections.Enabled = new(bool)
	var logs syncBuffer
	_, _, stop := runInBackground(t, c, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	waitFor(t, "the agent to follow the path", 10*time.Second, func() bool {
		return strings.Contains(logs.String(), "waiting for the file to appear") || strings.Contains(logs.String(), "following a glob")
	})
	time.Sleep(200 * time.Millisecond) // the tailer waits: the file appears after the start
	rest := "2026-12-07T10:00:03.000000000Z stdout F " + split[cut:] + "\n" +
		"2026-12-07T10:00:04.000000000Z stdout F " + envelope(4) + "\n"
	if err := os.WriteFile(log, []byte(rest), 0o644); err != nil {
		t.Fatal(err)
	}
	n := func() int { mu.Lock(); defer mu.Unlock(); return len(got) }
	waitFor(t, "two messages", 15*time.Second, func() bool { return n() >= 2 })
	stop()
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 2 || string(got[0].AppName) != "GitLab-Audit-Logs" || string(got[0].Msg) != split[cut:] || string(got[1].Msg) != line(4) {
		var b strings.Builder
		for _, m := range got {
			fmt.Fprintf(&b, "%s %s\n", m.AppName, m.Msg)
		}
		t.Fatalf("the agent sent\n%swant the rest of line 3 raw under GitLab-Audit-Logs, then line 4; log:\n%s", b.String(), logs.String())
	}
	l := logs.String()
	if !strings.Contains(l, "the file begins with the last part of a line whose first parts end its newest rotated copy") {
		t.Errorf("want the rest's warning; log:\n%s", l)
	}
	noted := false
	for _, ln := range strings.Split(l, "\n") {
		noted = noted || strings.Contains(ln, `msg="`+note) && strings.Contains(ln, copyName)
	}
	if !noted {
		t.Errorf("want the note naming %s, the copy not read; log:\n%s", copyName, l)
	}
}
