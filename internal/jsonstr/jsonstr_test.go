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
