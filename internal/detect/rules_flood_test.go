package detect

import (
	"math/rand/v2"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// heapInUse returns the live heap after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestFloodOfRandomKeysStaysBounded feeds one million failed logins with
// random user names and addresses (an attacker controls both) to the rules
// keyed by them, inside one window so that nothing expires: keys must stay
// at max_keys, the rest evicted oldest first and counted, and the heap the
// rule keeps must stay under a fixed bound per key.
func TestFloodOfRandomKeysStaysBounded(t *testing.T) {
	n := 1_000_000
	if rulesRace || testing.Short() {
		n = 150_000
	}
	const maxKeys = 100_000
	// Bytes of live heap allowed per key held: a key's strings, map entry,
	// LRU node and one or two time buckets.
	const perKey = 400
	for _, spec := range []Spec{bruteforceSpec(), passwordSpraySpec(), distributedGuessingSpec()} {
		t.Run(spec.Info.ID, func(t *testing.T) {
			n := n
			if spec.Info.ID != "sentinel.bruteforce" {
				n = max(n*3/10, 2*maxKeys) // the same code path; spare the shared machine
			}
			base := heapInUse()
			r, err := spec.New(NewParams(spec.Info.ID, nil, nil), &Env{})
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(1, 2))
			start := time.Date(2024, 6, 10, 9, 0, 0, 0, time.UTC)
			alerts := 0
			emit := func(*Alert) { alerts++ }
			for i := range n {
				user := strconv.FormatUint(rng.Uint64(), 36)
				ip := "10." + strconv.Itoa(rng.IntN(256)) + "." + strconv.Itoa(rng.IntN(256)) + "." + strconv.Itoa(rng.IntN(256))
				r.Observe(failedLogin(user, ip, start.Add(time.Duration(i)*time.Millisecond)), nil, emit)
			}
			grown := int64(heapInUse()) - int64(base)
			kc := r.(KeyCounter)
			perRuleMax := maxKeys
			if spec.Info.ID == "sentinel.bruteforce" {
				perRuleMax = 2 * maxKeys // (user, address) windows and user histories
			}
			t.Logf("%s: %d events, %d keys held, %d evicted, heap +%.1f MiB (%.0f B/key)", spec.Info.ID, n,
				kc.Keys(), kc.Evicted(), float64(grown)/(1<<20), float64(grown)/float64(kc.Keys()))
			if kc.Keys() > perRuleMax {
				t.Errorf("keys held %d, cap %d", kc.Keys(), perRuleMax)
			}
			if want := uint64(perRuleMax/maxKeys) * uint64(n-maxKeys); kc.Evicted() < want*99/100 {
				t.Errorf("evicted %d, want about %d", kc.Evicted(), want)
			}
			if grown > int64(perRuleMax)*perKey {
				t.Errorf("heap grew %d bytes for %d keys: more than %d B/key", grown, kc.Keys(), perKey)
			}
			if alerts != 0 {
				t.Errorf("%d alerts from random keys seen once each", alerts)
			}
			runtime.KeepAlive(r)
		})
	}
}
