package parser

import (
	"encoding/binary"
	"math/bits"
)

// Word-at-a-time (SWAR) byte searches for the parsers' backward scans:
// internal/bytealg.LastIndexByte looks at one byte per iteration.

const (
	lo7   = 0x7f7f7f7f7f7f7f7f
	ones8 = 0x0101010101010101
)

// eqMask returns a mask with the high bit set in exactly the bytes of x
// equal to c (no carries between bytes, so every flag is exact).
func eqMask(x uint64, c byte) uint64 {
	y := x ^ (ones8 * uint64(c))
	return ^((y&lo7 + lo7) | y | lo7)
}

// lastIndexByte is bytes.LastIndexByte(b, c), eight bytes at a time.
func lastIndexByte(b []byte, c byte) int {
	i := len(b)
	for i >= 8 {
		if m := eqMask(binary.LittleEndian.Uint64(b[i-8:]), c); m != 0 {
			return i - 8 + (63-bits.LeadingZeros64(m))>>3
		}
		i -= 8
	}
	for i--; i >= 0; i-- {
		if b[i] == c {
			return i
		}
	}
	return -1
}
