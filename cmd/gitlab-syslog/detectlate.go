package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
)

// lateCause returns, when a rule dropped events as too late and a line
// moved its source's watermark more than lateness ahead at once
// (st.Jump), a sentence naming that line (FILE:LINE), its time, how far
// it was ahead of the line before it, and what to do; "" otherwise. The
// engine's lateness is not changed by it: a clock step or a line in local
// time among UTC ones makes the lines after it late, and this says which
// line to look at.
func lateCause(st detect.Stats, inputs []detectInput, counts []inputCounts) string {
	j := st.Jump
	if j.Time.IsZero() || !droppedLate(st) {
		return ""
	}
	where := j.Source
	for i := range counts {
		if counts[i].source == j.Source && i < len(inputs) {
			where = inputs[i].label()
			break
		}
	}
	return fmt.Sprintf("%d %s late (the rules drop those whose window had closed): the watermark was moved to %s by %s:%d "+
		"(time %s, %s after the line before it, %s); a clock step, or a line in local time among UTC ones? "+
		"Correct or remove that line and run again; lateness (detections.lateness) is how far behind its source's newest line a line may be",
		st.Late, plural(int(st.Late), "event", "events"), j.Watermark.UTC().Format(time.RFC3339Nano), where, j.Offset,
		j.Time.UTC().Format(time.RFC3339Nano), shortDuration(j.Time.Sub(j.Prev)), j.Prev.UTC().Format(time.RFC3339Nano))
}

// droppedLate reports whether a rule of st dropped an event as too late.
func droppedLate(st detect.Stats) bool {
	for _, rs := range st.Rules {
		if rs.LateDrop > 0 {
			return true
		}
	}
	return false
}

// shortDuration formats d to the second without zero trailing units:
// "8h", "2h30m", "3m5s".
func shortDuration(d time.Duration) string {
	s := d.Round(time.Second).String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
