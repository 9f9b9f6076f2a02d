package nulrun

import (
	"strings"
	"testing"
)

func TestCut(t *testing.T) {
	nuls := func(n int) string { return strings.Repeat("\x00", n) }
	for _, tc := range []struct {
		name, line string
		max        int
		want       string
	}{
		{"within max", nuls(3) + "{}", 8, nuls(3) + "{}"},
		{"at max", nuls(6) + "{}", 8, nuls(6) + "{}"},
		{"over max", nuls(5000) + `{"a":1}`, 1024, "\x00" + `{"a":1}`},
		{"over max, the line itself too", nuls(10) + strings.Repeat("x", 20), 8, "\x00" + strings.Repeat("x", 20)},
		{"only NULs", nuls(100), 8, "\x00"},
		{"no leading NUL", strings.Repeat("x", 20) + nuls(3), 8, strings.Repeat("x", 20) + nuls(3)},
		{"empty", "", 0, ""},
		{"empty, no max", "", -1, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Cut(tc.line, tc.max); got != tc.want {
				t.Errorf("Cut(%q, %d) = %q, want %q", tc.line, tc.max, got, tc.want)
			}
			if got := string(Cut([]byte(tc.line), tc.max)); got != tc.want {
				t.Errorf("Cut([]byte(%q), %d) = %q, want %q", tc.line, tc.max, got, tc.want)
			}
		})
	}
}
