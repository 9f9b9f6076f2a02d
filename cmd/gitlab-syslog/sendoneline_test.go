package main

import (
	"bytes"
	"context"
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
			if !strings.Contains(stderr.String(), ", 2 messages with line breaks (LF, CR) made spaces\n") {
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
