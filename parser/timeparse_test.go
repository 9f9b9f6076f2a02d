package parser

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestUTCTime checks utcTime against time.Date for edge dates and a sweep of
// random ones: the same instant and the same Time value (location UTC).
func TestUTCTime(t *testing.T) {
	type tc struct{ y, mo, d, h, mi, s, ns, off int }
	cases := []tc{
		{1, 1, 1, 0, 0, 0, 0, 0},
		{1, 1, 1, 0, 0, 0, 0, 14 * 3600},
		{1969, 12, 31, 23, 59, 59, 999999999, 0},
		{1970, 1, 1, 0, 0, 0, 0, 0},
		{2000, 2, 29, 12, 0, 0, 0, -5 * 3600},
		{1900, 2, 28, 23, 59, 60, 0, 0},
		{2024, 2, 29, 23, 59, 60, 500, 8 * 3600},
		{2024, 12, 31, 23, 59, 59, 1, -(23*3600 + 59*60)},
		{9999, 12, 31, 23, 59, 60, 999999999, -(23*3600 + 59*60)},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		y, mo := 1+rng.IntN(9999), 1+rng.IntN(12)
		cases = append(cases, tc{y, mo, 1 + rng.IntN(daysIn(mo, y)), rng.IntN(24), rng.IntN(60), rng.IntN(61),
			rng.IntN(1e9), (rng.IntN(48) - 24) * 1800})
	}
	for _, c := range cases {
		want := time.Date(c.y, time.Month(c.mo), c.d, c.h, c.mi, c.s, c.ns, time.UTC).Add(-time.Duration(c.off) * time.Second)
		if got := utcTime(c.y, c.mo, c.d, c.h, c.mi, c.s, c.ns, c.off); got != want {
			t.Fatalf("utcTime(%+v) = %v, want %v", c, got, want)
		}
	}
}

var sinkTime time.Time

// BenchmarkParseISOTime reads a GitLab "time" value.
func BenchmarkParseISOTime(b *testing.B) {
	v := []byte("2024-05-10T17:46:49.058+00:00")
	for b.Loop() {
		sinkTime, _ = parseISOTime(v)
	}
}

// BenchmarkTimeDate is what parseISOTime used to do after reading the
// fields, for comparison with BenchmarkUTCTime.
func BenchmarkTimeDate(b *testing.B) {
	for b.Loop() {
		sinkTime = time.Date(2024, 5, 10, 17, 46, 49, 58e6, time.UTC).Add(-0 * time.Second)
	}
}

// BenchmarkUTCTime is utcTime for the same fields as BenchmarkTimeDate.
func BenchmarkUTCTime(b *testing.B) {
	for b.Loop() {
		sinkTime = utcTime(2024, 5, 10, 17, 46, 49, 58e6, 0)
	}
}
