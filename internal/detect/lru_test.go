package detect

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// TestFIFOAgreesWithLRU runs the same random operations on an lru and a
// fifo (the joiner's) and checks after each that they hold the same keys
// and values in the same order, evict the same keys, and that the fifo's
// slice stays within about twice the keys it holds. The key spaces make
// keys used once (correlation ids), keys used again, and full maps.
func TestFIFOAgreesWithLRU(t *testing.T) {
	for _, c := range []struct {
		name       string
		max, keys  int
		ops        int
		removeRate int // percent of operations that remove a key
	}{
		{"fresh_keys_unbounded", 0, 1 << 30, 20_000, 30},
		{"fresh_keys_full", 100, 1 << 30, 20_000, 10},
		{"reused_keys", 50, 80, 20_000, 20},
		{"hot_keys_no_removal", 1000, 10, 20_000, 0},
		{"mostly_removed", 500, 1 << 30, 50_000, 60},
	} {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, uint64(c.max)))
			l, f := newLRU[string, int](c.max), newFIFO[string, int](c.max)
			next := 0
			key := func() string {
				if c.keys == 1<<30 {
					next++
					return strconv.Itoa(next)
				}
				return strconv.Itoa(rng.IntN(c.keys))
			}
			for i := range c.ops {
				switch r := rng.IntN(100); {
				case r < c.removeRate:
					k := strconv.Itoa(rng.IntN(next + c.keys%(1<<30) + 1))
					if k2, _, ok := l.front(); ok && rng.IntN(4) == 0 {
						k = k2
					}
					l.remove(k)
					f.remove(k)
				case r < c.removeRate+10: // expiry as the joiner does it: a prefix
					n := rng.IntN(5)
					for _, m := range []interface {
						each(func(string, *int) bool)
					}{l, f} {
						left := n
						rm := func(k string) {
							if lm, ok := m.(*lru[string, int]); ok {
								lm.remove(k)
							} else {
								m.(*fifo[string, int]).remove(k)
							}
						}
						m.each(func(k string, _ *int) bool {
							if left == 0 {
								return false
							}
							left--
							rm(k)
							return true
						})
					}
				default:
					k := key()
					*l.touch(k) += i
					*f.touch(k) += i
				}
				if l.len() != f.len() || l.evicted != f.evicted {
					t.Fatalf("op %d: len %d/%d evicted %d/%d", i, l.len(), f.len(), l.evicted, f.evicted)
				}
				if i%97 == 0 || i == c.ops-1 {
					if got, want := fifoItems(f), lruItems(l); !slices.Equal(got, want) {
						t.Fatalf("op %d: fifo holds %v, lru %v", i, got, want)
					}
					for _, kv := range lruItems(l) {
						if v, ok := f.get(kv.k); !ok || *v != kv.v {
							t.Fatalf("op %d: fifo get(%s) = %v %v, want %d", i, kv.k, v, ok, kv.v)
						}
					}
				}
				if n := f.end - f.off; n > 2*f.len()+64 || n > len(f.q) || f.dead != n-f.len() {
					t.Fatalf("op %d: %d items (%d dead) in a ring of %d for %d keys", i, n, f.dead, len(f.q), f.len())
				}
			}
		})
	}
}

type kv struct {
	k string
	v int
}

func lruItems(l *lru[string, int]) (out []kv) {
	l.each(func(k string, v *int) bool { out = append(out, kv{k, *v}); return true })
	return out
}

func fifoItems(f *fifo[string, int]) (out []kv) {
	f.each(func(k string, v *int) bool { out = append(out, kv{k, *v}); return true })
	return out
}
