package tailer

import (
	"bytes"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestLineReader(t *testing.T) {
	long := strings.Repeat("L", 50)
	cases := []struct {
		name    string
		in      string
		bufSize int
		max     int
		want    []string // "!" suffix: cut
		ends    []int64
		pending string
	}{
		{"simple", "a\nbb\n", 4, 100, []string{"a", "bb"}, []int64{2, 5}, ""},
		{"partial held", "a\nbb", 4, 100, []string{"a"}, []int64{2}, "bb"},
		{"line across buffers", "abcdefghij\nk\n", 4, 100, []string{"abcdefghij", "k"}, []int64{11, 13}, ""},
		{"empty lines", "\n\nx\n", 2, 100, []string{"", "", "x"}, []int64{1, 2, 4}, ""},
		{"cut long line", long + "\nok\n", 8, 10, []string{long[:11] + "!", "ok"}, []int64{51, 54}, ""},
		{"long partial capped", "ok\n" + long, 8, 10, []string{"ok"}, []int64{3}, long[:11]},
		{"crlf kept for caller", "a\r\n", 16, 100, []string{"a\r"}, []int64{3}, ""},
		// NUL padding longer than the limit before a line (fresh-user
		// trial 76: the audit line after 2,000,000 NULs was cut away)
		// is cut to one NUL; the line after it is kept.
		{"NUL run over the limit", strings.Repeat("\x00", 40) + "line\nok\n", 8, 10, []string{"\x00line", "ok"}, []int64{45, 48}, ""},
		{"NUL run over the limit, line long", strings.Repeat("\x00", 40) + long + "\n", 8, 10, []string{"\x00" + long[:10] + "!"}, []int64{91}, ""},
		{"NUL run under the limit kept", strings.Repeat("\x00", 5) + "ab\n", 4, 10, []string{strings.Repeat("\x00", 5) + "ab"}, []int64{8}, ""},
		// A line of NULs only stays one, under the limit, not cut.
		{"a line of NULs only over the limit", strings.Repeat("\x00", 40) + "\nok\n", 8, 10, []string{"\x00", "ok"}, []int64{41, 44}, ""},
		// However long the run goes on past the limit, it is one NUL
		// (fresh-user trial 85: 2,359,000 NULs left 1,048,281 in MSG).
		{"NUL run far over the limit", strings.Repeat("\x00", 1003) + "line\nok\n", 8, 10, []string{"\x00line", "ok"}, []int64{1008, 1011}, ""},
		{"NUL run far over the limit, odd chunks", strings.Repeat("\x00", 997) + "line\n", 7, 10, []string{"\x00line"}, []int64{1002}, ""},
		{"NUL run over the limit, then more NULs inside the line", strings.Repeat("\x00", 40) + "ab" + strings.Repeat("\x00", 3) + "c\n", 8, 10, []string{"\x00ab\x00\x00\x00c"}, []int64{47}, ""},
		{"NULs inside a long line are its own", long + strings.Repeat("\x00", 20) + "\n", 8, 10, []string{long[:11] + "!"}, []int64{71}, ""},
		// Padding after part of a line a crash cut short, then the
		// writer's next line (fresh-user trial 90: the line was lost):
		// the line after the padding, as after leading padding.
		{"part of a line, padding over the limit, the line", `{"se` + strings.Repeat("\x00", 40) + "line\nok\n", 8, 10, []string{"\x00line", "ok"}, []int64{49, 52}, ""},
		{"part of a line over the limit, padding, the line", long + strings.Repeat("\x00", 20) + "line\nok\n", 8, 10, []string{"\x00line", "ok"}, []int64{75, 78}, ""},
		{"part of a line, padding in one chunk", "{\"s\x00\x00\x00\x00\x00\x00\x00\x00line\n", 32, 10, []string{"{\"s\x00\x00\x00\x00\x00\x00\x00\x00line"}, []int64{16}, ""}, // read at once: the caller cuts it (nulrun.Cut)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			lr := newLineReader(tc.bufSize, tc.max)
			lr.reset(0)
			r := strings.NewReader(tc.in)
			var got []string
			var ends []int64
			for {
				line, end, over, ok, err := lr.next(r.ReadAt)
				if err != nil {
					t.Fatal(err)
				}
				if !ok {
					break
				}
				s := string(line)
				if over {
					s += "!"
				}
				got = append(got, s)
				ends = append(ends, end)
			}
			checkExactly(t, got, tc.want)
			for i := range ends {
				if ends[i] != tc.ends[i] {
					t.Errorf("end %d = %d, want %d", i, ends[i], tc.ends[i])
				}
			}
			if p, _ := lr.pending(); string(p) != tc.pending {
				t.Errorf("pending %q, want %q", p, tc.pending)
			}
			if want := int64(len(tc.in) - len(tc.pending)); len(tc.pending) <= tc.max && lr.lineStart != want {
				t.Errorf("lineStart %d, want %d", lr.lineStart, want)
			}
		})
	}
}

// A partial last line is never checkpointed: after a restart it is read
// whole once its newline arrives.
func TestPartialLineAcrossRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	writeFile(t, path, "a\nparti")
	cfg := testConfig(t, path)
	checkExactly(t, runOnce(t, cfg, 1), []string{"a"})
	if ck := readCheckpoint(t, cfg); ck.Offset != 2 {
		t.Fatalf("checkpoint offset %d, want 2", ck.Offset)
	}
	appendFile(t, path, "al\n")
	checkExactly(t, runOnce(t, cfg, 1), []string{"partial"})
}

// A line over MaxLineBytes in the backlog is cut and counted; memory stays
// bounded by the read buffer plus MaxLineBytes.
func TestLongLineBacklog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	big := bytes.Repeat([]byte("x"), 3<<20)
	writeFile(t, path, "a\n"+string(big)+"\nb\n")
	cfg := testConfig(t, path)
	cfg.MaxLineBytes = 1000
	cfg.ReadBufferBytes = 4096
	c := start(t, cfg)
	c.waitN(3)
	c.stop()
	checkExactly(t, c.texts(), []string{"a", string(big[:1000]), "b"})
	if s := c.tl.Stats(); s.TruncatedLines != 1 {
		t.Errorf("TruncatedLines = %d, want 1", s.TruncatedLines)
	}
	if cut := c.cutLines(); !slices.Equal(cut, []int{1}) {
		t.Errorf("lines marked cut: %v, want [1]", cut)
	}
	if g := c.got(); g[1].end != int64(2+len(big)+1) {
		t.Errorf("offset after the long line = %d, want %d", g[1].end, 2+len(big)+1)
	}
}
