package detect

import "testing"

func TestFoldLogin(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"alice", "alice"},
		{"Alice", "alice"},
		{"ALICE@Corp.Example", "alice@corp.example"},
		{"user.name-1_x", "user.name-1_x"},
		{"", ""},
		{"ÄLICE", "älice"},
		// GitLab strips the login (login.downcase.strip): trial 74's
		// brute force split over "alice", "alice " and " alice".
		{"alice ", "alice"},
		{" alice", "alice"},
		{"\tAlice \r\n", "alice"},
		{"alice\x00", "alice"},
		{"al ice", "al ice"},
		{"   ", ""},
		// Ruby's downcase maps U+0130 (İ) to "i\u0307" (SpecialCasing.txt),
		// Go's ToLower to "i": "ALİCE" is not alice's login (trial 251).
		{"ALİCE", "ali\u0307ce"},
		{"ali\u0307ce", "ali\u0307ce"},
	} {
		if got := foldLogin(tc.in); got != tc.want {
			t.Errorf("foldLogin(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { _ = foldLogin("already.lower") }); n != 0 {
		t.Errorf("a lower-case name allocates %v times", n)
	}
}

func TestFoldAddr(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"81.2.69.142", "81.2.69.142"},
		{"::ffff:81.2.69.142", "81.2.69.142"},
		{"::FFFF:81.2.69.142", "81.2.69.142"},
		{"2001:db8::7", "2001:db8::7"},
		{"2001:DB8::7", "2001:db8::7"},
		{"2001:db8:0:0::7", "2001:db8::7"},
		{"2001:0db8:0000:0000:0000:0000:0000:0007", "2001:db8::7"},
		{"", ""},
		{"not-an-address", "not-an-address"},
		{"081.2.69.142", "081.2.69.142"}, // leading zeros: no address to netip, kept as text
		{"fe80::1%eth0", "fe80::1"},      // as canonAddr: sentinel.ti_malicious_ip's one address
		{"FE80::1%eth0", "fe80::1"},
		{"%eth0", "%eth0"},
		{"81.2.69.142%x", "81.2.69.142%x"}, // no address to netip, kept as text
	} {
		if got := foldAddr(tc.in); got != tc.want {
			t.Errorf("foldAddr(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, s := range []string{"81.2.69.142", "2001:db8::7", "unknown"} {
		if n := testing.AllocsPerRun(100, func() { _ = foldAddr(s) }); n != 0 {
			t.Errorf("foldAddr(%q) allocates %v times", s, n)
		}
	}
}
