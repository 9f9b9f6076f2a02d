package detect

import (
	"math/rand/v2"
	"net/netip"
	"strconv"
	"strings"
	"testing"
)

// TestV4FilterAgrees checks that the /16 filter of the TI rule never hides
// a listed address: on edge-case texts and on random addresses in and
// around the indicators, Keep (with the filter) equals the lookup without
// it; and that it answers most unlisted IPv4 addresses itself.
func TestV4FilterAgrees(t *testing.T) {
	set, bad, _ := parseIndicators([]byte("203.0.113.0/24\n198.51.100.77\n10.0.0.0/8\n172.16.0.0/12\n0.0.0.0/32\n2001:db8:dead::/48\n::ffff:192.0.2.1\n100.64.0.0/10\n"))
	if len(bad) > 0 {
		t.Fatal(bad)
	}
	r := &tiRule{}
	r.set.Store(set)
	texts := []string{
		"", "1", "1.", "1.2", "1.2.", "203.0.113.9", "203.0.114.9", "198.51.100.77", "198.51.100.78",
		"010.1.2.3", "10.01.2.3", "10.1.2.3", "0.0.0.0", "00.0.0.0", "256.1.2.3", "203.0.113.9%eth0",
		"::ffff:203.0.113.9", "::ffff:10.1.1.1", "2001:db8:dead::1", "2001:db8:beef::1", "192.0.2.1",
		"::ffff:192.0.2.1", "172.31.255.255", "172.32.0.1", "100.127.1.1", "100.128.1.1", " 10.1.2.3",
		"10.1.2.3 ", "1000.1.2.3", "10..2.3", "a.b.c.d", "1.2.3.4.5", "255.255.255.255",
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		a := netip.AddrFrom4([4]byte{byte(rng.IntN(256)), byte(rng.IntN(256)), byte(rng.IntN(256)), byte(rng.IntN(256))})
		texts = append(texts, a.String())
	}
	for _, p := range []string{"203.0.113.", "198.51.100.", "10.", "172.16.", "172.31.", "100.64.", "100.127."} {
		for range 200 {
			ip := p
			for n := strings.Count(p, "."); n < 4; n++ {
				ip += strconv.Itoa(rng.IntN(256))
				if n < 3 {
					ip += "."
				}
			}
			texts = append(texts, ip)
		}
	}
	missed := 0
	for _, ip := range texts {
		_, want := r.lookup(ip)
		if got := r.Keep(0, mapColumns{"IPAddress": ip}); got != want {
			t.Errorf("%q: Keep = %v, lookup = %v", ip, got, want)
		}
		if set.v4.missed(ip) {
			missed++
		}
	}
	if missed < len(texts)*9/10 {
		t.Errorf("the filter answered %d of %d addresses itself; want most", missed, len(texts))
	}
}

// mapColumns is Columns over a map.
type mapColumns map[string]string

func (m mapColumns) Get(col string) string { return m[col] }

// TestV4FilterMissedStrict checks missed against a plain reading of its
// contract (missedRef) on edge cases and random texts made of digits and
// dots: the same answer on each.
func TestV4FilterMissedStrict(t *testing.T) {
	set, bad, _ := parseIndicators([]byte("203.0.113.0/24\n10.0.0.0/8\n0.0.0.0/16\n255.255.0.0/16\n"))
	if len(bad) > 0 {
		t.Fatal(bad)
	}
	f := set.v4
	texts := []string{"", ".", "0.", "0.0", "0.0.", "00.0.", "0.00.", "1.2.3.4", "255.255.", "256.0.", "25.255.", "255.256.",
		"1.1", "12.", "12.3", "123.4", "123.45.", "1234.5.", "1.234.", "1.2345.", "10.1.", "010.1.", "203.0.", "203.00.", "9.9.9.9"}
	rng := rand.New(rand.NewPCG(3, 4))
	const alphabet = "0123456789..a5"
	for range 200000 {
		b := make([]byte, rng.IntN(10))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		texts = append(texts, string(b))
	}
	hits := 0
	for _, ip := range texts {
		got, want := f.missed(ip), missedRef(f, ip)
		if got != want {
			t.Errorf("%q: missed = %v, the contract: %v", ip, got, want)
		}
		if want {
			hits++
		}
	}
	if hits < 1000 {
		t.Errorf("only %d texts are missed: the comparison tells little", hits)
	}
}

// missedRef is v4Filter.missed read from its contract: the text up to its
// second dot is two octets of one to three digits, without leading zero,
// at most 255, and the filter has no bit for their /16.
func missedRef(f *v4Filter, ip string) bool {
	parts := strings.SplitN(ip, ".", 3)
	if len(parts) < 3 {
		return false
	}
	var hi uint32
	for _, p := range parts[:2] {
		n, err := strconv.Atoi(p)
		if err != nil || len(p) == 0 || len(p) > 3 || p[0] == '+' || p[0] == '-' || (p[0] == '0' && len(p) > 1) || n > 255 {
			return false
		}
		hi = hi<<8 | uint32(n)
	}
	return f[hi/64]&(1<<(hi%64)) == 0
}
