package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// TestSendStreamMessageCap: to a stream destination, a line whose
// STRUCTURED-DATA makes its message longer than max_stream_message_bytes
// is sent without it, MSG the line whole, and send says so; a line within the limit keeps its
// STRUCTURED-DATA. Each `]` of a value is escaped to two bytes: before, a
// 1 MB line of them went out as a 5 MB message, which a collector with
// the recommended 4 MiB limit cut or refused, losing the messages after
// it (fresh-user trial 261).
func TestSendStreamMessageCap(t *testing.T) {
	long := `{"severity":"INFO","time":"2026-08-22T10:00:00.000Z","correlation_id":"c1","meta.remote_ip":"203.0.113.9","message":"Failed Login: username=` +
		strings.Repeat("]", 1500) + ` ip=203.0.113.9"}`
	short := `{"severity":"INFO","time":"2026-08-22T10:00:01.000Z","correlation_id":"c2","meta.remote_ip":"203.0.113.9","message":"Failed Login: username=bob ip=203.0.113.9"}`
	var mu sync.Mutex
	var msgs []string
	col, err := syslogtest.Listen("127.0.0.1:0", func(m []byte) {
		mu.Lock()
		defer mu.Unlock()
		msgs = append(msgs, string(m))
	})
	if err != nil {
		t.Fatal(err)
	}
	defer col.Close()
	var stdout, stderr bytes.Buffer
	if err := runSendCollect(context.Background(), strings.NewReader(long+"\n"+short+"\n"), &stdout, &stderr,
		"send", "--type", "application", "--to", "tcp://"+col.Addr(), "--max-stream-message-bytes", "2KiB"); err != nil {
		t.Fatalf("send: %v\n%s", err, stderr.String())
	}
	mu.Lock()
	defer mu.Unlock()
	if len(msgs) != 2 {
		t.Fatalf("%d messages, want 2:\n%q", len(msgs), msgs)
	}
	if !strings.HasSuffix(msgs[0], " - "+long) || len(msgs[0]) > 2048 {
		t.Errorf("the long line's message (%d bytes) is not its line without STRUCTURED-DATA:\n%.300s", len(msgs[0]), msgs[0])
	}
	if !strings.Contains(msgs[1], `[gitlab@32473 `) || !strings.HasSuffix(msgs[1], "] "+short) {
		t.Errorf("the short line lost its STRUCTURED-DATA:\n%s", msgs[1])
	}
	if want := "1 message sent without STRUCTURED-DATA (over max_stream_message_bytes with it)"; !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
	}
}
