// Package jsonstr appends text as JSON string literals, without allocating.
package jsonstr

import (
	"unicode/utf8"
	"unsafe"
)

const hex = "0123456789abcdef"

// plain marks the bytes a JSON string holds as they are: printable ASCII
// other than the quote and the backslash.
var plain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// plain8 reports whether the 8 bytes of s are all plain (see plain),
// testing them at once.
func plain8(s string) bool {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	x := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
	zero := func(v uint64) uint64 { return (v - lo) & ^v & hi }
	ctl := (x - lo*0x20) & ^x & hi // a byte below 0x20
	return (ctl | zero(x^(lo*'"')) | zero(x^(lo*'\\')) | x&hi) == 0
}

// Append appends s to dst as a JSON string literal. Control characters,
// quotes, backslashes and U+2028/U+2029 are escaped (\n, \r and \t in short
// form); invalid UTF-8 bytes become U+FFFD, so the result is always valid
// JSON.
func Append[S ~string | ~[]byte](dst []byte, s S) []byte {
	// A []byte's header begins as a string's does (data, length).
	return appendString(dst, *(*string)(unsafe.Pointer(&s)))
}

// appendString is Append on a string. Runs of 8 plain bytes are skipped
// at once; a run that holds another byte is read byte by byte.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if i+8 <= len(s) && plain8(s[i:i+8]) {
			i += 8
			continue
		}
		for end := min(i+8, len(s)); i < end; {
			c := s[i]
			if plain[c] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			var n int
			dst, n = appendEscaped(dst, s[i:])
			i += n
			start = i
		}
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendEscaped appends the start of s, which is not a plain byte (see
// plain), escaped if it must be, and returns the bytes of s it took.
func appendEscaped(dst []byte, s string) ([]byte, int) {
	c := s[0]
	if c < utf8.RuneSelf {
		switch c {
		case '"', '\\':
			return append(dst, '\\', c), 1
		case '\n':
			return append(dst, '\\', 'n'), 1
		case '\r':
			return append(dst, '\\', 'r'), 1
		case '\t':
			return append(dst, '\\', 't'), 1
		}
		return append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf]), 1
	}
	r, size := utf8.DecodeRuneInString(s)
	switch {
	case r == utf8.RuneError && size == 1:
		return append(dst, `\ufffd`...), 1
	case r == '\u2028' || r == '\u2029':
		return append(dst, '\\', 'u', '2', '0', '2', hex[r&0xf]), size
	}
	return append(dst, s[:size]...), size
}
