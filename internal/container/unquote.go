package container

import (
	"unicode/utf16"
	"unicode/utf8"
)

// AppendUnquoted appends the text of the quoted string literal q (with its
// quotes) to dst and reports whether q was well formed. It accepts the
// escapes of JSON (RFC 8259: \" \\ \/ \b \f \n \r \t \uXXXX, surrogate
// pairs joined) and those Go's strconv.Quote writes (\a \v \xXX for a byte
// that is not UTF-8, \UXXXXXXXX), so that a line quoted by either comes
// back byte for byte. Raw bytes other than '"' and '\\' are copied as they
// are. On failure dst may hold part of the text.
func AppendUnquoted(dst, q []byte) ([]byte, bool) {
	if len(q) < 2 || q[0] != '"' || q[len(q)-1] != '"' {
		return dst, false
	}
	s := q[1 : len(q)-1]
	for i := 0; i < len(s); {
		start := i
		for i < len(s) && s[i] != '\\' && s[i] != '"' {
			i++
		}
		dst = append(dst, s[start:i]...)
		if i == len(s) {
			break
		}
		if s[i] == '"' || i+1 == len(s) {
			return dst, false
		}
		var ok bool
		dst, i, ok = appendEscape(dst, s, i)
		if !ok {
			return dst, false
		}
	}
	return dst, true
}

// appendEscape decodes the escape at s[i] (a backslash) and returns the
// index after it.
func appendEscape(dst, s []byte, i int) ([]byte, int, bool) {
	c := s[i+1]
	switch c {
	case '"', '\\', '/', '\'':
		return append(dst, c), i + 2, true
	case 'a':
		return append(dst, '\a'), i + 2, true
	case 'b':
		return append(dst, '\b'), i + 2, true
	case 'f':
		return append(dst, '\f'), i + 2, true
	case 'n':
		return append(dst, '\n'), i + 2, true
	case 'r':
		return append(dst, '\r'), i + 2, true
	case 't':
		return append(dst, '\t'), i + 2, true
	case 'v':
		return append(dst, '\v'), i + 2, true
	case 'x':
		v, ok := hexVal(s, i+2, 2)
		return append(dst, byte(v)), i + 4, ok
	case 'U':
		v, ok := hexVal(s, i+2, 8)
		if !ok || !utf8.ValidRune(rune(v)) {
			return dst, i, false
		}
		return utf8.AppendRune(dst, rune(v)), i + 10, true
	case 'u':
		v, ok := hexVal(s, i+2, 4)
		if !ok {
			return dst, i, false
		}
		r, n := rune(v), i+6
		if utf16.IsSurrogate(r) {
			if lo, ok := hexVal(s, n+2, 4); ok && n+1 < len(s) && s[n] == '\\' && s[n+1] == 'u' {
				if p := utf16.DecodeRune(r, rune(lo)); p != utf8.RuneError {
					return utf8.AppendRune(dst, p), n + 6, true
				}
			}
		}
		return utf8.AppendRune(dst, r), n, true
	}
	return dst, i, false
}

// hexVal reads n hex digits at s[i:].
func hexVal(s []byte, i, n int) (uint32, bool) {
	if i+n > len(s) {
		return 0, false
	}
	var v uint32
	for _, c := range s[i : i+n] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		v = v<<4 | uint32(c)
	}
	return v, true
}
