// Package jsonstr appends text as JSON string literals, without allocating.
package jsonstr

import (
	"encoding/binary"
	"math/bits"
	"slices"
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

// special8 tests the 8 bytes of x (the first in its low byte) at once
// for bytes that are not plain (see plain): it returns 0 when all are
// plain, else a mask whose lowest set bit is bit 8i+7 for the first byte
// i that is not. Bits above it may be set for plain bytes (a borrow of
// the subtractions).
func special8(x uint64) uint64 {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	zero := func(v uint64) uint64 { return (v - lo) & ^v & hi }
	ctl := (x - lo*0x20) & ^x & hi // a byte below 0x20
	return ctl | zero(x^(lo*'"')) | zero(x^(lo*'\\')) | x&hi
}

// lo8, hi8 and low7 are 0x01, 0x80 and 0x7f in every byte of a word.
const lo8, hi8, low7 uint64 = 0x0101010101010101, 0x8080808080808080, 0x7f7f7f7f7f7f7f7f

// zero8 returns the bytes of x that are zero, as their high bits; unlike
// special8's tests it is exact for every byte.
func zero8(x uint64) uint64 {
	return ^((x&low7 + low7) | x) & hi8
}

// ctl8 returns the bytes of x below 0x20, as their high bits, exactly.
func ctl8(x uint64) uint64 {
	return ^((x&low7 + lo8*(0x80-0x20)) | x) & hi8
}

// escapeQuotes writes the 8 bytes of x (the first in its low byte),
// already stored at out[w:] and all plain but quotes and backslashes, at
// out[w:] with a backslash before each quote and backslash, and returns
// the position after them. out must have 24 bytes free at w.
func escapeQuotes(out []byte, w int, x uint64) int {
	q := zero8(x^(lo8*'"')) | zero8(x^(lo8*'\\'))
	done := 0 // the bytes of x before done are in place
	for q != 0 {
		p := bits.TrailingZeros64(q) >> 3
		w += p - done
		out[w] = '\\'
		w++
		binary.LittleEndian.PutUint64(out[w:], x>>(8*p))
		done = p
		q &= q - 1
	}
	return w + 8 - done
}

// load8 returns the 8 bytes of s at i, the first in the low byte.
func load8(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// Append appends s to dst as a JSON string literal. Control characters,
// quotes, backslashes and U+2028/U+2029 are escaped (\n, \r and \t in short
// form); invalid UTF-8 bytes become U+FFFD, so the result is always valid
// JSON.
func Append[S ~string | ~[]byte](dst []byte, s S) []byte {
	// A []byte's header begins as a string's does (data, length).
	return appendString(dst, *(*string)(unsafe.Pointer(&s)))
}

// room is the free space appendString keeps after its write position: a
// word of 8 bytes copied whole, then the longest escape (6 bytes), or a
// word of 8 quotes escaped in place (escapeQuotes: up to 24 bytes).
const room = 24

// appendString is Append on a string. It reads s 8 bytes at a time and
// stores each 8 bytes whole at the end of dst (in its spare capacity),
// then keeps only those before the first byte that is not plain (see
// plain), which it escapes, so that the short runs between the quotes of
// a JSON line cost no copy call of their own; a word whose only such
// bytes are quotes and backslashes is escaped whole (escapeQuotes).
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	w := len(dst)
	out := slices.Grow(dst, len(s)+len(s)/8+room)
	out = out[:cap(out)]
	i := 0
	for i+8 <= len(s) {
		if len(out)-w < room {
			out = slices.Grow(out[:w], len(s)-i+room)
			out = out[:cap(out)]
		}
		x := load8(s, i)
		binary.LittleEndian.PutUint64(out[w:], x)
		m := special8(x)
		if m == 0 {
			i += 8
			w += 8
			continue
		}
		if x&hi8 == 0 && ctl8(x) == 0 {
			// Only quotes and backslashes, the escapes of a JSON line:
			// escaped in the word, without going back to s.
			w = escapeQuotes(out, w, x)
			i += 8
			continue
		}
		n := bits.TrailingZeros64(m) >> 3
		i += n
		w += n
		w, i = escape(out, w, s, i)
	}
	for i < len(s) {
		if len(out)-w < room {
			out = slices.Grow(out[:w], len(s)-i+room)
			out = out[:cap(out)]
		}
		if c := s[i]; plain[c] {
			out[w] = c
			w++
			i++
			continue
		}
		w, i = escape(out, w, s, i)
	}
	return append(out[:w], '"')
}

// escape writes s[i], which is not plain (see plain), at out[w], escaped
// if it must be (a valid rune other than U+2028 and U+2029 is copied as it
// is), and returns the positions after it in out and in s. out must have 6
// bytes free at w.
func escape(out []byte, w int, s string, i int) (int, int) {
	c := s[i]
	switch {
	case c == '"' || c == '\\':
		out[w], out[w+1] = '\\', c
		return w + 2, i + 1
	case c >= utf8.RuneSelf:
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			return w + copy(out[w:], `\ufffd`), i + 1
		case r == '\u2028' || r == '\u2029':
			return w + copy(out[w:], `\u202`) + copy(out[w+5:], hex[r&0xf:r&0xf+1]), i + size
		}
		return w + copy(out[w:], s[i:i+size]), i + size
	}
	n := len(appendEscaped(out[w:w], c))
	return w + n, i + 1
}

// appendEscaped appends the escape of the ASCII control character c.
func appendEscaped(dst []byte, c byte) []byte {
	switch c {
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\t':
		return append(dst, '\\', 't')
	}
	return append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
}
