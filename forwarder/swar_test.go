package forwarder

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// TestSWARMatchesTables checks the word-at-a-time scans against the
// byte tables for every byte value at every position, on clean and dirty
// backgrounds.
func TestSWARMatchesTables(t *testing.T) {
	for _, bg := range []byte{'a', 'Z', '0', '~', '!'} {
		for pos := range 8 {
			for c := range 256 {
				var p [8]byte
				for i := range p {
					p[i] = bg
				}
				p[pos] = byte(c)
				if got, want := valueSpecial8(load8(p[:])) != 0, sdValueSpecial[c]; got != want {
					t.Errorf("valueSpecial8 bg %q pos %d byte %#x = %v, want %v", bg, pos, c, got, want)
				}
				if got, want := nameBad8(load8s(string(p[:]))) != 0, sdNameBad[c]; got != want {
					t.Errorf("nameBad8 bg %q pos %d byte %#x = %v, want %v", bg, pos, c, got, want)
				}
				if got, want := headerBad8(load8(p[:])) != 0, c < 33 || c > 126; got != want {
					t.Errorf("headerBad8 bg %q pos %d byte %#x = %v, want %v", bg, pos, c, got, want)
				}
			}
		}
	}
}

// TestScanEveryPosition puts each kind of byte the encoder must notice at
// every position of names and values of every length around the 8-byte
// word size, and compares appendSDName, appendParamValue and appendParam
// (which copies values of up to 16 bytes as words) with a bytewise
// reference.
func TestScanEveryPosition(t *testing.T) {
	refValue := func(v []byte) string {
		var out []byte
		for len(v) > 0 {
			r, size := utf8.DecodeRune(v)
			switch {
			case r == utf8.RuneError && size == 1:
				out = append(out, "\uFFFD"...)
			case r == '"' || r == '\\' || r == ']':
				out = append(out, '\\', byte(r))
			default:
				out = append(out, v[:size]...)
			}
			v = v[size:]
		}
		return string(out)
	}
	specials := []string{"=", "]", "\"", " ", "\x00", "\x7f", "\\", "é", "\xff", "\xe2\x82"}
	var e Encoder
	const name = "TargetDetails"
	head := e.paramHeads.lookup(name)
	room := make([]byte, 3, 256) // room for the fast path
	for n := 0; n <= 34; n++ {
		for pos := -1; pos < n; pos++ {
			for _, sp := range specials {
				b := []byte(strings.Repeat("a", n))
				if pos >= 0 {
					b = append(b[:pos:pos], append([]byte(sp), b[pos+1:]...)...)
				}
				if got, want := string(e.appendSDName(nil, string(b))), parser.SDName(string(b)); got != want {
					t.Fatalf("appendSDName(%q) = %q, want %q", b, got, want)
				}
				if got, want := string(e.appendParamValue(nil, b)), refValue(b); got != want {
					t.Fatalf("appendParamValue(%q) = %q, want %q", b, got, want)
				}
				p := parser.Field{Name: name, Value: b}
				want := ` ` + name + `="` + refValue(b) + `"`
				for _, dst := range [][]byte{nil, room[:3]} {
					if got := e.appendParam(dst, head, &p); string(got[len(dst):]) != want || string(got[:len(dst)]) != string(dst) {
						t.Fatalf("appendParam(%q) on %d bytes = %q, want %q", b, len(dst), got[len(dst):], want)
					}
				}
				if pos < 0 {
					break
				}
			}
		}
	}
}

// TestHeaderCleanEveryPosition puts every byte value at every position of
// header fields of 0-20 bytes and compares headerClean with a bytewise
// check.
func TestHeaderCleanEveryPosition(t *testing.T) {
	for n := 1; n <= 20; n++ {
		for pos := range n {
			for c := range 256 {
				b := []byte(strings.Repeat("h", n))
				b[pos] = byte(c)
				if got, want := headerClean(string(b)), c >= 33 && c <= 126; got != want {
					t.Fatalf("headerClean(%q) = %v, want %v", b, got, want)
				}
			}
		}
	}
	if !headerClean("") {
		t.Error(`headerClean("") = false`)
	}
}
