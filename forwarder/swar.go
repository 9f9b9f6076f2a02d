package forwarder

// Word-at-a-time scans (SWAR) for the encoder's hot loops: they let the
// common case, a clean 8-byte run, cost a few instructions instead of eight
// table lookups. See "Bit Twiddling Hacks", "Determine if a word has a byte
// equal to n / less than n / greater than n".

const (
	lo8 = 0x0101010101010101
	hi8 = 0x8080808080808080
)

// load8 reads 8 bytes little-endian; the compiler turns it into one load.
func load8(p []byte) uint64 {
	_ = p[7]
	return uint64(p[0]) | uint64(p[1])<<8 | uint64(p[2])<<16 | uint64(p[3])<<24 |
		uint64(p[4])<<32 | uint64(p[5])<<40 | uint64(p[6])<<48 | uint64(p[7])<<56
}

// load8s is load8 for a string.
func load8s(p string) uint64 {
	_ = p[7]
	return uint64(p[0]) | uint64(p[1])<<8 | uint64(p[2])<<16 | uint64(p[3])<<24 |
		uint64(p[4])<<32 | uint64(p[5])<<40 | uint64(p[6])<<48 | uint64(p[7])<<56
}

// valueSpecial8 is non-zero when one of the 8 bytes in x is non-ASCII or
// '"', '\' or ']' (a byte a PARAM-VALUE must look at). '\' (0x5C) and ']'
// (0x5D) differ only in their lowest bit, so one comparison of x|0x01 with
// ']' finds both.
func valueSpecial8(x uint64) uint64 {
	q := x ^ (lo8 * '"')
	r := (x | lo8) ^ (lo8 * ']')
	return (x | (q-lo8)&^q | (r-lo8)&^r) & hi8
}

// headerBad8 is non-zero when one of the 8 bytes in x is outside %d33-126,
// the bytes a HOSTNAME, APP-NAME, PROCID or MSGID may hold. (A flag can be
// set above a bad byte by a borrow or carry, never without one.)
func headerBad8(x uint64) uint64 {
	return (x | (x-lo8*33)&^x | (x + lo8)) & hi8
}

// nameBad8 is non-zero when one of the 8 bytes in x is not an SD-NAME
// character: outside %d33-126, or '=', ']' or '"'.
func nameBad8(x uint64) uint64 {
	e := x ^ (lo8 * '=')
	r := x ^ (lo8 * ']')
	q := x ^ (lo8 * '"')
	return (x | (x-lo8*33)&^x | (x + lo8) | (e-lo8)&^e | (r-lo8)&^r | (q-lo8)&^q) & hi8
}

// load4 reads 4 bytes little-endian.
func load4(p []byte) uint32 {
	_ = p[3]
	return uint32(p[0]) | uint32(p[1])<<8 | uint32(p[2])<<16 | uint32(p[3])<<24
}

// put8 writes x little-endian into p[:8]; the compiler makes it one store.
func put8(p []byte, x uint64) {
	_ = p[7]
	p[0], p[1], p[2], p[3] = byte(x), byte(x>>8), byte(x>>16), byte(x>>24)
	p[4], p[5], p[6], p[7] = byte(x>>32), byte(x>>40), byte(x>>48), byte(x>>56)
}

// put4 writes x little-endian into p[:4].
func put4(p []byte, x uint32) {
	_ = p[3]
	p[0], p[1], p[2], p[3] = byte(x), byte(x>>8), byte(x>>16), byte(x>>24)
}

// putPlain16 copies v, at most 16 bytes, to d, which has room for 16,
// when no byte of v needs attention in a PARAM-VALUE (see valueSpecial8),
// and reports whether it did. The bytes are read and written as two
// overlapping words (of 8 or 4 bytes), or one by one below 4, and checked
// in the same words.
func putPlain16(d, v []byte) bool {
	_ = d[15]
	switch n := len(v); {
	case n >= 8:
		a, b := load8(v), load8(v[n-8:])
		if valueSpecial8(a)|valueSpecial8(b) != 0 {
			return false
		}
		put8(d, a)
		put8(d[n-8:], b)
	case n >= 4:
		a, b := load4(v), load4(v[n-4:])
		if valueSpecial8(uint64(a)|uint64(b)<<32) != 0 {
			return false
		}
		put4(d, a)
		put4(d[n-4:], b)
	case n > 0:
		// Bytes 0, n/2 and n-1 are every byte of a value of 1 to 3 bytes.
		a, b, c := v[0], v[n/2], v[n-1]
		if valueSpecial8(uint64(a)|uint64(b)<<8|uint64(c)<<16) != 0 {
			return false
		}
		d[0], d[n/2], d[n-1] = a, b, c
	}
	return true
}
