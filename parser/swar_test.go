package parser

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// TestLastIndexByte compares lastIndexByte with bytes.LastIndexByte for
// every length up to 40 and every position of zero, one or two matches,
// with bytes next to the searched one that a carry could confuse.
func TestLastIndexByte(t *testing.T) {
	fill := []byte{'"' - 1, '"' + 1, '"' | 0x80, 0, 0xff, 'a'}
	rng := rand.New(rand.NewPCG(3, 4))
	for n := range 41 {
		for trial := range 200 {
			b := make([]byte, n)
			for i := range b {
				b[i] = fill[rng.IntN(len(fill))]
			}
			for range trial % 3 {
				if n > 0 {
					b[rng.IntN(n)] = '"'
				}
			}
			if got, want := lastIndexByte(b, '"'), bytes.LastIndexByte(b, '"'); got != want {
				t.Fatalf("lastIndexByte(%q) = %d, want %d", b, got, want)
			}
		}
	}
}
