package detect

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestWatchSetModel adds and removes random users (by id and by name,
// removed users added again) and checks every version of the set
// against a map: which users it holds and their cells, its count and
// count by name, through its changes kept aside (more, gone) and the
// rebuilds past watchDelta; and that an older version is unchanged by
// the newer ones made from it (readers keep the one they loaded).
func TestWatchSetModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var ws *watchSet
	model := map[sessKey]*watchCell{}
	key := func() sessKey { return sessKey{ByName: rng.IntN(3) == 0, V: strconv.Itoa(rng.IntN(400))} }
	check := func(step int, ws *watchSet, model map[sessKey]*watchCell) {
		t.Helper()
		names := 0
		for k, c := range model {
			if got := ws.cell(k); got != c {
				t.Fatalf("step %d: cell of %v is %p, want %p", step, k, got, c)
			}
			if k.ByName {
				names++
			}
		}
		for range 20 {
			if k := key(); model[k] == nil && ws.cell(k) != nil {
				t.Fatalf("step %d: %v, not in the set, has a cell", step, k)
			}
		}
		if ws.len() != len(model) || (ws != nil && int(ws.byName) != names) {
			t.Fatalf("step %d: len %d, byName %d; want %d, %d", step, ws.len(), ws.byName, len(model), names)
		}
	}
	type version struct {
		ws    *watchSet
		model map[sessKey]*watchCell
	}
	var kept []version
	rebuilt := 0
	for step := range 20_000 {
		k := key()
		prev := ws
		if c := model[k]; c != nil && rng.IntN(2) == 0 {
			ws = ws.without(k)
			delete(model, k)
		} else if c == nil {
			c = &watchCell{}
			ws = ws.with(k, c)
			model[k] = c
		}
		if prev != nil && ws.tab.slots != nil && &ws.tab.slots[0] != &prev.tab.slots[0] {
			rebuilt++
		}
		if ws.tab != nil && len(ws.tab.more)+len(ws.tab.gone) > watchDelta {
			t.Fatalf("step %d: %d changes kept aside, over %d", step, len(ws.tab.more)+len(ws.tab.gone), watchDelta)
		}
		check(step, ws, model)
		if step%1000 == 0 {
			m := make(map[sessKey]*watchCell, len(model))
			for k, c := range model {
				m[k] = c
			}
			kept = append(kept, version{ws, m})
		}
	}
	for i, v := range kept {
		check(-i, v.ws, v.model)
	}
	if rebuilt == 0 || rebuilt > 20_000/watchDelta*2 {
		t.Errorf("%d rebuilds in 20,000 changes; want some, at most one in %d changes", rebuilt, watchDelta/2)
	}
}
