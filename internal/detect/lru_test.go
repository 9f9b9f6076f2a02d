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

// TestHashedLRUAgreesWithLRU runs the same random operations (touch, get,
// remove, eviction by max, removal while walking) on a plain lru and on
// hashed ones (newHashedLRU) whose hashes are cut to a few bits, so that
// most keys share a hash with another key held and go to the spill map,
// and checks after each that they hold the same keys and values in the
// same order, evict the same keys, and find the same keys.
func TestHashedLRUAgreesWithLRU(t *testing.T) {
	for _, mask := range []uint64{^uint64(0), 7, 1, 0} {
		for _, max := range []int{0, 3, 40} {
			t.Run(strconv.FormatUint(mask, 16)+"/"+strconv.Itoa(max), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(2, mask))
				l, h := newLRU[patKey, int](max), newHashedLRU[patKey, int](max)
				h.hashed.mask = mask
				key := func() patKey {
					return patKey{Author: "a" + strconv.Itoa(rng.IntN(9)), Path: "p" + strconv.Itoa(rng.IntN(9)), Day: int64(rng.IntN(2))}
				}
				items := func(m *lru[patKey, int]) (out []string) {
					m.each(func(k patKey, v *int) bool {
						out = append(out, k.Author+"/"+k.Path+"/"+strconv.FormatInt(k.Day, 10)+"="+strconv.Itoa(*v))
						return true
					})
					return out
				}
				spilled := false
				for i := range 20_000 {
					spilled = spilled || len(h.hashed.spill) > 0
					switch r := rng.IntN(100); {
					case r < 25:
						k := key()
						l.remove(k)
						h.remove(k)
					case r < 28: // a walk that removes every key of a day, as patOverTime.Advance does
						d := int64(rng.IntN(2))
						for _, m := range []*lru[patKey, int]{l, h} {
							m.each(func(k patKey, _ *int) bool {
								if k.Day == d {
									m.remove(k)
								}
								return true
							})
						}
					case r < 40:
						k := key()
						lv, lok := l.get(k)
						hv, hok := h.get(k)
						if lok != hok || lok && *lv != *hv {
							t.Fatalf("op %d: get(%v) = %v, want %v", i, k, hok, lok)
						}
					default:
						k := key()
						*l.touchOwn(k, clonePatKey) += i
						*h.touchOwn(k, clonePatKey) += i
					}
					if l.len() != h.len() || l.evicted != h.evicted {
						t.Fatalf("op %d: len %d/%d evicted %d/%d", i, h.len(), l.len(), h.evicted, l.evicted)
					}
					if i%31 == 0 {
						if got, want := items(h), items(l); !slices.Equal(got, want) {
							t.Fatalf("op %d: hashed lru holds %v, lru %v", i, got, want)
						}
					}
				}
				if mask != ^uint64(0) && !spilled {
					t.Error("no key went to the spill map: the collisions were not tested")
				}
			})
		}
	}
}
