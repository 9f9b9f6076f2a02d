package jsonstr

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestAppend(t *testing.T) {
	for _, s := range []string{"", "plain", "q\"b\\s/", "\x00\x01\x1f\x7f", "\n\r\t", "é😀", "\u2028\u2029", "\xff\xfe", "a\xc3(b", strings.Repeat("\xe2\x82", 3)} {
		got := Append(nil, []byte(s))
		if fromString := Append(nil, s); string(fromString) != string(got) {
			t.Errorf("%q: string and []byte forms differ: %s and %s", s, fromString, got)
		}
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("%q -> %s: %v", s, got, err)
		}
		if !utf8.Valid(got) {
			t.Errorf("%q -> invalid UTF-8 %q", s, got)
		}
		// encoding/json decodes invalid UTF-8 the same way (U+FFFD per byte).
		var want string
		raw, _ := json.Marshal(s)
		json.Unmarshal(raw, &want)
		if back != want {
			t.Errorf("%q -> %q, want %q", s, back, want)
		}
	}
}

func TestAppendNoAllocs(t *testing.T) {
	dst := make([]byte, 0, 256)
	s := "caf\xc3\xa9 \"x\" \u2028 \xff"
	if n := testing.AllocsPerRun(100, func() { dst = Append(dst[:0], s) }); n != 0 {
		t.Errorf("%v allocs per Append", n)
	}
}

// TestAppendEveryOffset puts each kind of byte that is not copied as it is
// (quote, backslash, controls, DEL, a multi-byte rune, U+2028, an invalid
// byte, a rune cut at the end) at every offset of plain text longer than
// the 8-byte runs Append skips at once, and compares the result byte for
// byte with a byte-at-a-time escaper.
func TestAppendEveryOffset(t *testing.T) {
	specials := []string{`"`, `\`, "\x00", "\n", "\r", "\t", "\x1f", "\x7f", "é", "😀", "\u2028", "\u2029", "\xff", "\xe2\x82"}
	for _, sp := range specials {
		for n := 0; n <= 20; n++ {
			for at := 0; at <= n; at++ {
				s := strings.Repeat("a", at) + sp + strings.Repeat("b", n-at)
				if got, want := string(Append(nil, s)), refAppend(s); got != want {
					t.Fatalf("%q: got %s, want %s", s, got, want)
				}
			}
		}
	}
}

// refAppend is Append written byte by byte, as the reference.
func refAppend(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteString(`\` + string(c))
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c < 0x20:
			b.WriteString(`\u00` + string(hex[c>>4]) + string(hex[c&0xf]))
		case c < utf8.RuneSelf:
			b.WriteByte(c)
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			switch {
			case r == utf8.RuneError && size == 1:
				b.WriteString(`\ufffd`)
			case r == '\u2028':
				b.WriteString(`\u2028`)
			case r == '\u2029':
				b.WriteString(`\u2029`)
			default:
				b.WriteString(s[i : i+size])
			}
			i += size
			continue
		}
		i++
	}
	b.WriteByte('"')
	return b.String()
}
