package inputs

import (
	"bytes"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// Legacy3164Host returns the HOSTNAME of m when m is an RFC 3164 message
// as a gitlab-syslog node sends with --rfc3164 (<PRI>Mmm dd hh:mm:ss
// HOSTNAME TAG: MSG) whose TAG is one of gitlab-syslog's APP-NAMEs; ok
// is false for anything else. host aliases m.
func Legacy3164Host(m []byte) (host []byte, ok bool) {
	i := bytes.IndexByte(m, '>')
	if len(m) < 2 || m[0] != '<' || i < 2 || i > 4 {
		return nil, false
	}
	p := m[i+1:]
	// TIMESTAMP: "Mmm dd hh:mm:ss " (the day padded with a space).
	const tsLen = len("Jan _2 15:04:05 ")
	if len(p) < tsLen || p[3] != ' ' || p[6] != ' ' || p[9] != ':' || p[12] != ':' || p[15] != ' ' {
		return nil, false
	}
	p = p[tsLen:]
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
