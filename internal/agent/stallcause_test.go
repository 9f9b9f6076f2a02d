package agent

import (
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
)

// TestStallCause: the hint after the last error names the known mistake,
// and none is added to a refusal whose own text says what to change.
func TestStallCause(t *testing.T) {
	for _, tc := range []struct {
		last      error
		want, not string
	}{
		{nil, "is the collector running, and does it read", ""},
		{fmt.Errorf("connect: %w", x509.UnknownAuthorityError{}), "give the CA that signed the collector's certificate", "is the collector running"},
		{errors.New("connect: connection refused"), "(is the collector running?)", ""},
		{fmt.Errorf("connect: it requires a client certificate (give forward.tls.cert_file and key_file): %w", forwarder.ErrRefused),
			"it requires a client certificate", "is the collector running"},
		{fmt.Errorf("giving up: the port expects TLS (use a tls:// URL): %w", forwarder.ErrProtocol),
			"use a tls:// URL", "is the collector running"},
	} {
		got := stallCause(tc.last)
		if !strings.Contains(got, tc.want) || tc.not != "" && strings.Contains(got, tc.not) {
			t.Errorf("stallCause(%v) = %q, want %q and not %q", tc.last, got, tc.want, tc.not)
		}
	}
}
