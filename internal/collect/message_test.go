package collect

import (
	"context"
	"fmt"
	"net"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestMessageUTF8 sends RFC 5424 messages with invalid UTF-8 over a real
// TCP connection: MSG without a BOM may be any octets (MSG-ANY, RFC 5424
// §6.4) and is no error; MSG after a BOM must be UTF-8 (MSG-UTF8), and a
// PARAM-VALUE must be UTF-8 (§6.3.3), whatever MSG holds.
func TestMessageUTF8(t *testing.T) {
	const head = "<165>1 2026-01-01T00:00:00Z h app - id "
	sd := map[string]map[string]string{"x@1": {"k": "v"}}
	tests := []struct {
		name    string
		frame   string
		msg     string
		sd      map[string]map[string]string
		wantErr string // substring; "" for none
	}{
		{"valid MSG", head + `[x@1 k="v"] a é b`, "a é b", sd, ""},
		{"MSG-ANY invalid UTF-8", head + `[x@1 k="v"] a` + "\xff\xfe" + "b", "a\xff\xfeb", sd, ""},
		{"MSG-ANY invalid UTF-8, no SD", head + "- " + "\xc3", "\xc3", nil, ""},
		{"MSG-ANY cut inside a character", head + `[x@1 k="v"] caf` + "\xc3", "caf\xc3", sd, ""},
		{"MSG-UTF8 invalid UTF-8", head + `[x@1 k="v"] ` + "\xef\xbb\xbf" + "a\xffb", "a\xffb", sd, "MSG-UTF8"},
		{"MSG-UTF8 valid", head + `[x@1 k="v"] ` + "\xef\xbb\xbf" + "a é", "\ufeffa é", sd, ""}, // the BOM kept, as go-syslog gives it
		{"PARAM-VALUE invalid UTF-8", head + `[x@1 k="v` + "\xff" + `"] ab`, "ab", nil, "param value"},
		{"PARAM-VALUE and MSG invalid UTF-8", head + `[x@1 k="v"][y@1 k="` + "\xff" + `"] a` + "\xff", "a\xff", nil, "param value"},
	}
	srv, err := Listen(Config{URL: "tcp://127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var got []*Message
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- srv.Serve(ctx, func(m *Message) { mu.Lock(); got = append(got, m); mu.Unlock() })
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()
	c, err := net.Dial("tcp", strings.TrimPrefix(srv.URL(), "tcp://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, tt := range tests {
		fmt.Fprintf(c, "%d %s", len(tt.frame), tt.frame)
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n == len(tests) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("received %d messages, want %d", n, len(tests))
		}
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := got[i]
			if m.Format != "rfc5424" || m.AppName != "app" || m.MsgID != "id" {
				t.Errorf("format %q, APP-NAME %q, MSGID %q; want rfc5424, app, id", m.Format, m.AppName, m.MsgID)
			}
			if m.Message != tt.msg {
				t.Errorf("MSG %q, want %q", m.Message, tt.msg)
			}
			if tt.sd != nil && !reflect.DeepEqual(m.StructuredData, tt.sd) {
				t.Errorf("STRUCTURED-DATA %q, want %q", m.StructuredData, tt.sd)
			}
			switch {
			case tt.wantErr == "" && m.Err != nil:
				t.Errorf("error %v, want none", m.Err)
			case tt.wantErr != "" && (m.Err == nil || !strings.Contains(m.Err.Error(), tt.wantErr)):
				t.Errorf("error %v, want one containing %q", m.Err, tt.wantErr)
			}
		})
	}
}
