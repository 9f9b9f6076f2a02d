package detect

import "net/netip"

// v4Filter is a bit per IPv4 /16: set when an indicator (an address or a
// prefix) covers an address of that /16. Most addresses of a log fall in
// a /16 no indicator touches: Keep then answers from the first two
// octets of the text, without parsing the address or hashing it.
type v4Filter [1 << 16 / 64]uint64

// newV4Filter returns the filter of the IPv4 addresses and prefixes of s.
func newV4Filter(s *indicators) *v4Filter {
	f := new(v4Filter)
	for a := range s.addrs {
		if a.Is4() {
			f.setRange(a, 32)
		}
	}
	for p := range s.prefixes {
		if p.Addr().Is4() {
			f.setRange(p.Addr(), p.Bits())
		}
	}
	return f
}

// setRange sets the bits of the /16s that the prefix a/bits covers.
func (f *v4Filter) setRange(a netip.Addr, bits int) {
	b := a.As4()
	first := uint32(b[0])<<8 | uint32(b[1])
	n := uint32(1)
	if bits < 16 {
		first &^= 1<<(16-bits) - 1
		n = 1 << (16 - bits)
	}
	for i := first; i < first+n; i++ {
		f[i/64] |= 1 << (i % 64)
	}
}

// missed reports whether ip is dotted-decimal IPv4 text whose /16 no
// indicator touches. It reads the first two octets strictly (digits
// without leading zero, at most 255, each followed by a dot), as
// netip.ParseAddr reads them; any other text is not missed (Keep parses
// it).
func (f *v4Filter) missed(ip string) bool {
	var hi uint32
	i := 0
	for octet := range 2 {
		v, start := uint32(0), i
		for i < len(ip) && ip[i] >= '0' && ip[i] <= '9' && i-start < 3 {
			v = v*10 + uint32(ip[i]-'0')
			i++
		}
		if i == start || i == len(ip) || ip[i] != '.' || v > 255 || (ip[start] == '0' && i-start > 1) {
			return false
		}
		i++
		hi |= v << (8 * (1 - octet))
	}
	return f[hi/64]&(1<<(hi%64)) == 0
}
