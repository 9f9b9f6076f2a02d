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
// already stored at p, all plain but quotes and backslashes, at p with a
// backslash before each quote and backslash, and returns the number of
// bytes written (8 to 16). p must have 24 bytes of room: each store is
// of a whole word, the last one up to 7 bytes past the bytes written.
func escapeQuotes(p unsafe.Pointer, x uint64) int {
	q := zero8(x^(lo8*'"')) | zero8(x^(lo8*'\\'))
	w, done := 0, 0 // the bytes of x before done are in place, up to p+w
	for q != 0 {
		k := bits.TrailingZeros64(q) >> 3
		w += k - done
		*(*byte)(unsafe.Add(p, w)) = '\\'
		w++
		put8(unsafe.Add(p, w), x>>(8*k))
		done = k
		q &= q - 1
	}
	return w + 8 - done
}

// put8 stores x at p, the first byte in x's low byte; p must have room for
// 8 bytes. (On little-endian machines it is one store.)
func put8(p unsafe.Pointer, x uint64) { binary.LittleEndian.PutUint64((*[8]byte)(p)[:], x) }

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
// word of 8 quotes escaped in place (words, escapeQuotes: up to 24 bytes).
const room = 24

// appendString is Append on a string. It reads s 8 bytes at a time and
// stores each 8 bytes whole at the end of dst (in its spare capacity),
// then keeps only those before the first byte that is not plain (see
// plain), which it escapes, so that the short runs between the quotes of
// a JSON line cost no copy call of their own; a word whose only such
// bytes are quotes and backslashes is escaped whole (words, and
// escapeQuotes for the last bytes). The
// last 1-7 bytes are read as one word too (the last 8 bytes of s, shifted),
// and a string shorter than 8 bytes as one word of two overlapping loads
// (appendShort): no byte is looked at on its own unless it is escaped.
func appendString(dst []byte, s string) []byte {
	switch {
	case len(s) < 8:
		if out, ok := appendShort(dst, s); ok {
			return out
		}
	case len(s) <= 32:
		if out, ok := appendPlain32(dst, s); ok {
			return out
		}
	}
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
		var stop bool
		if w, i, stop = words(out, w, s, i); stop {
			w, i = escape(out, w, s, i)
		}
	}
	if r := len(s) - i; r > 0 && len(s) >= 8 {
		if len(out)-w < room {
			out = slices.Grow(out[:w], r+room)
			out = out[:cap(out)]
		}
		// The last r bytes, in the low bytes of a word.
		x := load8(s, len(s)-8) >> (64 - 8*r)
		p := unsafe.Pointer(unsafe.SliceData(out[w:]))
		if exact8(x)&(hi8>>(64-8*r)) == 0 {
			put8(p, x)
			w += r
			i += r
		} else if xp := x | lo8*'a'<<(8*r); xp&hi8 == 0 && ctl8(xp) == 0 {
			// Only quotes and backslashes: escaped in the word, whose
			// bytes above the tail are made plain ('a'), then dropped.
			put8(p, xp)
			w += escapeQuotes(p, xp) - (8 - r)
			i += r
		}
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

// words is appendString's loop over the words of s from i, written to
// out from w: it stores each 8 bytes whole, keeps them when all are plain
// (see plain), and escapes a word whose only bytes that are not are quotes
// and backslashes in place, a backslash before each (the escapes of a
// JSON line). It returns the positions after the words done, and stop
// when it stopped at s[i], a byte that is not plain, of a word with
// another kind of such byte (the plain bytes before it are written); it
// stops too when fewer than 8 bytes of s are left, or fewer than room
// bytes of out. It calls nothing: its loop keeps its state in registers.
func words(out []byte, w int, s string, i int) (int, int, bool) {
	sp := unsafe.Pointer(unsafe.StringData(s))
	op := unsafe.Pointer(unsafe.SliceData(out))
	last, wlast := len(s)-8, len(out)-room // the last i and w a word may start at
	for i <= last && w <= wlast {
		x := binary.LittleEndian.Uint64((*[8]byte)(unsafe.Add(sp, i))[:])
		p := unsafe.Add(op, w)
		put8(p, x)
		// The quotes, the backslashes and the bytes below 0x20, as high
		// bits: exact up to the first byte >= 0x80 (no carry crosses an
		// ASCII byte), which hi marks; so the lowest bit of m is exact.
		hi := x & hi8
		xq, xb := x^(lo8*'"'), x^(lo8*'\\')
		low := (x + lo8*(0x80-0x20)) | x // high bit clear: below 0x20
		m := ^(((xq + low7) | xq) & ((xb + low7) | xb) & low) & hi8
		if m|hi == 0 {
			i += 8
			w += 8
			continue
		}
		if hi|^low&hi8 != 0 {
			n := bits.TrailingZeros64(m|hi) >> 3
			return w + n, i + n, true
		}
		// Only quotes and backslashes (m, exact: all bytes are ASCII): a
		// backslash before each, at byte k of the word, then the bytes
		// from k on, one further for each backslash written (q runs ahead
		// of p by that many). Every store is in the room bytes at p
		// (k+d+1+8 <= 7+7+1+8).
		q := p
		for m >>= 7; m != 0; m &= m - 1 {
			t := bits.TrailingZeros64(m) // 8k
			b := unsafe.Add(q, t>>3)
			*(*byte)(b) = '\\'
			put8(unsafe.Add(b, 1), x>>t)
			q = unsafe.Add(q, 1)
		}
		i += 8
		w += 8 + int(uintptr(q)-uintptr(p))
	}
	return w, i, false
}

// appendShort appends s, shorter than 8 bytes, as a JSON string when every
// byte of it is plain (see plain), and reports whether it did. The bytes
// are read as one word: two overlapping loads of 4 bytes, or bytes 0, n/2
// and n-1 of a string of n < 4 bytes (which are all of them); the
// overlapping bytes are the same in both loads, so or-ing them keeps them.
func appendShort(dst []byte, s string) ([]byte, bool) {
	n := len(s)
	var x uint64
	switch {
	case n >= 4:
		x = uint64(load4(s, 0)) | uint64(load4(s, n-4))<<(8*(n-4))
	case n > 0:
		x = uint64(s[0]) | uint64(s[n/2])<<(8*(n/2)) | uint64(s[n-1])<<(8*(n-1))
	}
	if exact8(x)&(hi8>>(64-8*n)) != 0 {
		return dst, false
	}
	w := len(dst)
	if cap(dst)-w < 10 {
		dst = slices.Grow(dst, 10)
	}
	out := dst[:w+10]
	out[w] = '"'
	binary.LittleEndian.PutUint64(out[w+1:], x)
	out[w+1+n] = '"'
	return out[:w+2+n], true
}

// appendPlain32 appends s, of 8 to 32 bytes (a column name or a value
// such as a time or an id), as a JSON string when every byte of it is
// plain (see plain), and reports whether it did. Its words are checked as
// they are copied, the last one overlapping the one before, with no loop
// state of appendString's.
func appendPlain32(dst []byte, s string) ([]byte, bool) {
	n := len(s)
	w := len(dst)
	if cap(dst)-w < 34 {
		dst = slices.Grow(dst, 34)
	}
	// Every store is in dst[w : w+n+2], n <= 32.
	p := unsafe.Pointer(unsafe.SliceData(dst[w : w+34]))
	*(*byte)(p) = '"'
	q := unsafe.Add(p, 1)
	var m uint64
	for i := 0; i < n-8; i += 8 {
		x := load8(s, i)
		m |= special8(x)
		put8(unsafe.Add(q, i), x)
	}
	x := load8(s, n-8)
	m |= special8(x)
	put8(unsafe.Add(q, n-8), x)
	if m != 0 {
		return dst, false
	}
	*(*byte)(unsafe.Add(q, n)) = '"'
	return dst[:w+n+2], true
}

// exact8 returns the bytes of x that are not plain (see plain), as their
// high bits; unlike special8 it is exact for every byte, so that bytes
// outside a string's end can be masked off.
func exact8(x uint64) uint64 {
	return ctl8(x) | zero8(x^(lo8*'"')) | zero8(x^(lo8*'\\')) | x&hi8
}

// load4 returns the 4 bytes of s at i, the first in the low byte.
func load4(s string, i int) uint32 {
	s = s[i : i+4]
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
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

// AppendMember appends a comma and the JSON object member name:value
// (`,"name":"value"`), both escaped as Append escapes them. A name and a
// value of at most 32 bytes that need no escape (column names, most
// values) are copied in words with one check of dst's room, without
// Append's calls per string.
func AppendMember[S ~string | ~[]byte](dst []byte, name string, value S) []byte {
	v := *(*string)(unsafe.Pointer(&value))
	n := len(name)
	if n == 0 || n > 32 || len(v) == 0 || len(v) > 32 {
		return appendString(append(appendString(append(dst, ','), name), ':'), v)
	}
	w := len(dst)
	if cap(dst)-w < 80 {
		dst = slices.Grow(dst, 80)
	}
	// Every store is in dst[w : w+80]: 6 bytes of punctuation and two
	// copies of at most 32 bytes each, the word stores of a short one
	// reaching at most 8 bytes past its start.
	p := unsafe.Pointer(unsafe.SliceData(dst[w : w+80]))
	*(*[2]byte)(p) = [2]byte{',', '"'}
	m := copyPlain(unsafe.Add(p, 2), name)
	q := unsafe.Add(p, 2+n)
	*(*[3]byte)(q) = [3]byte{'"', ':', '"'}
	m |= copyPlain(unsafe.Add(q, 3), v)
	if m != 0 {
		return appendString(append(appendString(append(dst, ','), name), ':'), v)
	}
	end := 2 + n + 3 + len(v)
	*(*byte)(unsafe.Add(p, end)) = '"'
	return dst[:w+end+1]
}

// copyPlain copies s, of 1 to 32 bytes, to p in words and returns 0 when
// every byte of s is plain (see plain), else a mask that is not 0. p must
// have room for max(len(s), 8) bytes.
func copyPlain(p unsafe.Pointer, s string) uint64 {
	n := len(s)
	if n < 8 {
		var x uint64
		if n >= 4 {
			x = uint64(load4(s, 0)) | uint64(load4(s, n-4))<<(8*(n-4))
		} else {
			x = uint64(s[0]) | uint64(s[n/2])<<(8*(n/2)) | uint64(s[n-1])<<(8*(n-1))
		}
		put8(p, x)
		return exact8(x) & (hi8 >> (64 - 8*n))
	}
	var m uint64
	for i := 0; i < n-8; i += 8 {
		x := load8(s, i)
		m |= special8(x)
		put8(unsafe.Add(p, i), x)
	}
	x := load8(s, n-8)
	put8(unsafe.Add(p, n-8), x)
	return m | special8(x)
}
