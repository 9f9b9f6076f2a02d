package agent

import (
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
	"github.com/gitlab-syslog/gitlab-syslog/tailer"
)

// TestReadMarkNote: a batch's mark is its newest line with a time, and,
// when a line is more than lateness ahead of the newest line before it,
// that earlier line too, so that the engine names the line that jumped
// (fresh-user trial 130: with only the newest, lines before a clock step
// that no rule reads were not known, and the summary blamed the first
// honest line after it).
func TestReadMarkNote(t *testing.T) {
	t0 := time.Date(2025, 3, 3, 10, 0, 0, 0, time.UTC)
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	for _, tc := range []struct {
		name       string
		times      []time.Time // the lines' times, in order; zero: none
		wantI      int         // the newest line; -1: none
		wantBefore int         // the line before the last jump; -1: none
		wantJump   int         // the line of the last jump
	}{
		{"no line with a time", []time.Time{{}, {}}, -1, -1, 0},
		{"in order", []time.Time{at(0), at(time.Second), at(2 * time.Second)}, 2, -1, 0},
		{"out of order", []time.Time{at(time.Second), at(0), {}}, 0, -1, 0},
		{"a step of lateness, not more", []time.Time{at(0), at(2 * time.Minute)}, 1, -1, 0},
		{"a clock step", []time.Time{at(0), at(time.Second), at(3 * time.Hour), at(10 * time.Second)}, 2, 1, 2},
		{"a clock step, then newer lines", []time.Time{at(0), at(3 * time.Hour), at(3*time.Hour + time.Second)}, 2, 0, 1},
		{"two steps: the last", []time.Time{at(0), at(3 * time.Hour), at(6 * time.Hour)}, 2, 1, 2},
		{"the step first", []time.Time{at(3 * time.Hour), at(0)}, 0, -1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tb := &tailer.Batch{}
			m := readMark{gapSec: 120}
			for i, tm := range tc.times {
				m.note(tm, tb, i)
			}
			switch {
			case tc.wantI < 0 && m.tb != nil:
				t.Fatalf("marked line %d, want none", m.i)
			case tc.wantI >= 0 && (m.tb == nil || m.i != tc.wantI || !m.t.Equal(tc.times[tc.wantI])):
				t.Fatalf("marked line %d at %v (batch %v), want line %d", m.i, m.t, m.tb != nil, tc.wantI)
			}
			switch {
			case tc.wantBefore < 0 && m.jumped:
				t.Errorf("line %d kept before a jump, want none", m.beforeI)
			case tc.wantBefore >= 0 && (!m.jumped || m.beforeI != tc.wantBefore || !m.before.Equal(tc.times[tc.wantBefore])):
				t.Errorf("line %d (jumped %v) kept before the jump, want line %d", m.beforeI, m.jumped, tc.wantBefore)
			case tc.wantBefore >= 0 && (m.jumpI != tc.wantJump || !m.jump.Equal(tc.times[tc.wantJump])):
				t.Errorf("line %d kept as the jump, want line %d", m.jumpI, tc.wantJump)
			}
		})
	}
}

// TestReadMarkLookAhead: with lookAhead, a line more than lateness ahead
// of the newest before it waits for the next line with a time: when that
// one goes back by more than lateness, the line is an outlier (its time is
// not the batch's, its event is marked detect.Event.Outlier); else, or at
// the batch's end (settleTail), it is a step, as without lookAhead
// (fresh-user trial 211: one line 22 hours ahead made every line after it
// late).
func TestReadMarkLookAhead(t *testing.T) {
	t0 := time.Date(2025, 3, 3, 10, 0, 0, 0, time.UTC)
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	for _, tc := range []struct {
		name       string
		times      []time.Time // the lines' times, in order; zero: none
		wantI      int         // the newest line
		wantBefore int         // the line before the last jump; -1: none
		wantJump   int         // the line of the last jump
		outlier    int         // the outlier line; -1: none
	}{
		{"in order", []time.Time{at(0), at(time.Second), at(2 * time.Second)}, 2, -1, 0, -1},
		{"one line ahead", []time.Time{at(0), at(time.Second), at(22 * time.Hour), at(10 * time.Second)}, 3, -1, 0, 2},
		{"one line ahead, then a line without a time", []time.Time{at(0), at(22 * time.Hour), {}, at(10 * time.Second)}, 3, -1, 0, 1},
		{"one line ahead, back within lateness", []time.Time{at(0), at(3 * time.Hour), at(3*time.Hour - time.Minute)}, 1, 0, 1, -1},
		{"a step, then newer lines", []time.Time{at(0), at(3 * time.Hour), at(3*time.Hour + time.Second)}, 2, 0, 1, -1},
		{"one line ahead, then further back than the line before it", []time.Time{at(time.Hour), at(22 * time.Hour), at(0)}, 1, 0, 1, -1},
		{"a step at the batch's end", []time.Time{at(0), at(time.Second), at(3 * time.Hour)}, 2, 1, 2, -1},
		{"two steps: the last", []time.Time{at(0), at(3 * time.Hour), at(6 * time.Hour)}, 2, 1, 2, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, evs := lookAheadMark(tc.times)
			m.settleTail() // judged alone, as without a batch before or after
			if m.tb == nil || m.i != tc.wantI || !m.t.Equal(tc.times[tc.wantI]) {
				t.Fatalf("marked line %d at %v, want line %d", m.i, m.t, tc.wantI)
			}
			switch {
			case tc.wantBefore < 0 && m.jumped:
				t.Errorf("line %d kept before a jump, want none", m.beforeI)
			case tc.wantBefore >= 0 && (!m.jumped || m.beforeI != tc.wantBefore || m.jumpI != tc.wantJump):
				t.Errorf("jump from line %d to %d (jumped %v), want from %d to %d", m.beforeI, m.jumpI, m.jumped, tc.wantBefore, tc.wantJump)
			}
			for i := range evs {
				if evs[i].Outlier != (i == tc.outlier) {
					t.Errorf("line %d: Outlier %v, want %v", i, evs[i].Outlier, i == tc.outlier)
				}
			}
		})
	}
}

// TestReadMarkLead: with lookAhead, the mark records what the sender
// judges a batch by against the batches before it (detector.judgeRead):
// its first line with a time (the lead), the time of the next one, the
// newest of the lines after the lead, and a line still held at the end
// (tail), whose time is then not the batch's.
func TestReadMarkLead(t *testing.T) {
	t0 := time.Date(2025, 3, 3, 10, 0, 0, 0, time.UTC)
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	for _, tc := range []struct {
		name   string
		times  []time.Time // the lines' times, in order; zero: none
		lead   int         // the lead line; -1: none
		next   time.Time   // zero: no next line
		rest   int         // the newest line after the lead; -1: none
		tail   int         // the line left held; -1: none
		newest int         // the batch's newest line (without the tail)
	}{
		{"no line with a time", []time.Time{{}, {}}, -1, time.Time{}, -1, -1, -1},
		{"one line", []time.Time{{}, at(0)}, 1, time.Time{}, -1, -1, 1},
		{"the lead ahead, the lines after it back", []time.Time{at(6 * time.Hour), {}, at(time.Second), at(0)}, 0, at(time.Second), 2, -1, 0},
		{"in order", []time.Time{at(0), at(time.Second), at(2 * time.Second)}, 0, at(time.Second), 2, -1, 2},
		{"a line ahead last", []time.Time{at(0), at(time.Second), at(6 * time.Hour)}, 0, at(time.Second), 2, 2, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, evs := lookAheadMark(tc.times)
			if tc.lead < 0 {
				if m.tb != nil {
					t.Fatalf("a lead at line %d, want none", m.leadI)
				}
				return
			}
			if m.tb == nil || m.leadI != tc.lead || !m.leadT.Equal(tc.times[tc.lead]) || m.leadEv != &evs[tc.lead] {
				t.Errorf("lead line %d at %v, want line %d", m.leadI, m.leadT, tc.lead)
			}
			if m.hasNext != !tc.next.IsZero() || m.hasNext && m.nextSec != tc.next.Unix() {
				t.Errorf("next: %v at %d, want %v", m.hasNext, m.nextSec, tc.next)
			}
			if tc.rest >= 0 && (m.restI != tc.rest || !m.restT.Equal(tc.times[tc.rest])) {
				t.Errorf("rest: line %d, want %d", m.restI, tc.rest)
			}
			if m.tail != (tc.tail >= 0) || m.tail && (m.heldI != tc.tail || m.heldEv != &evs[tc.tail]) {
				t.Errorf("tail %v at line %d, want line %d", m.tail, m.heldI, tc.tail)
			}
			if m.i != tc.newest {
				t.Errorf("newest line %d, want %d", m.i, tc.newest)
			}
		})
	}
}

// lookAheadMark returns the mark, with lookAhead and a lateness of 120 s,
// of a batch of lines of times (zero: none) whose events are evs, once
// finished.
func lookAheadMark(times []time.Time) (*readMark, []detect.Event) {
	tb := &tailer.Batch{}
	m := &readMark{gapSec: 120, lookAhead: true}
	evs := make([]detect.Event, len(times))
	for i, tm := range times {
		m.note(tm, tb, i)
		m.take(i, &evs[i])
	}
	m.finish()
	return m, evs
}
