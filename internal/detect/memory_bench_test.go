package detect

import (
	"bufio"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// memoryKeys is the number of distinct keys BenchmarkMemoryPerKey feeds.
const memoryKeys = 1_000_000

// BenchmarkMemoryPerKey measures what one key of each kind of rule state
// costs: it feeds memoryKeys events with distinct random keys (user
// names and addresses, which an attacker controls) inside one window, with
// max_keys raised to memoryKeys so that nothing is evicted, and reports
// per key fed the growth of the live heap (runtime.MemStats.HeapAlloc
// after a full collection: heap-B/key) and of the process's resident set
// (VmRSS, Linux, from a baseline taken after returning freed memory to
// the OS: rss-B/key, which includes the garbage collector's headroom). These are the figures the README gives for max_keys. It
// takes a few seconds and about 1 GB; run it alone:
//
//	go test -run '^$' -bench MemoryPerKey -benchtime 1x ./internal/detect
func BenchmarkMemoryPerKey(b *testing.B) {
	start := time.Date(2024, 6, 10, 9, 0, 0, 0, time.UTC)
	user := func(rng *rand.Rand) string { return strconv.FormatUint(rng.Uint64(), 36) } // 12-13 bytes
	addr := func(i int) string {
		return "10." + strconv.Itoa(i>>16&255) + "." + strconv.Itoa(i>>8&255) + "." + strconv.Itoa(i&255)
	}
	cases := []struct {
		name string
		spec Spec
		// event returns the i-th event: a new key of the rule.
		event func(i int, rng *rand.Rand) *Event
	}{
		{"window+baseline/sentinel.bruteforce", bruteforceSpec(), func(i int, rng *rand.Rand) *Event {
			return failedLogin(user(rng), addr(i), start.Add(time.Duration(i)*time.Microsecond))
		}},
		{"distinct-set/gitlab.password_spray", passwordSpraySpec(), func(i int, rng *rand.Rand) *Event {
			return failedLogin(user(rng), addr(i), start.Add(time.Duration(i)*time.Microsecond))
		}},
		{"distinct-set/gitlab.distributed_guessing", distributedGuessingSpec(), func(i int, rng *rand.Rand) *Event {
			return failedLogin(user(rng), addr(i), start.Add(time.Duration(i)*time.Microsecond))
		}},
		{"day-count/sentinel.pat_over_time", patOverTimeSpec(), func(i int, rng *rand.Rand) *Event {
			return &Event{Type: parser.TypeAudit, Time: start.Add(time.Duration(i) * time.Microsecond), Source: "audit_json.log",
				Columns: []Column{{parser.ColEventName, "personal_access_token_created"}, {parser.ColAuthorName, user(rng)},
					{parser.ColEntityPath, "group/" + user(rng)}, {parser.ColCustomMessage, "Created personal access token with id 1"},
					{parser.ColEventID, strconv.Itoa(1_000_000_000 + i)}}}
		}},
	}
	// The engine's set of recent event ids (dedupe; Config.MaxRecent,
	// default DefaultMaxRecent), and as large its set of recent alert ids.
	b.Run("engine/recent-event-ids", func(b *testing.B) {
		for b.Loop() {
			baseHeap := heapInUse()
			debug.FreeOSMemory()
			baseRSS := residentBytes()
			r := newRecent(DefaultDedupeWindow, memoryKeys)
			for i := range memoryKeys {
				r.seen(strconv.Itoa(1_000_000_000+i)+"\x00personal_access_token_created\x001718010000000000000", start.Add(time.Duration(i)*time.Microsecond))
			}
			heap, rss := float64(heapInUse())-float64(baseHeap), float64(residentBytes())-float64(baseRSS)
			if r.len() != memoryKeys {
				b.Fatalf("%d ids held, want %d", r.len(), memoryKeys)
			}
			runtime.KeepAlive(r)
			b.ReportMetric(heap/memoryKeys, "heap-B/key")
			if baseRSS > 0 {
				b.ReportMetric(rss/memoryKeys, "rss-B/key")
			}
		}
	})
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				heap, rss := memoryPerKey(b, tc.spec, tc.event)
				b.ReportMetric(heap, "heap-B/key")
				if rss > 0 {
					b.ReportMetric(rss, "rss-B/key")
				}
			}
		})
	}
}

// memoryPerKey builds spec's rule with max_keys memoryKeys, feeds it
// memoryKeys events from event and returns the heap and resident-set
// growth per key fed.
func memoryPerKey(b *testing.B, spec Spec, event func(int, *rand.Rand) *Event) (heap, rss float64) {
	b.Helper()
	baseHeap := heapInUse()
	debug.FreeOSMemory() // what earlier cases left is not counted
	baseRSS := residentBytes()
	r, err := spec.New(NewParams(spec.Info.ID, nil, map[string]string{"max_keys": strconv.Itoa(memoryKeys)}), &Env{})
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	alerts := 0
	emit := func(*Alert) { alerts++ }
	for i := range memoryKeys {
		r.Observe(event(i, rng), nil, emit)
	}
	grownHeap, grownRSS := float64(heapInUse())-float64(baseHeap), float64(residentBytes())-float64(baseRSS)
	keys := r.(KeyCounter).Keys()
	if ev := r.(KeyCounter).Evicted(); ev != 0 || keys < memoryKeys {
		b.Fatalf("%d keys held, %d evicted: want at least %d held, none evicted", keys, ev, memoryKeys)
	}
	if alerts != 0 {
		b.Fatalf("%d alerts from keys seen once each", alerts)
	}
	b.Logf("%s: %d keys held, heap +%.0f MiB, RSS +%.0f MiB", spec.Info.ID, keys, grownHeap/(1<<20), grownRSS/(1<<20))
	runtime.KeepAlive(r)
	// Per key fed, which is what max_keys multiplies: sentinel.bruteforce
	// holds a (user, address) window and a user history for each (two
	// entries, each capped at max_keys), the other rules one entry.
	heap, rss = grownHeap/memoryKeys, grownRSS/memoryKeys
	if baseRSS == 0 {
		rss = 0
	}
	return heap, rss
}

// residentBytes returns the process's resident set size (VmRSS in
// /proc/self/status), or 0 where there is none.
func residentBytes() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}
