package parser

import (
	"encoding/binary"
	"math/bits"
	"unicode/utf16"
	"unicode/utf8"
)

// This file holds a small validating JSON scanner. It walks a line once,
// checks it against the JSON grammar exactly as encoding/json does (including
// its nesting limit), and reports where each top-level value starts and ends,
// so that the parsers only unescape the values they keep.

// maxDepth is encoding/json's nesting limit: deeper input is rejected.
const maxDepth = 10000

// Value kinds recorded for a scanned value.
const (
	kindNone   byte = iota // no value
	kindString             // "..."
	kindNumber             // -1.5e3
	kindTrue               // true
	kindFalse              // false
	kindNull               // null
	kindObject             // {...}
	kindArray              // [...]
)

// String flags reported by scanString.
const (
	strEscape   byte = 1 << iota // contains a backslash escape
	strNonASCII                  // contains a byte >= 0x80
)

// span is a scanned value: line[start:end] is its JSON text.
type span struct {
	start, end int32 // lines are limited to maxLine bytes
	kind       byte
	flags      byte // string flags, for kindString
	src        byte // where the value came from (srcTop or srcDetails)
	// alias says whether emit can alias the value's text: 0 when the value
	// needs emitSlow (the zero span included), aliasNumber for a number,
	// aliasString for a non-empty string without escapes or non-ASCII bytes
	// (the text between its quotes).
	alias byte
}

// blank reports whether s is null or "": no value, which emit leaves out.
func (s *span) blank() bool {
	return s.kind == kindNull || s.kind == kindString && s.end-s.start == 2
}

// replaces reports whether a value from src, blank (null or "") or not,
// takes the place of cur, the key's value so far: the top level wins over
// the nested details object, as GitLab's flattened copy of it, except that
// a blank top-level value leaves a value of details standing (a line with
// "ip_address":null at its top level and the address in details keeps the
// address); a later value from the same place replaces an earlier one, as
// in a map.
func replaces(cur *span, src byte, blank bool) bool {
	if src == srcTop {
		return !blank || cur.src != srcDetails || cur.blank()
	}
	return cur.src != srcTop || cur.blank() && !blank
}

// Values of span.alias; alias-1 bytes are dropped from each end.
const (
	aliasNumber = 1
	aliasString = 2
)

// maxLine is the longest JSON line the scanner accepts (spans are int32).
const maxLine = 1<<31 - 1

// scanErr is a syntax error: what was wrong and at which byte.
type scanErr struct {
	off    int
	reason string
}

func isWS(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipWS(b []byte, i int) int {
	for i < len(b) && isWS(b[i]) {
		i++
	}
	return i
}

// strPlain marks the bytes that need no attention inside a JSON string:
// printable ASCII other than '"' and '\\'.
var strPlain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// scanString scans the string starting at b[i] == '"' and returns the index
// just after the closing quote and the string flags.
func scanString(b []byte, i int) (int, byte, *scanErr) {
	i++ // opening quote
	var flags byte
	for {
		// Skip eight plain bytes at a time and jump to the first special
		// one; bytewise only within the last eight bytes of the line.
		for i+8 <= len(b) {
			if m := specialMask(binary.LittleEndian.Uint64(b[i:])); m != 0 {
				i += bits.TrailingZeros64(m) >> 3
				break
			}
			i += 8
		}
		for i < len(b) && strPlain[b[i]] {
			i++
		}
		if i >= len(b) {
			return 0, 0, &scanErr{len(b), "unterminated string"}
		}
		switch c := b[i]; {
		case c == '"':
			return i + 1, flags, nil
		case c == '\\':
			flags |= strEscape
			if i+1 >= len(b) {
				return 0, 0, &scanErr{i, "unterminated string"}
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(b) {
					return 0, 0, &scanErr{i, "invalid \\u escape in string"}
				}
				for _, h := range b[i+2 : i+6] {
					if hexVal(h) < 0 {
						return 0, 0, &scanErr{i, "invalid \\u escape in string"}
					}
				}
				i += 6
			default:
				return 0, 0, &scanErr{i, "invalid escape in string"}
			}
		case c < 0x20:
			return 0, 0, &scanErr{i, "control character in string"}
		default: // >= 0x80
			flags |= strNonASCII
			i++
		}
	}
}

// specialMask returns, for the eight bytes in x (little-endian), a mask
// with the high bit set in the lowest byte that is '"', '\\', a control
// character or >= 0x80, or 0 when there is none. Bytes above the lowest
// special one may be flagged too (a borrow carries into them), so only the
// lowest set bit is meaningful: bits.TrailingZeros64(m)/8 is its index.
func specialMask(x uint64) uint64 {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	q := x ^ (ones * '"')
	bs := x ^ (ones * '\\')
	return ((q-ones)&^q | (bs-ones)&^bs | (x-ones*0x20)&^x | x) & highs
}

func hexVal(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// scanNumber scans -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? at b[i].
func scanNumber(b []byte, i int) (int, *scanErr) {
	start := i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
	default:
		return 0, &scanErr{start, "invalid number"}
	}
	if i < len(b) && b[i] == '.' {
		i++
		d := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		if i == d {
			return 0, &scanErr{i, "invalid number"}
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		d := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		if i == d {
			return 0, &scanErr{i, "invalid number"}
		}
	}
	return i, nil
}

func scanLiteral(b []byte, i int, lit string) (int, *scanErr) {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return 0, &scanErr{i, "invalid literal"}
	}
	return i + len(lit), nil
}

// scanValue scans the value starting at b[i] (no leading space) and returns
// its end and kind. depth is the nesting depth of the value's container.
func scanValue(b []byte, i, depth int) (int, byte, *scanErr) {
	if i >= len(b) {
		return 0, kindNone, &scanErr{i, "unexpected end of JSON"}
	}
	switch c := b[i]; {
	case c == '"':
		end, _, err := scanString(b, i)
		return end, kindString, err
	case c == '{':
		end, err := skipObject(b, i, depth+1)
		return end, kindObject, err
	case c == '[':
		end, err := skipArray(b, i, depth+1)
		return end, kindArray, err
	case c == 't':
		end, err := scanLiteral(b, i, "true")
		return end, kindTrue, err
	case c == 'f':
		end, err := scanLiteral(b, i, "false")
		return end, kindFalse, err
	case c == 'n':
		end, err := scanLiteral(b, i, "null")
		return end, kindNull, err
	case c == '-' || ('0' <= c && c <= '9'):
		end, err := scanNumber(b, i)
		return end, kindNumber, err
	}
	return 0, kindNone, &scanErr{i, "invalid character " + quoteByte(b[i]) + " looking for a value"}
}

func quoteByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return "'" + string(rune(c)) + "'"
	}
	const hex = "0123456789abcdef"
	return "0x" + string([]byte{hex[c>>4], hex[c&15]})
}

// skipObject validates the object at b[i] == '{' at the given depth.
func skipObject(b []byte, i, depth int) (int, *scanErr) {
	if depth > maxDepth {
		return 0, &scanErr{i, "exceeded max nesting depth"}
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, nil
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return 0, &scanErr{i, "expected object key"}
		}
		end, _, err := scanString(b, i)
		if err != nil {
			return 0, err
		}
		i = skipWS(b, end)
		if i >= len(b) || b[i] != ':' {
			return 0, &scanErr{i, "expected ':' after object key"}
		}
		i = skipWS(b, i+1)
		if i, _, err = scanValue(b, i, depth); err != nil {
			return 0, err
		}
		i = skipWS(b, i)
		if i >= len(b) {
			return 0, &scanErr{i, "unexpected end of JSON"}
		}
		switch b[i] {
		case ',':
			i = skipWS(b, i+1)
		case '}':
			return i + 1, nil
		default:
			return 0, &scanErr{i, "expected ',' or '}' after object value"}
		}
	}
}

// skipArray validates the array at b[i] == '[' at the given depth.
func skipArray(b []byte, i, depth int) (int, *scanErr) {
	if depth > maxDepth {
		return 0, &scanErr{i, "exceeded max nesting depth"}
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == ']' {
		return i + 1, nil
	}
	for {
		var err *scanErr
		if i, _, err = scanValue(b, i, depth); err != nil {
			return 0, err
		}
		i = skipWS(b, i)
		if i >= len(b) {
			return 0, &scanErr{i, "unexpected end of JSON"}
		}
		switch b[i] {
		case ',':
			i = skipWS(b, i+1)
		case ']':
			return i + 1, nil
		default:
			return 0, &scanErr{i, "expected ',' or ']' after array element"}
		}
	}
}

// appendUnescaped appends the decoded contents of a JSON string (s is the
// text between the quotes, already validated) to dst, with the same result
// as encoding/json: escapes are decoded, lone surrogates and invalid UTF-8
// bytes become U+FFFD.
func appendUnescaped(dst, s []byte) []byte {
	dst, _ = appendUnescapedRepair(dst, s)
	return dst
}

// appendUnescapedRepair is appendUnescaped, also reporting whether s held
// invalid UTF-8 bytes (replaced by U+FFFD).
func appendUnescapedRepair(dst, s []byte) (out []byte, repaired bool) {
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\':
			switch s[i+1] {
			case 'b':
				dst = append(dst, '\b')
			case 'f':
				dst = append(dst, '\f')
			case 'n':
				dst = append(dst, '\n')
			case 'r':
				dst = append(dst, '\r')
			case 't':
				dst = append(dst, '\t')
			case 'u':
				r := getu4(s[i:])
				i += 6
				if utf16.IsSurrogate(r) {
					r1 := getu4(s[i:])
					if dec := utf16.DecodeRune(r, r1); dec != utf8.RuneError {
						i += 6
						dst = utf8.AppendRune(dst, dec)
						continue
					}
					r = utf8.RuneError
				}
				dst = utf8.AppendRune(dst, r)
				continue
			default: // '"', '\\', '/'
				dst = append(dst, s[i+1])
			}
			i += 2
		case c < utf8.RuneSelf:
			dst = append(dst, c)
			i++
		default:
			r, size := utf8.DecodeRune(s[i:])
			if r == utf8.RuneError && size == 1 {
				dst = utf8.AppendRune(dst, utf8.RuneError)
				repaired = true
			} else {
				dst = append(dst, s[i:i+size]...)
			}
			i += size
		}
	}
	return dst, repaired
}

// getu4 decodes \uXXXX at the start of s, or returns -1.
func getu4(s []byte) rune {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range s[2:6] {
		v := hexVal(c)
		if v < 0 {
			return -1
		}
		r = r<<4 | rune(v)
	}
	return r
}

// appendValidUTF8 appends s to dst replacing every invalid byte with
// U+FFFD, and reports whether it replaced any.
func appendValidUTF8(dst, s []byte) (out []byte, repaired bool) {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			dst = append(dst, c)
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = utf8.AppendRune(dst, utf8.RuneError)
			repaired = true
		} else {
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return dst, repaired
}

// trimKey removes leading and trailing JSON whitespace from a key, so that a
// key written as "entity_type " still matches.
func trimKey(k []byte) []byte {
	for len(k) > 0 && isWS(k[0]) {
		k = k[1:]
	}
	for len(k) > 0 && isWS(k[len(k)-1]) {
		k = k[:len(k)-1]
	}
	return k
}
