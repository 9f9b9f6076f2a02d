package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
)

// lateCause returns, when a rule dropped events as too late, a sentence
// saying why (detect.LateCause) and what to do, "" otherwise:
//   - a line moved its source's watermark more than lateness ahead at
//     once (st.Jump): it names that line (FILE:LINE; each input that
//     begins with the same line, as detect tells inputs apart by their
//     first line), its time and how far it was ahead of the line before
//     it; for a clock step (detect.Jump.ClockStep), look at the line; for
//     a smaller one, raise the lateness if the file is this much out of
//     order;
//   - an input goes back in time (st.Back): it names the line, its time
//     and how far it is behind the newest line before it, and says to
//     give each file as an input of its own, or to concatenate them
//     oldest first;
//   - else the watermark was set before the late lines' input was read
//     (an earlier run with this --state-dir).
//
// The engine's lateness is not changed by it.
func lateCause(st detect.Stats, inputs []detectInput, counts []inputCounts) string {
	if !droppedLate(st) {
		return ""
	}
	j, b := st.Jump, st.Back
	late := fmt.Sprintf("%d %s late (the rules drop those whose window had closed)", st.Late, plural(int(st.Late), "event", "events"))
	const lateness = "lateness (detections.lateness) is how far behind its source's newest line a line may be"
	switch detect.LateCause(j, b) {
	case detect.CauseJump:
		ahead := j.Time.Sub(j.Prev)
		todo := "a clock step, or a line in local time among UTC ones? Correct or remove that line and run again"
		if !j.ClockStep() {
			todo = fmt.Sprintf("if the file's lines are this much out of order, raise detections.lateness (%s now) with detect --config", detect.ShortDuration(j.Time.Sub(j.Watermark)))
		}
		return fmt.Sprintf("%s: the watermark was moved to %s by %s "+
			"(time %s, %s after the newest line before it, %s); %s; %s",
			late, j.Watermark.UTC().Format(time.RFC3339Nano), inputsAt(j.Source, j.Offset, inputs, counts),
			j.Time.UTC().Format(time.RFC3339Nano), detect.ShortDuration(ahead), j.Prev.UTC().Format(time.RFC3339Nano), todo, lateness)
	case detect.CauseBack:
		return fmt.Sprintf("%s: the lines go back in time at %s (time %s, %s before the newest line before it, %s)%s; "+
			"detect reads each input in its order and merges the inputs in time order: logs concatenated in the wrong order? "+
			"Give each file as an input of its own, or concatenate them oldest first (zcat a.2.gz a.1.gz | ...); "+
			"when the lines of one file go back because its clock did, correct those lines, or raise detections.lateness above the step; %s",
			late, inputsAt(b.Source, b.Offset, inputs, counts), b.Time.UTC().Format(time.RFC3339Nano),
			detect.ShortDuration(b.Behind()), b.Newest.UTC().Format(time.RFC3339Nano), startAhead(b), lateness)
	case detect.CauseWatermark:
		return fmt.Sprintf("%s: the oldest, %s (time %s), is older than the watermark %s, which was set before its input was read "+
			"(by an earlier run with this --state-dir, or by an input read before it): hunt in older logs with another --state-dir (or none), "+
			"all inputs in one run; %s",
			late, inputsAt(b.Source, b.Offset, inputs, counts), b.Time.UTC().Format(time.RFC3339Nano), b.Watermark.UTC().Format(time.RFC3339Nano), lateness)
	}
	return ""
}

// startNear is how many lines at most may come before the line that goes
// back for lateCause to say that the lines dated wrong may be those
// before it, at its input's start.
const startNear = 10

// startAhead returns, for a line b that goes back in time within the
// first startNear lines of its input, a note that the lines before it,
// the input's first, may be the ones dated wrong (a clock step in the
// first lines looks like the lines after it going back); "" otherwise.
func startAhead(b detect.Back) string {
	if b.Offset < 2 || b.Offset > startNear+1 {
		return ""
	}
	if n := b.Offset - 1; n > 1 {
		return fmt.Sprintf("; the %d lines before it begin its input: if they are the ones dated wrong (a clock step at its start), correct or remove them", n)
	}
	return "; the line before it begins its input: if it is the one dated wrong (a clock step at its start), correct or remove it"
}

// inputsAt returns FILE:LINE for line offset of source (the engine's
// Source of an input: its first line, see inputCounts), for each input
// that begins with that line, with a note when there are several.
func inputsAt(source string, offset int64, inputs []detectInput, counts []inputCounts) string {
	var at []string
	for i := range counts {
		if counts[i].source == source && i < len(inputs) {
			at = append(at, fmt.Sprintf("%s:%d", inputs[i].label(), offset))
		}
	}
	where := strings.Join(at, " or ")
	switch {
	case len(at) == 0:
		where = fmt.Sprintf("%s:%d", source, offset)
	case len(at) > 1:
		where += " (these inputs begin with the same line, which is how detect tells files apart)"
	}
	return where
}

// droppedLate reports whether a rule of st dropped an event as too late.
func droppedLate(st detect.Stats) bool {
	for _, rs := range st.Rules {
		if rs.LateDrop > 0 || rs.TooOld > 0 {
			return true
		}
	}
	return false
}

// lateNote returns what the summary says after "N late": that the late
// events were folded where their windows were still open, and what was
// dropped is given per rule (a late event is counted once, and each rule
// whose window had closed drops it), or that none was dropped.
func lateNote(st detect.Stats) string {
	switch {
	case st.Late == 0:
		return ""
	case droppedLate(st):
		return " (behind their file's watermark: counted where their window was still open, else dropped; the drops are per rule below)"
	}
	return " (behind their file's watermark, but none dropped: their windows were still open)"
}
