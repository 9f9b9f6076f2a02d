package forwarder

import (
	"context"
	"net/url"
	"strings"
	"testing"
)

// TestCheckHostPort: a destination whose address has a colon but does not
// split into host and port (too many colons, an IPv6 address without
// brackets) is refused by New, before any dial, with what to write (trial
// 25 F4: it was retried forever as "is the collector running?").
func TestCheckHostPort(t *testing.T) {
	for _, tc := range []struct {
		url  string
		want string // in the error; "" for none
	}{
		{"udp://127.0.0.1:5591:9", `"127.0.0.1:5591:9" is not host:port (too many colons in address): write one host and one port, e.g. udp://127.0.0.1:514; an IPv6 address goes in brackets, e.g. udp://[::1]:514`},
		{"tcp://::1:514", `"::1:514" is not host:port (too many colons in address)`},
		{"relp://fe80::1:2514", "e.g. relp://[::1]:2514"},
		{"tls://::1", `"::1" is not host:port`},
		{"tcp://127.0.0.1:514", ""},
		{"tcp://gitlab-siem.example", ""},
		{"tcp://[::1]:514", ""},
		{"tcp://[::1]", ""},
		{"udp://[fe80::1%25eth0]:514", ""},
	} {
		u, err := url.Parse(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		err = CheckHostPort(u)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("CheckHostPort(%s) = %v, want %q", tc.url, err, tc.want)
		}
		if tc.want == "" {
			continue
		}
		f, err := New(Config{URL: tc.url})
		if err == nil {
			f.Close(context.Background())
			t.Errorf("New(%s) succeeded, want an error with %q", tc.url, tc.want)
		} else if !strings.Contains(err.Error(), tc.url) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%s) = %v, want the URL and %q", tc.url, err, tc.want)
		}
	}
}
