package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
)

// lateCause returns, when a rule dropped events as too late and a line
// moved its source's watermark more than lateness ahead at once
// (st.Jump), a sentence naming that line (FILE:LINE; each input that
// begins with the same line, as detect tells inputs apart by their first
// line), its time, how far it was ahead of the line before it, and what
// to do: for a clock step (detect.Jump.ClockStep), look at the line (a clock step,
// local time among UTC); for a smaller one, raise the lateness if the
// file is this much out of order. "" otherwise. The engine's lateness is
// not changed by it.
func lateCause(st detect.Stats, inputs []detectInput, counts []inputCounts) string {
	j := st.Jump
	if j.Time.IsZero() || !droppedLate(st) {
		return ""
	}
	var at []string
	for i := range counts {
		if counts[i].source == j.Source && i < len(inputs) {
			at = append(at, fmt.Sprintf("%s:%d", inputs[i].label(), j.Offset))
		}
	}
	where := strings.Join(at, " or ")
	switch {
	case len(at) == 0:
		where = fmt.Sprintf("%s:%d", j.Source, j.Offset)
	case len(at) > 1:
		where += " (these inputs begin with the same line, which is how detect tells files apart)"
	}
	ahead := j.Time.Sub(j.Prev)
	todo := "a clock step, or a line in local time among UTC ones? Correct or remove that line and run again"
	if !j.ClockStep() {
		todo = fmt.Sprintf("if the file's lines are this much out of order, raise detections.lateness (%s now) with detect --config", shortDuration(j.Time.Sub(j.Watermark)))
	}
	return fmt.Sprintf("%d %s late (the rules drop those whose window had closed): the watermark was moved to %s by %s "+
		"(time %s, %s after the newest line before it, %s); %s; lateness (detections.lateness) is how far behind its source's newest line a line may be",
		st.Late, plural(int(st.Late), "event", "events"), j.Watermark.UTC().Format(time.RFC3339Nano), where,
		j.Time.UTC().Format(time.RFC3339Nano), shortDuration(ahead), j.Prev.UTC().Format(time.RFC3339Nano), todo)
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
// "8h", "2h30m", "3m5s"; from 48 hours on, in days and whole hours:
// "2032d4h", "3d".
func shortDuration(d time.Duration) string {
	if d >= 48*time.Hour { // a clock step of years reads better in days: "2032d4h", not "48772h"
		d = d.Round(time.Hour)
		days, rest := d/(24*time.Hour), d%(24*time.Hour)/time.Hour
		if rest == 0 {
			return fmt.Sprintf("%dd", days)
		}
		return fmt.Sprintf("%dd%dh", days, rest)
	}
	s := d.Round(time.Second).String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
