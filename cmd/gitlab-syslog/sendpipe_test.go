package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// TestSendPipePaused: lines from a pipe whose writer pauses are sent when
// it pauses, not held until --batch lines or the end of the input (tail -f
// FILE | gitlab-syslog send forwarded nothing; final fresh-user trial #5);
// parse prints them likewise.
func TestSendPipePaused(t *testing.T) {
	data, err := os.ReadFile("../../testdata/audit_json.log")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Join(strings.SplitN(string(data), "\n", 4)[:3], "\n") + "\n"
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); !ok(); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s within 10s while the pipe stayed open", what)
			}
		}
	}
	t.Run("send", func(t *testing.T) {
		var got atomic.Int64
		col, err := syslogtest.Listen("127.0.0.1:0", func([]byte) { got.Add(1) })
		if err != nil {
			t.Fatal(err)
		}
		defer col.Close()
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		var stdout, stderr bytes.Buffer
		go func() {
			done <- runSendCollect(context.Background(), r, &stdout, &stderr, "send", "--type", "audit", "--to", "tcp://"+col.Addr())
		}()
		w.WriteString(lines)
		waitFor("3 lines received", func() bool { return got.Load() == 3 })
		w.Close()
		if err := <-done; err != nil {
			t.Fatalf("send: %v\n%s", err, stderr.String())
		}
	})
	t.Run("parse", func(t *testing.T) {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		out := new(syslogtest.Buffer)
		done := make(chan error, 1)
		go func() {
			done <- runSendCollect(context.Background(), r, out, new(bytes.Buffer), "parse", "--type", "audit")
		}()
		w.WriteString(lines)
		waitFor("3 records printed", func() bool { return strings.Count(out.String(), "\n") == 3 })
		w.Close()
		if err := <-done; err != nil {
			t.Fatalf("parse: %v", err)
		}
	})
}
