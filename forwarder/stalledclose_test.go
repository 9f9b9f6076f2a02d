package forwarder

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// TestStalledCollectorClose: a collector that takes the connection and
// reads nothing is not said to have closed it when the close's time runs
// out, nor is a reconnection announced then (fresh-user trial 270: "the
// collector closed the connection right after reading the first batch
// ..., reconnecting" at every stop); a write that times out says the
// collector read nothing.
func TestStalledCollectorClose(t *testing.T) {
	for _, tc := range []struct {
		name         string
		writeTimeout time.Duration
		want         string // in the log
	}{
		{"the close's time runs out", time.Minute, ""},
		{"a write times out", 300 * time.Millisecond, "the collector read nothing for 300ms"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs syslogtest.Buffer
			f, err := New(Config{URL: syslogtest.Stalled(t), WriteTimeout: tc.writeTimeout, MinBackoff: time.Millisecond,
				Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			if err != nil {
				t.Fatal(err)
			}
			if err := f.Connect(context.Background()); err != nil {
				t.Fatal(err)
			}
			m := Message{Msg: bytes.Repeat([]byte("x"), 1<<20)}
			for range 16 { // more than the socket buffers take
				b := new(Batch)
				b.Append(&Encoder{}, &m)
				ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
				err := f.Send(ctx, b, nil)
				cancel()
				if err != nil {
					break
				}
			}
			if tc.want != "" {
				for deadline := time.Now().Add(10 * time.Second); !strings.Contains(logs.String(), tc.want); time.Sleep(20 * time.Millisecond) {
					if time.Now().After(deadline) {
						t.Fatalf("no %q logged within 10s:\n%s", tc.want, logs.String())
					}
				}
			} else {
				time.Sleep(500 * time.Millisecond) // the writer blocked in its write
			}
			before := len(logs.String())
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			f.Close(ctx)
			l := logs.String()
			if strings.Contains(l, "right after reading the first batch") {
				t.Errorf("a collector that reads nothing is said to have closed the connection:\n%s", l)
			}
			if after := l[before:]; strings.Contains(after, "reconnecting") {
				t.Errorf("a reconnection announced while closing:\n%s", after)
			}
		})
	}
}
