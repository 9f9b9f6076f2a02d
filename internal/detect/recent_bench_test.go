package detect

import (
	"math/rand/v2"
	"strconv"
	"testing"
	"time"
)

// BenchmarkRecentSeen measures the engine's per-event dedupe step: seenKey
// of a new id, with expire called as the engine calls it (each time the
// watermark passes a new second), on a set at its default retention and
// cap, full: events arrive 1 ms apart in event time, so each new id drops
// the oldest, as in a busy agent. They arrive in
// order; jittered (each up to the default lateness, 2 min, older than the
// newest, as merged sources give them); or late (a tenth of them a day and
// more behind the watermark, as a backlog or a re-read gives them).
func BenchmarkRecentSeen(b *testing.B) {
	const held = DefaultMaxRecent
	t0 := time.Date(2024, 6, 10, 9, 0, 0, 0, time.UTC).UnixNano()
	for _, c := range []struct {
		name string
		skew func(rng *rand.Rand) int64 // how much older than the newest an event is, ns
	}{
		{"in_order", func(*rand.Rand) int64 { return 0 }},
		{"jittered", func(rng *rand.Rand) int64 { return rng.Int64N(int64(2 * time.Minute)) }},
		{"late", func(rng *rand.Rand) int64 {
			if rng.IntN(10) == 0 {
				return int64(25*time.Hour) + rng.Int64N(int64(time.Hour))
			}
			return 0
		}},
	} {
		b.Run(c.name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			const n = 1 << 16
			keys := make([]recentKey, n)
			skews := make([]int64, n)
			for i := range keys {
				keys[i] = keyOf("event-" + strconv.Itoa(i))
				skews[i] = c.skew(rng)
			}
			r := newRecent(DefaultDedupeWindow, DefaultMaxRecent)
			newest, lastSec := t0, int64(0)
			step := func(i int) {
				newest += int64(time.Millisecond)
				k := keys[i&(n-1)]
				k[0] ^= byte(i >> 16) // a new id each time
				k[1] ^= byte(i >> 24)
				r.seenKey(k, newest-skews[i&(n-1)])
				if wm := newest - int64(DefaultLateness); wm/1e9 > lastSec {
					lastSec = wm / 1e9
					r.expire(time.Unix(0, wm))
				}
			}
			for i := range held {
				step(i)
			}
			i := held
			b.ReportAllocs()
			for b.Loop() {
				step(i)
				i++
			}
		})
	}
}
