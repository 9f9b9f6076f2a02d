package inputs

import (
	"bytes"
	"net"
	"sync"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/rfc5424"
)

// notSyslogLogEvery bounds the warnings about received frames that are
// not syslog messages to one per interval and input; every such frame is
// counted.
const notSyslogLogEvery = time.Minute

// notSyslogHead is how many octets of a frame that is not a syslog
// message its warning shows.
const notSyslogHead = 32

// notSyslog returns why m, a received frame, is not a syslog message, or
// "" when it is one. A syslog message, RFC 5424 or RFC 3164, starts with
// <PRI>: '<', one to three digits of a value from 0 to 191, '>'; and it
// holds no NUL octet (binary data; rsyslog and syslog-ng would escape it),
// but for NUL octets after the header of an RFC 5424 message whose header
// parses (rfc5424.ParseHeader), in STRUCTURED-DATA or MSG, and in the MSG
// of a gitlab-syslog node's RFC 3164 message (Legacy3164Host): a node
// agent sends the line of a log padded with NUL bytes (what a crash or a
// copytruncate leaves) as read, and a value \u0000 of its JSON as the
// column's value. Nothing else is asked of it: after <PRI> an RFC 3164
// message is free text, and an RFC 5424 MSG may be any octets (not UTF-8
// without a BOM, §6.4), so neither other control octets nor invalid UTF-8
// make a message that is not syslog.
func notSyslog(m []byte) string {
	end := bytes.IndexByte(m, '>')
	if len(m) < 3 || m[0] != '<' || end < 2 || end > 4 {
		return "no <PRI> at the start"
	}
	pri := 0
	for _, c := range m[1:end] {
		if c < '0' || c > '9' {
			return "no <PRI> at the start"
		}
		pri = pri*10 + int(c-'0')
	}
	if pri > 191 {
		return "PRI over 191"
	}
	if i := bytes.IndexByte(m, 0); i >= 0 {
		var h rfc5424.Header
		if err := rfc5424.ParseHeader(m, &h); err == nil && i >= h.SD {
			return ""
		}
		if host, ok := Legacy3164Host(m); ok && bytes.IndexByte(host, 0) < 0 {
			return "" // a node's RFC 3164 message: the NULs are in its line
		}
		return nulReason
	}
	return ""
}

// nulReason is notSyslog's reason for a frame with a NUL octet that no
// syslog message holds there.
const nulReason = "NUL octet in the message"

// pace bounds a warning to one per interval; the occurrences not logged
// are counted and reported with the next one logged. It is safe for
// concurrent use.
type pace struct {
	mu     sync.Mutex
	every  time.Duration
	last   time.Time
	missed uint64
}

// allow reports whether a warning may be logged at now and, if so, how
// many were held back since the last one logged.
func (p *pace) allow(now time.Time) (ok bool, missed uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.last.IsZero() && now.Sub(p.last) < p.every {
		p.missed++
		return false, 0
	}
	missed, p.last, p.missed = p.missed, now, 0
	return true, missed
}

// dropNotSyslog counts m, a frame from c that is not a syslog message
// (reason from notSyslog), as malformed and logs a warning at most once
// per notSyslogLogEvery: the listen URL, the remote address, the reason
// and the first notSyslogHead octets of m (the log handler escapes
// them). The frame is not spooled, so it is neither forwarded nor seen by
// the detections.
func (s *Server) dropNotSyslog(c net.Conn, m []byte, reason string) {
	s.c.malformed.Add(1)
	ok, missed := s.notSyslogLog.allow(time.Now())
	if !ok {
		return
	}
	what := "a syslog message starts with <PRI>, e.g. <13>"
	if reason == nulReason {
		what = "binary data: a NUL octet in a syslog message's header, or in a message of another sender than a gitlab-syslog node without an RFC 5424 header"
	}
	s.log.Warn("inputs: received data that is not a syslog message dropped; check what sends to this input ("+what+")",
		"listen", s.cfg.Listen, "remote", c.RemoteAddr().String(), "reason", reason,
		"first_bytes", string(m[:min(len(m), notSyslogHead)]), "bytes", len(m), "dropped_not_logged", missed)
}
