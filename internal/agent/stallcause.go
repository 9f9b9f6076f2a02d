package agent

import (
	"crypto/x509"
	"errors"
	"net"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
)

// stallCause is stallCause of the running forward.tls.ca_file.
func (a *Agent) stallCause(last error) string {
	a.mu.Lock()
	ca := a.cfg.Forward.TLS.CAFile
	a.mu.Unlock()
	return stallCause(last, ca)
}

// stallCause says why a destination may acknowledge nothing, from the
// forwarder's last error (nil: none recorded, the connection is up): the
// error itself and, where it is a known mistake, what to change. Without
// an error the collector accepted the connection and answers nothing.
// caFile is forward.tls.ca_file ("": the system roots), which an unknown
// authority names.
func stallCause(last error, caFile string) string {
	if last == nil {
		return "is the collector running, and does it read what it receives?"
	}
	msg := "last error: " + last.Error()
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var dnsErr *net.DNSError
	switch {
	case errors.As(last, &unknownCA) && caFile != "":
		msg += " (the CAs of forward.tls.ca_file, " + caFile + ", did not sign the collector's certificate: give the CA that did)"
	case errors.As(last, &unknownCA):
		msg += " (give the CA that signed the collector's certificate: forward.tls.ca_file or --ca-file)"
	case errors.As(last, &hostErr):
		msg += " (the certificate does not name the host dialed: connect by a name it has, or set forward.tls.server_name / --server-name)"
	case errors.As(last, &dnsErr) && dnsErr.IsNotFound:
		msg += " (is the host name right?)"
	case errors.Is(last, forwarder.ErrRefused), errors.Is(last, forwarder.ErrProtocol): // its text says what to change
	default:
		msg += " (is the collector running?)"
	}
	return msg
}
