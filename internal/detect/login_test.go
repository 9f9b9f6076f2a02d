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
	} {
		if got := foldLogin(tc.in); got != tc.want {
			t.Errorf("foldLogin(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { _ = foldLogin("already.lower") }); n != 0 {
		t.Errorf("a lower-case name allocates %v times", n)
	}
}
