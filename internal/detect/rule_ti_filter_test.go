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
	set, bad := parseIndicators([]byte("203.0.113.0/24\n198.51.100.77\n10.0.0.0/8\n172.16.0.0/12\n0.0.0.0/32\n2001:db8:dead::/48\n::ffff:192.0.2.1\n100.64.0.0/10\n"))
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
		_, _, want := r.lookup(ip)
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
