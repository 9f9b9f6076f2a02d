package agent

import (
	"slices"
	"testing"
)

// TestRemoveSourceKeepsSnapshots: removing a source leaves the slice a
// reader took before it (under the agent's mutex, read after unlocking,
// as caughtUp does) as it was: no element shifted or cleared to nil
// under it (fresh-user trial 247: caughtUp read a nil source a forgotten
// glob match left, and the agent crashed).
func TestRemoveSourceKeepsSnapshots(t *testing.T) {
	srcs := []*source{{}, {}, {}, {}}
	a := &Agent{sources: slices.Clone(srcs)}
	a.mu.Lock()
	snap := a.sources
	a.mu.Unlock()
	a.removeSource(srcs[1])
	if !slices.Equal(snap, srcs) {
		t.Errorf("the slice taken before the removal changed: %v, was %v", snap, srcs)
	}
	a.mu.Lock()
	now := a.sources
	a.mu.Unlock()
	if want := []*source{srcs[0], srcs[2], srcs[3]}; !slices.Equal(now, want) {
		t.Errorf("sources after the removal: %v, want %v", now, want)
	}
}
