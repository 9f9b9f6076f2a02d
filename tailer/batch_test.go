package tailer

import (
	"slices"
	"testing"
)

// IsCut follows Batch.Cut through truncate (a batch cut back to the lines
// confirmed) and reset (a batch reused).
func TestBatchIsCut(t *testing.T) {
	tests := []struct {
		name string
		cut  []int // indexes of the lines added cut, of 6 lines
		keep int   // truncate to this many lines; -1: reset
		want []bool
	}{
		{"none", nil, 6, []bool{false, false, false, false, false, false}},
		{"some", []int{1, 4}, 6, []bool{false, true, false, false, true, false}},
		{"first and last", []int{0, 5}, 6, []bool{true, false, false, false, false, true}},
		{"truncated before a cut line", []int{1, 4}, 4, []bool{false, true, false, false}},
		{"truncated at a cut line", []int{1, 3}, 3, []bool{false, true, false}},
		{"reset", []int{0, 2}, -1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b Batch
			for i := range 6 {
				b.Data = append(b.Data, 'x')
				b.Ends = append(b.Ends, len(b.Data))
				b.Offsets = append(b.Offsets, int64(2*(i+1)))
				if slices.Contains(tt.cut, i) {
					b.Cut = append(b.Cut, i)
				}
			}
			if tt.keep < 0 {
				b.reset()
			} else {
				b.truncate(tt.keep)
			}
			if b.Len() != len(tt.want) {
				t.Fatalf("Len = %d, want %d", b.Len(), len(tt.want))
			}
			for i, w := range tt.want {
				if got := b.IsCut(i); got != w {
					t.Errorf("IsCut(%d) = %v, want %v", i, got, w)
				}
			}
			if b.IsCut(len(tt.want)) {
				t.Errorf("IsCut(%d) past the end = true", len(tt.want))
			}
		})
	}
}
