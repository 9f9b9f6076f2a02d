package detect

import (
	"hash/fnv"
	"strings"
	"testing"
)

// TestKeyOfIsFNV128a checks that keyOf is the FNV-1a 128-bit hash of
// hash/fnv: saved event and alert ids are these hashes, so a change would
// make a restart forget them.
func TestKeyOfIsFNV128a(t *testing.T) {
	for _, s := range []string{"", "a", "01HXHSTQ5A02PJVVW2H8FZZ77A\x00user_created\x001715363209058000000",
		strings.Repeat("\xff\x00z", 100), "é😀"} {
		h := fnv.New128a()
		h.Write([]byte(s))
		var want recentKey
		h.Sum(want[:0])
		if got := keyOf(s); got != want {
			t.Errorf("keyOf(%q) = %x, want %x", s, got, want)
		}
		if got := keyOf([]byte(s)); got != want {
			t.Errorf("keyOf([]byte(%q)) = %x, want %x", s, got, want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { keyOf("01HXHSTQ5A02PJVVW2H8FZZ77A") }); n != 0 {
		t.Errorf("keyOf allocates %v times", n)
	}
}

// BenchmarkKeyOf measures the hash of an event's dedupe identity (EventID,
// EventName, creation time in Unix ns).
func BenchmarkKeyOf(b *testing.B) {
	k := []byte("01HXHSTQ5A02PJVVW2H8FZZ77A\x00user_authenticated\x001715363209058000000")
	b.SetBytes(int64(len(k)))
	for b.Loop() {
		keyOf(k)
	}
}
