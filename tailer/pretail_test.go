package tailer

import (
	"strings"
	"testing"
)

// TestTailBefore: the bytes of the file just before a line's end, as a
// batch holds them, are the file's (its newline, "\r\n" too, and the
// lines before when the line is short), and unknown when the batch does
// not hold them as the file does (a cut line) or when they begin before
// the batch.
func TestTailBefore(t *testing.T) {
	long := strings.Repeat("x", 40) + "END"
	for _, tc := range []struct {
		name  string
		file  string // the file's bytes from Start on
		start int64  // the batch's Start
		cut   []int  // lines cut to MaxLineBytes
		line  int
		want  string // "": unknown
		// before: the bytes just before start, as the batch before left
		// them (preTails).
		before string
	}{
		{"a long line", long + "\n", 0, nil, 0, (long + "\n")[len(long)+1-32:], ""},
		{"crlf", long + "\r\n", 0, nil, 0, (long + "\r\n")[len(long)+2-32:], ""},
		{"short lines", "aaaaaaaaaa\nbbbbbbbbbb\ncccccccccc\n", 10, nil, 2, "aaaaaaaaaa\nbbbbbbbbbb\ncccccccccc\n"[1:], ""},
		{"short lines, the file's start", "aaaa\nbbbb\n", 0, nil, 1, "aaaa\nbbbb\n", ""},
		{"short lines, bytes before the batch", "aaaa\nbbbb\n", 100, nil, 1, "", ""},
		{"a cut line", long + "\n", 0, []int{0}, 0, "", ""},
		{"after a cut line", "xxxxxxxxxx\n" + long + "\n", 0, []int{0}, 1, (long + "\n")[len(long)+1-32:], ""},
		{"short lines, the bytes before the batch known", "aaaa\nbbbb\n", 100, nil, 1, strings.Repeat("z", 22) + "aaaa\nbbbb\n", strings.Repeat("z", 40)},
		{"short lines, too few bytes before the batch known", "aaaa\nbbbb\n", 100, nil, 1, "", strings.Repeat("z", 21)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := batchOf(tc.file, tc.start)
			b.Cut = tc.cut
			var before preTail
			before.n = copy(before.b[:], tc.before[max(0, len(tc.before)-preWindow):])
			got := b.tailBefore(tc.line, before)
			if s := string(got.b[:got.n]); s != tc.want {
				t.Errorf("tailBefore(%d) = %q (%d bytes), want %q", tc.line, s, got.n, tc.want)
			}
		})
	}
}

// batchOf returns a batch of the lines of file, read from offset start,
// as the reader fills one: "\n" and a trailing "\r" taken off.
func batchOf(file string, start int64) *Batch {
	b := &Batch{Start: start}
	off := start
	for _, raw := range strings.SplitAfter(file, "\n") {
		if raw == "" {
			continue
		}
		off += int64(len(raw))
		line := strings.TrimSuffix(strings.TrimSuffix(raw, "\n"), "\r")
		b.Data = append(b.Data, line...)
		b.Ends = append(b.Ends, len(b.Data))
		b.Offsets = append(b.Offsets, off)
	}
	return b
}
