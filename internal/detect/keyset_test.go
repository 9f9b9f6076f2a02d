package detect

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// TestKeySetMatchesMap runs random inserts, lookups and removals on a
// keySet and on a Go map and checks that they agree after each step. The
// keys come from a small pool, so that most operations hit keys already
// there and many keys share a home slot (probe runs that wrap around the
// table's end, removals in the middle of a run), and from the zero key,
// which the table keeps apart.
func TestKeySetMatchesMap(t *testing.T) {
	for _, c := range []struct {
		name string
		pool int // distinct keys drawn from
		ops  int
		// clustered keys differ only in their last byte, whose home
		// slots then depend on it alone: long runs.
		clustered bool
	}{
		{"few keys", 8, 2000, false},
		{"growing", 5000, 40000, false},
		{"clustered", 200, 20000, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, uint64(c.pool)))
			pool := make([]recentKey, c.pool)
			for i := range pool {
				if c.clustered {
					pool[i][15] = byte(i)
					pool[i][14] = byte(i >> 8)
				} else {
					pool[i] = keyOf([]byte{byte(i), byte(i >> 8), 'k'})
				}
			}
			pool[0] = recentKey{} // the zero key
			var s keySet
			ref := map[recentKey]bool{}
			for op := range c.ops {
				k := pool[rng.IntN(len(pool))]
				switch rng.IntN(3) {
				case 0, 1:
					if got, want := s.insert(k), !ref[k]; got != want {
						t.Fatalf("op %d: insert(%x) = %v, want %v", op, k, got, want)
					}
					ref[k] = true
				default:
					s.remove(k)
					delete(ref, k)
				}
				if s.len() != len(ref) {
					t.Fatalf("op %d: len %d, want %d", op, s.len(), len(ref))
				}
				if op%97 == 0 || c.pool <= 200 {
					for _, k := range pool {
						if s.has(k) != ref[k] {
							t.Fatalf("op %d: has(%x) = %v, want %v", op, k, s.has(k), ref[k])
						}
					}
				}
			}
		})
	}
}

// TestKeySetLoad checks that the table stays at most half full, so that
// probes stay short, and that removing every key leaves it empty (no
// tombstone left behind: every slot is the zero key).
func TestKeySetLoad(t *testing.T) {
	var s keySet
	keys := make([]recentKey, 10000)
	for i := range keys {
		keys[i] = keyOf([]byte{byte(i), byte(i >> 8), 'x'})
		s.insert(keys[i])
		if 2*s.n > len(s.slots) {
			t.Fatalf("%d keys in %d slots: over half full", s.n, len(s.slots))
		}
	}
	for _, k := range keys {
		s.remove(k)
	}
	if s.len() != 0 {
		t.Fatalf("len %d after removing every key", s.len())
	}
	for i, k := range s.slots {
		if k != (recentKey{}) {
			t.Fatalf("slot %d still holds %x after removing every key", i, k)
		}
	}
}

// TestKeySetSpreadsChosenKeys checks that keys an attacker might line up
// (alike but in a few high or low bits of the halves the home is computed
// from) do not share probe runs: the longest probe, from a key's home to
// its slot, stays short, as with random keys: under 80 slots at this load
// (73 at most in 20,000 tables of random multipliers), where keys that
// pile up make it hundreds (151 for the low-bits keys in one draw in
// about 300 before home mixed its sum).
func TestKeySetSpreadsChosenKeys(t *testing.T) {
	for _, c := range []struct {
		name string
		key  func(i uint64) recentKey
	}{
		{"high bits", func(i uint64) recentKey {
			var k recentKey
			binary.LittleEndian.PutUint64(k[:8], i<<52)
			k[8] = 1
			return k
		}},
		{"low bits", func(i uint64) recentKey {
			var k recentKey
			binary.LittleEndian.PutUint64(k[:8], i)
			binary.LittleEndian.PutUint64(k[8:], i)
			k[15] = 0x80 // lo^hi the same for every i
			return k
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var s keySet
			for i := range uint64(4096) {
				s.insert(c.key(i))
			}
			if s.len() != 4096 {
				t.Fatalf("len %d, want 4096: keys lost", s.len())
			}
			mask := len(s.slots) - 1
			longest := 0
			for j, k := range s.slots {
				if k != (recentKey{}) {
					longest = max(longest, (j-s.home(k))&mask)
				}
			}
			if longest > 128 {
				t.Errorf("a key sits %d slots past its home in a table of %d: chosen keys pile up", longest, len(s.slots))
			}
			t.Logf("longest probe %d slots, table of %d", longest, len(s.slots))
		})
	}
}
