package detect

import (
	"strconv"
	"testing"
)

// TestImpWatchHas checks the watch's set with few users (compared one by
// one) and many (the map), behind the Bloom filter: every user watched is
// found, by id and by name apart, none other is, and expire forgets the
// users whose watch ended.
func TestImpWatchHas(t *testing.T) {
	for _, n := range []int{1, maxFewWatched, maxFewWatched + 1, 300} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			var w impWatch
			for i := range n {
				w.set(sessKey{V: strconv.Itoa(10000 + 7*i)}, int64(i))
				w.set(sessKey{ByName: true, V: "user" + strconv.Itoa(i)}, int64(i))
			}
			for i := range 10 * n {
				id, name := sessKey{V: strconv.Itoa(10000 + i)}, sessKey{ByName: true, V: "user" + strconv.Itoa(i)}
				if got, want := w.has(id), i%7 == 0 && i/7 < n; got != want {
					t.Errorf("has(%v) = %v, want %v", id, got, want)
				}
				if got, want := w.has(name), i < n; got != want {
					t.Errorf("has(%v) = %v, want %v", name, got, want)
				}
				if w.has(sessKey{ByName: !id.ByName, V: id.V}) {
					t.Errorf("has(%q by name) = true: only its id is watched", id.V)
				}
			}
			w.expire(int64(n / 2))
			for i := range n {
				if got, want := w.has(sessKey{V: strconv.Itoa(10000 + 7*i)}), i >= n/2; got != want {
					t.Errorf("after expire(%d): has(id of %d) = %v, want %v", n/2, i, got, want)
				}
			}
		})
	}
}
