package detect

import (
	"strings"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// foldLogin returns the login name of a failed sign-in as GitLab matches
// it to an account: without the white space around it and lower-cased,
// since GitLab finds the user of a login by login.downcase.strip
// (User.find_for_database_authentication, app/models/user.rb), so that
// "alice", "Alice", "ALICE" and " alice " are one account to the sign-in
// rules. White space is what Ruby's String#strip removes: NUL, HT, LF,
// VT, FF, CR and space. Lower-casing is Ruby's downcase, Unicode's full
// mapping: as Go's ToLower, but for the one unconditional special case of
// SpecialCasing.txt, U+0130 (İ) to "i\u0307", not "i". A name with neither
// white space around it nor an upper-case letter is returned as it is,
// without allocation.
func foldLogin(s string) string {
	s = strings.TrimFunc(s, isRubySpace)
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' || c >= 0x80 {
			return strings.ToLower(strings.ReplaceAll(s, "\u0130", "i\u0307"))
		}
	}
	return s
}

// isRubySpace reports whether r is white space to Ruby's String#strip.
func isRubySpace(r rune) bool {
	return r == 0 || r == ' ' || '\t' <= r && r <= '\r'
}

// foldAddr returns the client address of a sign-in as the address it is,
// not as text: an IPv4-mapped IPv6 address as its IPv4 address, an IPv6
// address in its canonical form (RFC 5952: lower case, zeros compressed),
// so that "::ffff:81.2.69.142" and "81.2.69.142", or "2001:DB8:0:0::7"
// and "2001:db8::7", are one address to the sign-in rules and to the
// keys of sentinel.ti_malicious_ip; an address with a zone
// ("fe80::1%eth0") as the address without it, as canonAddr takes it. Text
// that is no address and an address already in that form are returned as
// they are, without allocation.
func foldAddr(s string) string {
	plain := true // digits and dots only: an IPv4 address as GitLab writes it, or no address
scan:
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case '0' <= c && c <= '9' || c == '.':
		case 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' || c == ':':
			plain = false
		case c == '%' && i > 0: // a zone (fe80::1%eth0): the address without it
			plain = false
			break scan
		default:
			return s // no address, kept as text
		}
	}
	if plain {
		return s
	}
	a, ok := canonAddr(s)
	if !ok {
		return s
	}
	var buf [64]byte
	if c := a.AppendTo(buf[:0]); string(c) != s {
		return string(c)
	}
	return s
}

// foldKey returns the value v of column col as the sign-in rules key it:
// a user name folded by foldLogin, an address by foldAddr, another column's
// value as it is.
func foldKey(col, v string) string {
	switch col {
	case parser.ColUsername:
		return foldLogin(v)
	case parser.ColIPAddress:
		return foldAddr(v)
	}
	return v
}
