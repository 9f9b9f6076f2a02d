package inputs

import (
	"bytes"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// Legacy3164Host returns the HOSTNAME of m when m is an RFC 3164 message
// whose TAG is one of gitlab-syslog's APP-NAMEs: as a gitlab-syslog node
// sends with --rfc3164 (<PRI>Mmm dd hh:mm:ss HOSTNAME TAG: MSG), or as
// rsyslog forwards a file with its default templates, which put the
// timestamp in RFC 3339 (RSYSLOG_ForwardFormat, omrelp's default:
// <PRI>2026-12-06T20:41:33.56+00:00 HOSTNAME TAG: MSG) or in the BSD form
// (RSYSLOG_TraditionalForwardFormat, omfwd's). ok is false for anything
// else, RFC 5424 (<PRI>1 ...) included. host aliases m.
func Legacy3164Host(m []byte) (host []byte, ok bool) {
	i := bytes.IndexByte(m, '>')
	if len(m) < 2 || m[0] != '<' || i < 2 || i > 4 {
		return nil, false
	}
	p, ok := skipLegacyStamp(m[i+1:])
	if !ok {
		return nil, false
	}
	sp := bytes.IndexByte(p, ' ')
	if sp <= 0 {
		return nil, false
	}
	host, p = p[:sp], p[sp+1:]
	end := bytes.IndexAny(p, "[:")
	if end <= 0 || typeOf(p[:end]) == parser.TypeUnknown {
		return nil, false
	}
	return host, true
}

// skipLegacyStamp returns p after its TIMESTAMP and the space after it,
// for the BSD form ("Mmm dd hh:mm:ss ", the day padded with a space) and
// RFC 3339 ("2026-12-06T20:41:33.56+00:00 ": four digits and '-' first,
// then no space up to a 'T' and the space after the time); ok is false
// when p starts with neither.
func skipLegacyStamp(p []byte) (rest []byte, ok bool) {
	const bsdLen = len("Jan _2 15:04:05 ")
	if len(p) >= bsdLen && p[3] == ' ' && p[6] == ' ' && p[9] == ':' && p[12] == ':' && p[15] == ' ' {
		return p[bsdLen:], true
	}
	if len(p) < len("2006-01-02T15:04:05Z ") || p[4] != '-' || p[10] != 'T' {
		return nil, false
	}
	for _, c := range p[:4] {
		if c < '0' || c > '9' {
			return nil, false
		}
	}
	sp := bytes.IndexByte(p, ' ')
	if sp < len("2006-01-02T15:04:05Z") {
		return nil, false
	}
	return p[sp+1:], true
}
