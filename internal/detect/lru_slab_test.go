package detect

import (
	"strconv"
	"testing"
	"unsafe"
)

// TestLRUReusesNodes checks that a removed key's node is zeroed and taken
// by a later key (so that, once keys have been removed, a new key
// allocates no node), that a removed key is gone, and that the nodes
// allocated stay within max plus one chunk however many keys pass.
func TestLRUReusesNodes(t *testing.T) {
	for _, max := range []int{1, 3, 100, 5000} {
		t.Run(strconv.Itoa(max), func(t *testing.T) {
			l := newLRU[string, []int](max)
			keys := make([]string, 4*max)
			for i := range keys {
				keys[i] = "k" + strconv.Itoa(i)
			}
			nodes := map[*lruNode[string, []int]]bool{}
			for i, k := range keys {
				v := l.touch(k)
				*v = append(*v, i)
				nodes[l.m[k]] = true
				if i%3 == 2 { // remove some keys too, not only evict
					l.remove(keys[i-1])
					if _, ok := l.get(keys[i-1]); ok {
						t.Fatalf("%s still held after remove", keys[i-1])
					}
				}
			}
			if chunk := maxLRUChunkBytes / int(unsafe.Sizeof(lruNode[string, []int]{})); len(nodes) > max+chunk {
				t.Errorf("%d nodes for max %d, want at most max + %d", len(nodes), max, chunk)
			}
			for n := l.free; n != nil; n = n.newer {
				if n.key != "" || n.val != nil || n.old != nil {
					t.Fatalf("free node not zeroed: %+v", *n)
				}
			}
			l.each(func(k string, v *[]int) bool {
				if len(*v) != 1 || keys[(*v)[0]] != k {
					t.Fatalf("key %s holds %v", k, *v)
				}
				return true
			})
			// With a key removed, a new key takes its node: no allocation
			// but the map's.
			k0, _, _ := l.front()
			l.remove(k0)
			if n := testing.AllocsPerRun(1, func() { l.touch(k0); l.remove(k0) }); n != 0 {
				t.Errorf("%v allocations to add a key after a removal, want 0", n)
			}
		})
	}
}
