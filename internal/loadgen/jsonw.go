package loadgen

import "strconv"

// jw appends one JSON object to b, adding commas between members.
type jw struct {
	b     []byte
	first bool
}

func (w *jw) begin() { w.b = append(w.b, '{'); w.first = true }

func (w *jw) end() { w.b = append(w.b, '}'); w.first = false }

func (w *jw) key(k string) {
	if !w.first {
		w.b = append(w.b, ',')
	}
	w.first = false
	w.b = append(w.b, '"')
	w.b = append(w.b, k...)
	w.b = append(w.b, '"', ':')
}

func (w *jw) str(k, v string) { w.key(k); w.b = appendJSONString(w.b, v) }

func (w *jw) strb(k string, v []byte) { w.key(k); w.b = appendJSONString(w.b, v) }

func (w *jw) int(k string, v int64) { w.key(k); w.b = strconv.AppendInt(w.b, v, 10) }

func (w *jw) float(k string, v float64) { w.key(k); w.b = strconv.AppendFloat(w.b, v, 'f', 3, 64) }

// object starts a nested object member; close it with end.
func (w *jw) object(k string) { w.key(k); w.begin() }

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string literal, escaping quotes,
// backslashes and control bytes (\n and \t in short form, the others as
// \u00XX).
func appendJSONString[S ~string | ~[]byte](dst []byte, s S) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
