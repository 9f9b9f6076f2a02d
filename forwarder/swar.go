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
