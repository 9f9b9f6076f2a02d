package detect

import (
	"slices"
	"strconv"
	"testing"
)

// TestWatchSetWithoutAll checks that withoutAll removes the keys it is
// given, once each however often given, keeps every other (a key by id
// and one by name of the same value are two keys), ignores keys not in
// the set, and returns the set itself when it removes none.
func TestWatchSetWithoutAll(t *testing.T) {
	var ws *watchSet
	var all []sessKey
	for i := range 20 {
		k := sessKey{ByName: i%2 == 0, V: strconv.Itoa(i / 2)} // each value by name and by id
		all = append(all, k)
		ws = ws.with(k, &watchCell{})
	}
	for _, c := range []struct {
		name string
		drop []sessKey
	}{
		{"none", nil},
		{"absent", []sessKey{{V: "x"}, {ByName: true, V: "10"}}},
		{"first", all[:1]},
		{"last", all[19:]},
		{"by id, not by name", []sessKey{{V: "0"}}},
		{"repeated", []sessKey{all[3], all[3], all[7], all[3]}},
		{"every other", []sessKey{all[1], all[3], all[5], all[7], all[9], all[11]}},
		{"all", all},
	} {
		got := ws.withoutAll(c.drop)
		removed := 0
		var byName int32
		for _, k := range all {
			in := got.cell(k) != nil
			if want := !slices.Contains(c.drop, k); in != want {
				t.Errorf("%s: key %v in the set %v, want %v", c.name, k, in, want)
			}
			if !in {
				removed++
			} else if k.ByName {
				byName++
			}
		}
		if got.len() != len(all)-removed || got.byName != byName {
			t.Errorf("%s: %d keys (%d by name), want %d (%d)", c.name, got.len(), got.byName, len(all)-removed, byName)
		}
		if removed == 0 && got != ws {
			t.Errorf("%s: removed none but copied the set", c.name)
		}
	}
}
