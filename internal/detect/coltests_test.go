package detect

import "testing"

// TestColTestsEval checks colTests.eval, which skips the prefix tests by
// the value's first byte, against applying every test (test.holds) on
// values that pass and fail each kind, the empty value and a prefix "".
func TestColTestsEval(t *testing.T) {
	tests := []test{
		{op: opIn, val: "Created", bit: 1 << 0},
		{op: opPrefix, val: "Created ", bit: 1 << 1},
		{op: opPrefix, val: "Changed", bit: 1 << 2},
		{op: opPrefix, val: "Cr", bit: 1 << 3},
		{op: opPrefix, val: "Destroy", bit: 1 << 2},
		{op: opSuffix, val: "token", bit: 1 << 4},
		{op: opContains, val: " started impersonation of ", bit: 1 << 5},
		{op: opPrefix, val: "\xff", bit: 1 << 6},
		{op: opPrefix, val: "", bit: 1 << 7},
	}
	vals := []string{"", "C", "Cr", "Created", "Created x token", "Changed", "Chang", "Destroyed",
		"Dest", "a started impersonation of b", "\xffx", "\xfe", "x token", "reCreated "}
	var ct, noEmpty colTests
	for _, x := range tests {
		ct.add(x)
		if x.val != "" || x.op == opIn {
			noEmpty.add(x)
		}
	}
	for _, v := range vals {
		var want, wantNoEmpty uint64
		for _, x := range tests {
			if x.holds(v) {
				want |= x.bit
				if x.val != "" {
					wantNoEmpty |= x.bit
				}
			}
		}
		if got := ct.eval(v, ^uint64(0)); got != want {
			t.Errorf("eval(%q) = %#b, want %#b", v, got, want)
		}
		if got := noEmpty.eval(v, ^uint64(0)); got != wantNoEmpty {
			t.Errorf("without prefix \"\": eval(%q) = %#b, want %#b", v, got, wantNoEmpty)
		}
	}
}
