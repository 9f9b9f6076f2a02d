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
		{"no NUL", strings.Repeat("x", 20), 8, strings.Repeat("x", 20)},
		{"padding at the end", strings.Repeat("x", 20) + nuls(3), 8, strings.Repeat("x", 20) + nuls(1)},
		{"part of a line, then padding", `{"sev` + nuls(5000) + `{"a":1}`, 1024, "\x00" + `{"a":1}`},
		{"padding within the line, under max", `{"sev` + nuls(5) + `{"a":1}`, 1024, `{"sev` + nuls(5) + `{"a":1}`},
		{"two runs", nuls(10) + "x" + nuls(10) + "line", 8, "\x00line"},
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

// TestBuilder: a line assembled from pieces keeps at most Max+1 bytes and
// cuts NUL padding as Cut does, wherever the pieces split it.
func TestBuilder(t *testing.T) {
	nuls := func(n int) string { return strings.Repeat("\x00", n) }
	long := strings.Repeat("L", 50)
	for _, tc := range []struct {
		name, line string
		max        int
		want       string
		over       bool
	}{
		{"short", "abc", 10, "abc", false},
		{"cut", long, 10, long[:11], true},
		{"leading padding over the limit", nuls(40) + "line", 10, "\x00line", false},
		{"padding after part of a line", `{"se` + nuls(40) + "line", 10, "\x00line", false},
		{"padding after part of a line over the limit", long + nuls(20) + "line", 10, "\x00line", false},
		{"padding ending a long line", long + nuls(20), 10, long[:11], true},
		{"padding ending a short line", "ab" + nuls(20), 10, "ab\x00", false},
		{"only padding", nuls(40), 10, "\x00", false},
		{"padding under the limit kept", "a" + nuls(3) + "b", 10, "a\x00\x00\x00b", false},
		{"the line after the padding cut", nuls(40) + long, 10, "\x00" + long[:10], true},
	} {
		for _, piece := range []int{1, 3, 7, 64} {
			b := Builder{Max: tc.max}
			for i := 0; i < len(tc.line); i += piece {
				b.Append([]byte(tc.line[i:min(i+piece, len(tc.line))]))
			}
			if got, over := b.Line(); string(got) != tc.want || over != tc.over {
				t.Errorf("%s, pieces of %d: %q, %v; want %q, %v", tc.name, piece, got, over, tc.want, tc.over)
			}
			b.Reset()
			if got, over := b.Line(); len(got) != 0 || over {
				t.Errorf("%s: after Reset: %q, %v", tc.name, got, over)
			}
		}
	}
}
