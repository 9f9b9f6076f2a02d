package agent

import (
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/loadgen"
)

// TestWorkerWantedLinesNoAlloc checks the worker path of the lines the
// engine wants: with every rule on, encoding a slot of realistic audit
// lines, a part of them wanted, makes their events in the slot's arena
// and records the other lines' hint sums without allocating, once the
// slot's buffers have grown to the batch.
func TestWorkerWantedLinesNoAlloc(t *testing.T) {
	e := allRulesEngine(t)
	w := detectionWorker(t, e)
	sl := &slot{tb: genBatch(t, loadgen.MixRealistic, 1024, nil)}
	w.encodeSlot(sl) // grow the slot's buffers
	if len(sl.events) == 0 || len(sl.events) == sl.tb.Len() {
		t.Fatalf("%d of %d lines wanted: want some, not all", len(sl.events), sl.tb.Len())
	}
	if !sl.sums.on {
		t.Fatal("no hint sums recorded with sentinel.impersonation on")
	}
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	if a := testing.AllocsPerRun(10, func() {
		clear(sl.events) // as process does
		sl.events = sl.events[:0]
		w.encodeSlot(sl)
	}); a != 0 {
		t.Errorf("encoding a slot of %d lines (%d wanted) allocates %v times", sl.tb.Len(), len(sl.events), a)
	}
}
