package main

import (
	"bytes"
	"context"
	"net"
	"strings"
	"testing"

	"github.com/influxdata/go-syslog/v3/rfc5424"
)

// TestSendStdoutOneLine checks that send --to - prints one message per
// input line when a column value or the line itself holds a line break:
// LF and CR become spaces, as newline framing sends them, and the
// messages so changed are counted.
func TestSendStdoutOneLine(t *testing.T) {
	for _, tt := range []struct {
		name, typ, line, param, want string
	}{
		{"LF in a JSON value", "audit", `{"severity":"INFO","time":"2026-08-22T10:00:00.000Z","author_id":1,"author_name":"a\nb","entity_path":"x"}`,
			"AuthorName", "a b"},
		{"CR LF in a JSON value", "audit", `{"severity":"INFO","time":"2026-08-22T10:00:00.000Z","author_id":1,"author_name":"a\r\nb","entity_path":"x"}`,
			"AuthorName", "a  b"},
		{"raw CR in the line", "application", "2026-08-22T10:00:00.000Z: Started\rGET /", "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.line + "\n" + tt.line + "\n"
			var stdout, stderr bytes.Buffer
			if err := runSendCollect(context.Background(), strings.NewReader(in), &stdout, &stderr,
				"send", "--type", tt.typ, "--to", "-"); err != nil {
				t.Fatalf("send: %v\n%s", err, stderr.String())
			}
			if !strings.Contains(stderr.String(), ", 2 messages with line breaks (LF, CR) made spaces, ") {
				t.Errorf("stderr does not count the 2 messages changed:\n%s", stderr.String())
			}
			lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
			if len(lines) != 2 {
				t.Fatalf("%d lines for 2 messages:\n%q", len(lines), stdout.String())
			}
			p := rfc5424.NewParser()
			for _, l := range lines {
				if strings.ContainsRune(l, '\r') {
					t.Errorf("a CR in %q", l)
				}
				m, err := p.Parse([]byte(l))
				if err != nil {
					t.Fatalf("parse %q: %v", l, err)
				}
				sm := m.(*rfc5424.SyslogMessage)
				if tt.param == "" {
					if want := strings.ReplaceAll(tt.line, "\r", " "); sm.Message == nil || *sm.Message != want {
						t.Errorf("MSG = %v, want %q", sm.Message, want)
					}
					continue
				}
				if sm.StructuredData == nil || (*sm.StructuredData)["gitlab@32473"][tt.param] != tt.want {
					t.Errorf("%s = %q, want %q (%q)", tt.param, (*sm.StructuredData)["gitlab@32473"][tt.param], tt.want, l)
				}
			}
		})
	}
}

// TestSendChangedCountsPlural: send's count of the messages changed to
// stay valid syslog says "1 datagram truncated", "1 message", not "1
// datagrams" (fresh-user trial): one line over UDP cut to the datagram
// size, one line with a line break printed on stdout.
func TestSendChangedCountsPlural(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	go func() { // read, so that nothing is refused
		buf := make([]byte, 1<<16)
		for {
			if _, _, err := pc.ReadFrom(buf); err != nil {
				return
			}
		}
	}()
	long := `{"severity":"INFO","time":"2026-08-22T10:00:00.000Z","author_id":1,"author_name":"` + strings.Repeat("a", 10000) + `","entity_path":"x"}`
	lf := `{"severity":"INFO","time":"2026-08-22T10:00:00.000Z","author_id":1,"author_name":"a\nb","entity_path":"x"}`
	// Invalid UTF-8 in a JSON value is replaced by the parser, in an
	// access line's by the encoder: both are counted (fresh-user trial
	// 103 saw only the access line's).
	badJSON := "{\"severity\":\"INFO\",\"time\":\"2026-08-22T10:00:00.000Z\",\"author_id\":1,\"author_name\":\"a\xffb\",\"from\":{\"k\":\"\xc3\x28\"},\"entity_path\":\"x\"}"
	badAccess := "1.2.3.4 - - [22/Aug/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"agent\xfe\""
	for _, tc := range []struct{ name, typ, to, line, want string }{
		{"a datagram truncated", "audit", "udp://" + pc.LocalAddr().String(), long,
			"send: changed to stay valid syslog: 0 header fields clamped, 0 SD names written in their short form, 0 SD values repaired (invalid UTF-8), 1 datagram truncated, 0 messages with line breaks (LF, CR) made spaces, 0 byte order marks removed from MSG, 0 times outside the years 0000-9999 written as -, 0 messages sent without STRUCTURED-DATA (over max_stream_message_bytes with it)\n"},
		{"a message with a line break", "audit", "-", lf,
			"send: changed to stay valid syslog: 0 header fields clamped, 0 SD names written in their short form, 0 SD values repaired (invalid UTF-8), 0 datagrams truncated, 1 message with line breaks (LF, CR) made spaces, 0 byte order marks removed from MSG, 0 times outside the years 0000-9999 written as -, 0 messages sent without STRUCTURED-DATA (over max_stream_message_bytes with it)\n"},
		{"invalid UTF-8 in JSON values", "audit", "-", badJSON,
			"send: changed to stay valid syslog: 0 header fields clamped, 0 SD names written in their short form, 2 SD values repaired (invalid UTF-8), 0 datagrams truncated, 0 messages with line breaks (LF, CR) made spaces, 0 byte order marks removed from MSG, 0 times outside the years 0000-9999 written as -, 0 messages sent without STRUCTURED-DATA (over max_stream_message_bytes with it)\n"},
		// A byte order mark is taken off the start of MSG (fresh-user trial
		// 105: send did not say so, run --once did).
		{"a byte order mark", "audit", "-", "\xef\xbb\xbf" + lf,
			"send: changed to stay valid syslog: 0 header fields clamped, 0 SD names written in their short form, 0 SD values repaired (invalid UTF-8), 0 datagrams truncated, 1 message with line breaks (LF, CR) made spaces, 1 byte order mark removed from MSG, 0 times outside the years 0000-9999 written as -, 0 messages sent without STRUCTURED-DATA (over max_stream_message_bytes with it)\n"},
		{"invalid UTF-8 in an access line", "access", "-", badAccess,
			"send: changed to stay valid syslog: 0 header fields clamped, 0 SD names written in their short form, 1 SD value repaired (invalid UTF-8), 0 datagrams truncated, 0 messages with line breaks (LF, CR) made spaces, 0 byte order marks removed from MSG, 0 times outside the years 0000-9999 written as -, 0 messages sent without STRUCTURED-DATA (over max_stream_message_bytes with it)\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if err := runSendCollect(context.Background(), strings.NewReader(tc.line+"\n"), &stdout, &stderr,
				"send", "--type", tc.typ, "--to", tc.to); err != nil {
				t.Fatalf("send: %v\n%s", err, stderr.String())
			}
			if !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("stderr lacks %q:\n%s", tc.want, stderr.String())
			}
		})
	}
}
