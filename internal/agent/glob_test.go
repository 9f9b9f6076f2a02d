package agent

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
	"github.com/gitlab-syslog/gitlab-syslog/tailer/checkpoint"
)

// TestGlobLifecycle: a glob source matching no file yet is healthy; a file
// created later is followed from its beginning (whatever start_at); a CRI line whose P part and F part are read
// in separate batches is joined; a deleted file is forgotten once sent
// (its source stops, its checkpoint is removed), and a new file at the
// same path is read from its start.
func TestGlobLifecycle(t *testing.T) {
	root := t.TempDir()
	addr, got := appMsgCollector(t)
	c := newConfig(t, "tcp://"+addr, config.Source{Path: filepath.Join(root, "*_gitlab_webservice-*.log"), Format: "cri", StartAt: "end"})
	c.Detections.Enabled = new(bool)
	a, _, stop := runInBackground(t, c, Options{GlobInterval: 20 * time.Millisecond})
	defer stop()
	waitFor(t, "agent healthy with no file matched", 5*time.Second, func() bool { return a.Health() == nil })

	received := func(n int) func() bool {
		return func() bool { return len(got()) >= n }
	}
	audit := `{"severity":"INFO","time":"2024-05-10T17:46:49.065Z","author_id":1,"author_name":"Administrator","entity_id":1,"entity_type":"User","target_id":1,"target_type":"User","target_details":"Administrator"}`
	env := `{"date":"2024-05-01T12:00:00Z","component": "gitlab","subcomponent":"audit_json","level":"info","file":"/var/log/gitlab/audit_json.log","message":` + audit + `}`
	path := filepath.Join(root, "web-0_gitlab_webservice-abc.log")
	writeFile(t, path, "2024-05-01T12:00:00.1Z stdout F "+env+"\n")
	waitFor(t, "the new file's line", 10*time.Second, received(1))

	half := len(env) / 2
	appendTo(t, path, "2024-05-01T12:00:01.1Z stdout P "+env[:half]+"\n")
	waitFor(t, "the P record read", 10*time.Second, func() bool {
		return scrapedValue(t, a, "gitlab_syslog_lines_read_total", path) == 2
	})
	time.Sleep(50 * time.Millisecond) // its batch acknowledged
	appendTo(t, path, "2024-05-01T12:00:01.2Z stdout F "+env[half:]+"\n")
	waitFor(t, "the joined line", 10*time.Second, received(2))

	key := checkpointFile(t, c.StateDir, path)
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the deleted file forgotten", 20*time.Second, func() bool {
		a.mu.Lock()
		n := len(a.sources)
		a.mu.Unlock()
		_, err := os.Stat(key)
		return n == 0 && os.IsNotExist(err)
	})
	writeFile(t, path, "2024-05-01T12:00:02.1Z stdout F "+env+"\n")
	waitFor(t, "the new file at the same path", 10*time.Second, received(3))

	waitFor(t, "the new file's checkpoint", 5*time.Second, func() bool {
		_, err := os.Stat(filepath.Join(c.StateDir, checkpoint.PositionKey(path)+".json"))
		return err == nil
	})
	msgs := got()
	for i, m := range msgs {
		if m != config.AppNameAudit+" "+audit {
			t.Errorf("message %d = %q, want the audit line", i, m)
		}
	}
	if len(msgs) != 3 {
		t.Errorf("%d messages, want 3: %q", len(msgs), msgs)
	}
}

func writeFile(t *testing.T, name, data string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func appendTo(t *testing.T, name, data string) {
	t.Helper()
	f, err := os.OpenFile(name, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(strings.Clone(data)); err != nil {
		t.Fatal(err)
	}
}

// appMsgCollector starts a TCP syslog collector for the test and returns
// its address and a function that returns a copy of the messages received
// so far, each as "APP-NAME MSG". A message that does not parse fails the
// test.
func appMsgCollector(t *testing.T) (addr string, got func() []string) {
	t.Helper()
	var mu sync.Mutex
	var msgs []string
	col, err := syslogtest.Listen("127.0.0.1:0", func(b []byte) {
		m, err := syslogtest.Parse(append([]byte(nil), b...))
		if err != nil {
			t.Errorf("%v: %q", err, b)
			return
		}
		mu.Lock()
		msgs = append(msgs, string(m.AppName)+" "+string(m.Msg))
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { col.Close() })
	return col.Addr(), func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), msgs...)
	}
}
