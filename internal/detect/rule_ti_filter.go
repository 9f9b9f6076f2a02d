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
	a, i := octetDot(ip, 0)
	if i < 0 {
		return false
	}
	b, i := octetDot(ip, i)
	if i < 0 {
		return false
	}
	hi := a<<8 | b
	return f[hi/64]&(1<<(hi%64)) == 0
}

// octetDot reads the octet of ip at i: one to three digits without
// leading zero, at most 255, followed by a dot. It returns its value and
// the index after the dot, or -1 when ip has no such octet at i.
func octetDot(ip string, i int) (uint32, int) {
	if i+1 >= len(ip) {
		return 0, -1
	}
	d0 := uint32(ip[i]) - '0'
	switch {
	case d0 > 9:
		return 0, -1
	case ip[i+1] == '.':
		return d0, i + 2
	case d0 == 0 || i+2 >= len(ip):
		return 0, -1
	}
	d1 := uint32(ip[i+1]) - '0'
	switch {
	case d1 > 9:
		return 0, -1
	case ip[i+2] == '.':
		return d0*10 + d1, i + 3
	case i+3 >= len(ip):
		return 0, -1
	}
	d2 := uint32(ip[i+2]) - '0'
	v := d0*100 + d1*10 + d2
	if d2 > 9 || ip[i+3] != '.' || v > 255 {
		return 0, -1
	}
	return v, i + 4
}
