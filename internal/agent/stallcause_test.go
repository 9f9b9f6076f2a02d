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
		ca        string
		want, not string
	}{
		{nil, "", "is the collector running, and does it read", ""},
		{fmt.Errorf("connect: %w", x509.UnknownAuthorityError{}), "", "give the CA that signed the collector's certificate: forward.tls.ca_file or --ca-file", "is the collector running"},
		// A CA file given is named, rather than asked for.
		{fmt.Errorf("connect: %w", x509.UnknownAuthorityError{}), "/etc/gitlab-syslog/ca.pem",
			"(the CAs of forward.tls.ca_file, /etc/gitlab-syslog/ca.pem, did not sign the collector's certificate: give the CA that did)", "--ca-file"},
		{errors.New("connect: connection refused"), "", "(is the collector running?)", ""},
		{fmt.Errorf("connect: it requires a client certificate (give forward.tls.cert_file and key_file): %w", forwarder.ErrRefused), "",
			"it requires a client certificate", "is the collector running"},
		{fmt.Errorf("giving up: the port expects TLS (use a tls:// URL): %w", forwarder.ErrProtocol), "",
			"use a tls:// URL", "is the collector running"},
	} {
		got := stallCause(tc.last, tc.ca)
		if !strings.Contains(got, tc.want) || tc.not != "" && strings.Contains(got, tc.not) {
			t.Errorf("stallCause(%v) = %q, want %q and not %q", tc.last, got, tc.want, tc.not)
		}
	}
}
