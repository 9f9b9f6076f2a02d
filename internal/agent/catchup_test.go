package agent

import (
	"strconv"
	"strings"
	"testing"
)

func TestForEachLine(t *testing.T) {
	long := strings.Repeat("x", 70<<10) // longer than the 64 KiB buffer
	tests := []struct {
		name, in string
		off      int64
		want     []string // "line@end"
	}{
		{"plain", "a\nbb\n", 0, []string{"a@2", "bb@5"}},
		{"offset and CRLF", "a\r\nb\n", 100, []string{"a@103", "b@105"}},
		{"partial last line left out", "a\nb", 0, []string{"a@2"}},
		{"long line cut, offsets exact", long + "\nz\n", 0, []string{strings.Repeat("x", 64<<10) + "@" + strconv.Itoa(len(long)+1), "z@" + strconv.Itoa(len(long)+3)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			n, err := forEachLine(strings.NewReader(tt.in), tt.off, func(line []byte, end int64) {
				got = append(got, string(line)+"@"+strconv.Itoa(int(end)))
			})
			if err != nil || n != len(tt.want) {
				t.Fatalf("n=%d err=%v, want %d lines", n, err, len(tt.want))
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("line %d: %.40q, want %.40q", i, got[i], tt.want[i])
				}
			}
		})
	}
}
