package jsonstr

import (
	"encoding/binary"
	"math/bits"
	"math/rand"
	"slices"
	"strings"
	"testing"
)

// oldAppend is appendString as it was before strings shorter than 8 bytes
// and the last bytes of longer ones were read as one word: the reference
// the fast paths must equal byte for byte.
func oldAppend(dst []byte, s string) []byte {
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
			w = oldEscapeQuotes(out, w, x)
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

// oldEscapeQuotes is escapeQuotes as oldAppend called it.
func oldEscapeQuotes(out []byte, w int, x uint64) int {
	q := zero8(x^(lo8*'"')) | zero8(x^(lo8*'\\'))
	done := 0
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

// TestAppendEqualsOld compares Append with oldAppend, byte for byte, on
// random strings of 0-300 bytes built from long plain runs, runs of
// quotes and backslashes (a JSON line), control bytes, invalid and cut
// UTF-8, U+2028/U+2029 and random bytes, at every length from 0 to 16 of
// each adversarial piece, and after prefixes that leave dst with and
// without spare capacity.
func TestAppendEqualsOld(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	pieces := []string{`"`, `\`, `\"`, `""""""""`, "\x00", "\x01", "\x1f", "\x7f", "\x80", "\xff", "é", "😀", "\u2028", "\u2029",
		"\xe2\x80", "\xe2\x80\xa8", "\xed\xa0\x80", "\n", "\r\n", "\t", strings.Repeat("a", 7), strings.Repeat("b", 8),
		strings.Repeat("c", 9), strings.Repeat("plain ", 20), `{"severity":"INFO","meta.user":"root"}`}
	check := func(s string) {
		t.Helper()
		want := string(oldAppend(nil, s))
		if got := string(Append(nil, s)); got != want {
			t.Fatalf("%q: got %s, want %s", s, got, want)
		}
		pre := append(make([]byte, 0, 3+rng.Intn(40)), "pre"...)
		if got := string(Append(pre, []byte(s))); got != "pre"+want {
			t.Fatalf("%q after a prefix: got %s, want pre%s", s, got, want)
		}
	}
	for _, p := range pieces {
		for n := 0; n <= 16; n++ {
			check(strings.Repeat(p, n))
			check(strings.Repeat("x", n) + p)
			check(p + strings.Repeat("y", n))
		}
	}
	for range 50_000 {
		var b strings.Builder
		for b.Len() < rng.Intn(300) {
			switch rng.Intn(3) {
			case 0:
				b.WriteByte(byte(rng.Intn(256)))
			default:
				b.WriteString(pieces[rng.Intn(len(pieces))])
			}
		}
		check(b.String())
	}
}

// BenchmarkAppendOld is BenchmarkAppend's inputs through oldAppend, to
// compare the two in one run.
func BenchmarkAppendOld(b *testing.B) {
	for _, c := range benchInputs {
		b.Run(c.name, func(b *testing.B) {
			var dst []byte
			b.SetBytes(int64(len(c.s)))
			b.ReportAllocs()
			for b.Loop() {
				dst = oldAppend(dst[:0], c.s)
			}
		})
	}
}
