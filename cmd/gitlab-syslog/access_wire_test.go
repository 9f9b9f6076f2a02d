package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// TestSendAccessTypedColumns sends the access lines of issue 10 through a
// real TCP collector and checks the structured data on the wire: EventTime
// in RFC 3339 with the logged offset, TimeLocal as logged, no BytesSent for
// "-", and a TLS handshake kept whole in URI without RequestVerb or
// HTTPVersion.
func TestSendAccessTypedColumns(t *testing.T) {
	lines := []string{
		`198.51.100.23 - - [02/Mar/2025:11:02:33 +0000] "\x16\x03\x01\x02\x00\x01 \x00\x01\xFC\x03\x03" 400 150 "" "-" -`,
		`198.51.100.9 - - [25/May/2026:03:12:51 +0200] "GET /explore HTTP/1.1" 404 - "-" "-"`,
	}
	path := filepath.Join(t.TempDir(), "gitlab_access.log")
	if err := os.WriteFile(path, []byte(lines[0]+"\n"+lines[1]+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	url := "tcp://" + freePort(t, "tcp")
	out := startCollectCmd(t, url)
	var stdout, stderr syslogtest.Buffer
	if err := runSendCollect(context.Background(), nil, &stdout, &stderr, "send", "--type", "access", "--to", url, path); err != nil {
		t.Fatalf("send: %v\n%s", err, stderr.String())
	}
	got := waitLines(t, out, len(lines))
	want := []map[string]string{
		{"EventTime": "2025-03-02T11:02:33+00:00", "TimeLocal": "02/Mar/2025:11:02:33 +0000",
			"URI": `\x16\x03\x01\x02\x00\x01 \x00\x01\xFC\x03\x03`, "BytesSent": "150", "RequestVerb": "", "HTTPVersion": ""},
		{"EventTime": "2026-05-25T03:12:51+02:00", "TimeLocal": "25/May/2026:03:12:51 +0200",
			"RequestVerb": "GET", "URI": "/explore", "HTTPVersion": "HTTP/1.1", "ResponseCode": "404", "BytesSent": ""},
	}
	for i, c := range got {
		if c.Message != lines[i] {
			t.Errorf("message %d MSG %q, want %q", i, c.Message, lines[i])
		}
		params := map[string]string{}
		for _, el := range c.StructuredData {
			for k, v := range el {
				params[k] = v
			}
		}
		for k, v := range want[i] {
			got, ok := params[k]
			switch {
			case v == "" && ok:
				t.Errorf("message %d: %s=%q on the wire, want it absent", i, k, got)
			case v != "" && got != v:
				t.Errorf("message %d: %s=%q on the wire, want %q (all: %v)", i, k, got, v, params)
			}
		}
	}
}
