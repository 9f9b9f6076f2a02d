package inputs

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"strings"
	"time"
)

// handshakeLogEvery bounds the warnings about connections refused at
// their start (a failed TLS handshake, a client speaking another
// protocol) or closed for a malformed frame or a protocol error to one
// per interval and input: a sender retries every second or so, a scanner
// or a health check probes as often. Every such connection is counted.
const handshakeLogEvery = time.Minute

// errMismatch wraps the error of a connection whose client speaks another
// protocol than the input (errors.Is): TLS to a plain input, plain data
// to a TLS one, RELP to a TCP one, syslog frames to a RELP one.
var errMismatch = errors.New("the client speaks another protocol")

// speech is what the first octets a client sent look like.
type speech uint8

const (
	speaksUnknown speech = iota
	speaksTLS            // a TLS handshake record: 0x16 0x03
	speaksRELP           // a RELP frame: TXNR, SP, a command of letters
	speaksSyslog         // a syslog message, octet-counted or not: '<', or digits SP '<'
	speaksHTTP           // an HTTP request: a method, SP, '/' (a browser, a health check)
)

// httpMethods are the request methods speechOf tells HTTP by.
var httpMethods = []string{"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE"}

// speechOf tells what b, the first octets a client sent, look like.
func speechOf(b []byte) speech {
	if len(b) >= 2 && b[0] == 0x16 && b[1] == 0x03 {
		return speaksTLS
	}
	if len(b) > 0 && b[0] == '<' {
		return speaksSyslog
	}
	for _, m := range httpMethods {
		if len(b) > len(m)+1 && string(b[:len(m)]) == m && b[len(m)] == ' ' && b[len(m)+1] == '/' {
			return speaksHTTP
		}
	}
	i := 0
	for i < len(b) && i < 10 && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	if i == 0 || i+1 >= len(b) || b[i] != ' ' {
		return speaksUnknown
	}
	switch c := b[i+1]; {
	case c == '<':
		return speaksSyslog
	case c >= 'a' && c <= 'z':
		return speaksRELP
	}
	return speaksUnknown
}

// schemeOf returns the URL scheme of protocol p, with TLS or not, with
// its "://": "tcp://", "tls://", "relp://" or "relp+tls://".
func schemeOf(p Protocol, withTLS bool) string {
	switch {
	case p == RELP && withTLS:
		return "relp+tls://"
	case p == RELP:
		return "relp://"
	case withTLS:
		return "tls://"
	}
	return "tcp://"
}

// mismatch returns the error for a client whose first octets show sp on
// an input of scheme sc: what the client speaks and how to make the two
// agree; nil when sp is what sc expects or cannot be told. handshake says
// the octets came instead of the TLS handshake of a TLS input; else they
// are the first of the connection (a plain input) or of the TLS session.
func mismatch(sc Scheme, sp speech, handshake bool) error {
	in := schemeOf(sc.Protocol, sc.TLS)
	var what, fix string
	switch {
	case sp == speaksHTTP:
		what = "HTTP (a browser, a load balancer's health check?)"
		fix = "this port takes syslog from gitlab-syslog nodes or rsyslog; point HTTP health checks at the metrics listener's /healthz"
	case handshake && (sp == speaksRELP || sp == speaksSyslog):
		what = "syslog without TLS"
		if sp == speaksRELP {
			what = "RELP without TLS"
		}
		fix = "give the client " + in + " with the CA of this input's certificate (forward.tls.ca_file)"
	case handshake:
		return nil
	case sp == speaksTLS && !sc.TLS:
		what = "TLS"
		fix = "listen with " + schemeOf(sc.Protocol, true) + " and a tls: block, or give the client " + in
	case sp == speaksRELP && sc.Protocol == TCP:
		what = "RELP"
		fix = "listen with " + schemeOf(RELP, sc.TLS) + ", or give the client " + in
	case sp == speaksSyslog && sc.Protocol == RELP:
		what = "syslog frames, not RELP"
		fix = "give the client " + in + ", or listen with " + schemeOf(TCP, sc.TLS)
	default:
		return nil
	}
	return fmt.Errorf("%w: it sends %s to a %s input: %s", errMismatch, what, in, fix)
}

// handshakeMismatch returns mismatch's error for a TLS handshake that
// failed because the client's first record is not TLS (its first octets
// in a tls.RecordHeaderError), or nil.
func handshakeMismatch(sc Scheme, err error) error {
	var rhe tls.RecordHeaderError
	if !errors.As(err, &rhe) {
		return nil
	}
	return mismatch(sc, speechOf(rhe.RecordHeader[:]), true)
}

// clientCertHint says what to change for a TLS handshake that failed on
// the client's certificate (tls.cert_file and key_file of the sending
// agent, this input's client_ca_file), or "" for another failure.
func clientCertHint(err error) string {
	switch s := err.Error(); {
	case strings.Contains(s, "certificate required") || strings.Contains(s, "didn't provide a certificate"):
		return "the client sent no certificate and this input requires one (tls.client_ca_file): give the sending agent forward.tls.cert_file and key_file"
	case strings.Contains(s, "unknown certificate authority") || strings.Contains(s, "certificate signed by unknown authority"):
		return "the client's certificate is not signed by a CA of this input's tls.client_ca_file: give the client a certificate from that CA, or add its CA to the file"
	case strings.Contains(s, "certificate has expired") || strings.Contains(s, "not yet valid"):
		return "the client's certificate is outside its validity period: renew it (check both machines' clocks)"
	}
	return ""
}

// first waits for the first octets of a connection, within the read
// deadline set on it, and returns mismatch's error for them, or nil; a
// read error is returned as the protocol's read would (idleErr). Nothing
// is consumed.
func (s *Server) first(br *bufio.Reader) error {
	if _, err := br.Peek(1); err != nil {
		return idleErr(err)
	}
	b, _ := br.Peek(min(br.Buffered(), 16))
	return mismatch(s.sc, speechOf(b), false)
}

// refused logs msg for a connection from remote refused at its start, or
// closed for a malformed frame or a protocol error, by err, at most once
// per handshakeLogEvery, with the number of such connections not logged
// since the last warning.
func (s *Server) refused(msg, remote string, err error) {
	ok, missed := s.refusedLog.allow(time.Now())
	if !ok {
		return
	}
	s.log.Warn(msg, "listen", s.cfg.Listen, "remote", remote, "err", err, "refused_not_logged", missed)
}
