package jsonstr

import (
	"bytes"
	"encoding/json"
	"math/rand"
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

// TestAppendRandom compares Append byte for byte, on random strings
// dense in the bytes that are not copied as they are (quotes,
// backslashes, controls, runes, U+2028/U+2029, invalid and cut UTF-8),
// with the byte-at-a-time escaper and with encoding/json, appended to a
// dst with and without spare capacity.
func TestAppendRandom(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	pieces := []string{`"`, `\`, "\x00", "\b", "\f", "\n", "\r", "\t", "\x1f", "\x7f", "<>&", "é", "😀", "\u2028", "\u2029",
		"\xff", "\xe2\x82", "\xed\xa0\x80", "abcdefgh", "x", `{"a":"b"}`, " "}
	for n := 0; n < 20_000; n++ {
		var b strings.Builder
		for k := rng.Intn(40); k > 0; k-- {
			if rng.Intn(4) == 0 {
				b.WriteByte(byte(rng.Intn(256)))
			} else {
				b.WriteString(pieces[rng.Intn(len(pieces))])
			}
		}
		s := b.String()
		want := refAppend(s)
		if got := string(Append(nil, s)); got != want {
			t.Fatalf("%q: got %s, want %s", s, got, want)
		}
		prefix := []byte("prefix")
		if got := string(Append(append(make([]byte, 0, 6+rng.Intn(64)), prefix...), []byte(s))); got != "prefix"+want {
			t.Fatalf("%q after a prefix: got %s, want prefix%s", s, got, want)
		}
		if got := jsonEscape(t, s); got != want {
			t.Fatalf("%q: encoding/json gives %s, Append %s", s, got, want)
		}
	}
}

// FuzzAppend checks Append against the byte-at-a-time escaper and
// encoding/json on any input (`go test -fuzz FuzzAppend`; a plain test
// run checks the seeds).
func FuzzAppend(f *testing.F) {
	for _, s := range []string{"", `{"a":"\"b\\"}`, "\x00\x1f\x7f\x80", "é😀\u2028\u2029", "\xe2\x82", strings.Repeat(`a"`, 9)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := refAppend(s)
		if got := string(Append(nil, s)); got != want {
			t.Fatalf("%q: got %s, want %s", s, got, want)
		}
		if got := jsonEscape(t, s); got != want {
			t.Fatalf("%q: encoding/json gives %s, Append %s", s, got, want)
		}
	})
}

// jsonEscape is s as encoding/json writes it without HTML escaping, with
// the one difference Append keeps: encoding/json writes U+0008 and U+000C
// as \b and \f, Append as \u0008 and \u000c.
func jsonEscape(t testing.TB, s string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	out := strings.TrimSuffix(buf.String(), "\n")
	var b strings.Builder
	for i := 0; i < len(out); i++ {
		if out[i] != '\\' {
			b.WriteByte(out[i])
			continue
		}
		i++
		switch out[i] {
		case 'b':
			b.WriteString(`\u0008`)
		case 'f':
			b.WriteString(`\u000c`)
		default:
			b.WriteByte('\\')
			b.WriteByte(out[i])
		}
	}
	return b.String()
}

// TestAppendMember compares AppendMember with the member Append writes
// (`,` name `:` value), byte for byte, on names and values of 0 to 40
// bytes, plain and with every kind of byte Append escapes at each place,
// after prefixes that leave dst with and without spare capacity.
func TestAppendMember(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	pieces := []string{`"`, `\`, "\x00", "\x1f", "\x7f", "\x80", "\xff", "é", "\u2028", "\xe2\x80", "\n", "a", "bb", "Target"}
	gen := func() string {
		var b strings.Builder
		for n := rng.Intn(41); b.Len() < n; {
			if rng.Intn(4) == 0 {
				b.WriteString(pieces[rng.Intn(len(pieces))])
			} else {
				b.WriteByte(byte('a' + rng.Intn(26)))
			}
		}
		return b.String()
	}
	for range 100_000 {
		name, value := gen(), gen()
		if rng.Intn(2) == 0 {
			name = strings.Repeat("N", rng.Intn(34))
		}
		if rng.Intn(2) == 0 {
			value = strings.Repeat("v", rng.Intn(34))
		}
		pre := append(make([]byte, 0, 3+rng.Intn(90)), "pre"...)
		want := string(Append(append(Append(append([]byte("pre"), ','), name), ':'), value))
		if got := string(AppendMember(pre, name, value)); got != want {
			t.Fatalf("AppendMember(%q, %q) = %s, want %s", name, value, got, want)
		}
		if got := string(AppendMember(pre, name, []byte(value))); got != want {
			t.Fatalf("AppendMember(%q, []byte(%q)) = %s, want %s", name, value, got, want)
		}
	}
}

// TestAppendValue checks that a member written from its Head is the
// member AppendMember writes, byte for byte, for names and values of
// every length around the fast path's limits and with bytes that need
// escaping, into buffers with and without room; and that NewHead refuses
// the names AppendMember must escape or that are too long.
func TestAppendValue(t *testing.T) {
	names := []string{"a", "raw", "TargetDetails", "meta.feature_category", strings.Repeat("n", 32), strings.Repeat("n", 33), "q\"x", "ctl\x01", "é"}
	values := []string{"", "x", "Administrator", strings.Repeat("v", 31), strings.Repeat("v", 32), strings.Repeat("v", 33),
		"a\"b", "a\\b", "tab\t", "\xff", "\u2028", strings.Repeat("w", 200), `{"k":"v"}`, "ünï"}
	for _, name := range names {
		h, ok := NewHead(name)
		wantOK := len(name) <= 32 && !strings.ContainsAny(name, "\"\\\x01é")
		if ok != wantOK {
			t.Fatalf("NewHead(%q) ok=%v, want %v", name, ok, wantOK)
		}
		if !ok {
			continue
		}
		for _, v := range values {
			for _, prefix := range []string{"", "{\"x\":1", strings.Repeat("p", 100)} {
				want := string(AppendMember([]byte(prefix), name, v))
				tight := []byte(prefix)[:len(prefix):len(prefix)]
				if got := string(AppendValue(tight, &h, v)); got != want {
					t.Errorf("AppendValue(%q, %q) after %d bytes = %s, want %s", name, v, len(prefix), got, want)
				}
				if got := string(AppendValue(append(make([]byte, 0, 512), prefix...), &h, []byte(v))); got != want {
					t.Errorf("AppendValue(%q, []byte %q) with room = %s, want %s", name, v, got, want)
				}
			}
		}
	}
}
