package agent

import (
	"testing"
	"time"
)

// TestSaveDue: a tick a few milliseconds early saves, so that a state
// save interval of N seconds saves every N ticks, not every N+1.
func TestSaveDue(t *testing.T) {
	last := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		after time.Duration
		every time.Duration
		want  bool
	}{
		{time.Second, time.Second, true},
		{time.Second - 3*time.Millisecond, time.Second, true}, // an early tick
		{time.Second + 5*time.Millisecond, time.Second, true}, // a late one
		{400 * time.Millisecond, time.Second, false},
		{59*time.Second + 990*time.Millisecond, time.Minute, true},
		{59 * time.Second, time.Minute, false},
		{2 * time.Minute, time.Minute, true},
	}
	for _, tt := range tests {
		if got := saveDue(last.Add(tt.after), last, tt.every); got != tt.want {
			t.Errorf("saveDue(last+%v, last, %v) = %v, want %v", tt.after, tt.every, got, tt.want)
		}
	}
}
