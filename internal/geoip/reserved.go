package geoip

import "net/netip"

// reservedPrefixes are the special-purpose networks (IANA IPv4 and IPv6
// special-purpose registries, as MaxMind's writer lists them) that the
// private/loopback/link-local/multicast/unspecified checks of net/netip do not
// already cover. Addresses in them are never looked up.
var reservedPrefixes = [...]netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"), // shared address space (CGNAT)
	netip.MustParsePrefix("192.0.0.0/24"),  // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),  // TEST-NET-1
	netip.MustParsePrefix("192.88.99.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // TEST-NET-2
	netip.MustParsePrefix("203.0.113.0/24"),  // TEST-NET-3
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, includes broadcast
	netip.MustParsePrefix("100::/64"),        // discard-only
	netip.MustParsePrefix("2001::/23"),       // IETF protocol assignments (Teredo 2001::/32 excepted below)
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
}

var teredo = netip.MustParsePrefix("2001::/32")

// routable reports whether a is a global unicast address worth looking up.
// IPv4-mapped IPv6 addresses are judged by their IPv4 address.
func routable(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() || a.IsUnspecified() || a.IsLoopback() || a.IsPrivate() ||
		a.IsMulticast() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() {
		return false
	}
	if teredo.Contains(a) {
		return true
	}
	for _, p := range reservedPrefixes {
		if p.Contains(a) {
			return false
		}
	}
	return true
}
