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

// TestParseISOTimeFastPath checks that the fast path for GitLab's form
// (2024-05-31T14:00:00.022Z, ...+00:00) gives what the general path gives,
// for valid times and for every single-byte corruption of them.
func TestParseISOTimeFastPath(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	repl := []byte("09/:-.T tZz+ \x00\xff")
	var inputs []string
	for range 2000 {
		y, mo := 1+rng.IntN(9999), 1+rng.IntN(12)
		ts := time.Date(y, time.Month(mo), 1+rng.IntN(31), rng.IntN(24), rng.IntN(60), rng.IntN(60),
			rng.IntN(1000)*1e6, time.UTC).Format("2006-01-02T15:04:05.000")
		for _, zone := range []string{"Z", "+00:00"} {
			s := ts + zone
			inputs = append(inputs, s)
			b := []byte(s)
			i := rng.IntN(len(b))
			b[i] = repl[rng.IntN(len(repl))]
			inputs = append(inputs, string(b))
		}
	}
	inputs = append(inputs, "2024-02-30T00:00:00.000Z", "2024-13-01T00:00:00.000Z", "0000-01-01T00:00:00.000Z",
		"2024-01-01T24:00:00.000Z", "2024-01-01T23:60:00.000Z", "2024-01-01T23:59:60.000Z", "2024-01-01T23:59:61.000Z",
		"2024-01-01T23:59:59.000+00:01", "2024-01-01T23:59:59.0000Z", "2024-01-01T23:59:59,000Z")
	fast := 0
	for _, s := range inputs {
		b := []byte(s)
		got, ok := parseISOTime(b)
		want, wantOK := parseISOTimeAny(b)
		if ok != wantOK || got != want {
			t.Fatalf("parseISOTime(%q) = %v, %v; general path %v, %v", s, got, ok, want, wantOK)
		}
		if _, ok := parseISOMillisUTC(b); ok {
			fast++
		}
	}
	if fast < len(inputs)/3 {
		t.Fatalf("fast path took %d of %d inputs", fast, len(inputs))
	}
}

// refMonthAbbr is monthAbbr written as a switch, for TestMonthAbbr.
func refMonthAbbr(b []byte) int {
	for i, m := range shortMonths {
		if string(b) == m {
			return i + 1
		}
	}
	return 0
}

// TestMonthAbbr checks monthAbbr against a plain comparison for every
// three-byte string over letters and a few other bytes.
func TestMonthAbbr(t *testing.T) {
	var alphabet []byte
	for c := 'A'; c <= 'z'; c++ {
		alphabet = append(alphabet, byte(c))
	}
	alphabet = append(alphabet, 0, ' ', '0', 0x80, 0xff)
	for _, a := range alphabet {
		for _, b := range alphabet {
			for _, c := range alphabet {
				k := []byte{a, b, c}
				if got, want := monthAbbr(k), refMonthAbbr(k); got != want {
					t.Fatalf("monthAbbr(%q) = %d, want %d", k, got, want)
				}
			}
		}
	}
	for _, k := range []string{"", "Ja", "Janu", "January"} {
		if got := monthAbbr([]byte(k)); got != 0 {
			t.Fatalf("monthAbbr(%q) = %d, want 0", k, got)
		}
	}
}

// refParseNginxTime is parseNginxTime field by field, for
// TestParseNginxTime.
func refParseNginxTime(b []byte) (time.Time, bool) {
	if len(b) != 26 || b[2] != '/' || b[6] != '/' || b[11] != ':' || b[14] != ':' || b[17] != ':' || b[20] != ' ' {
		return time.Time{}, false
	}
	d, mo, y := digits(b, 0, 2), refMonthAbbr(b[3:6]), digits(b, 7, 4)
	h, mi, s := digits(b, 12, 2), digits(b, 15, 2), digits(b, 18, 2)
	if !validClock(y, mo, d, h, mi, s) {
		return time.Time{}, false
	}
	off, ok := parseOffset(b[21:], false)
	if !ok {
		return time.Time{}, false
	}
	return utcTime(y, mo, d, h, mi, s, 0, off), true
}

// TestParseNginxTime checks parseNginxTime against refParseNginxTime for
// valid times and every kind of single-byte corruption of them.
func TestParseNginxTime(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	repl := []byte("09/:-+ ZJan\x00\xff")
	var inputs []string
	for range 5000 {
		y, mo := 1+rng.IntN(9999), 1+rng.IntN(12)
		ts := time.Date(y, time.Month(mo), 1+rng.IntN(31), rng.IntN(24), rng.IntN(60), rng.IntN(60), 0,
			time.FixedZone("", (rng.IntN(56)-28)*1800)).Format("02/Jan/2006:15:04:05 -0700")
		inputs = append(inputs, ts)
		b := []byte(ts)
		b[rng.IntN(len(b))] = repl[rng.IntN(len(repl))]
		inputs = append(inputs, string(b))
	}
	inputs = append(inputs, "30/Feb/2024:00:00:00 +0000", "29/Feb/2023:00:00:00 +0000", "01/Jan/0000:00:00:00 +0000",
		"01/Jan/2024:24:00:00 +0000", "01/Jan/2024:00:00:60 +0000", "01/Jan/2024:00:00:00 +2400",
		"01/Jan/2024:00:00:00 +0060", "01/Jan/2024:00:00:00 Z0000", "01/jan/2024:00:00:00 +0000")
	ok := 0
	for _, s := range inputs {
		got, gotOK := parseNginxTime([]byte(s))
		want, wantOK := refParseNginxTime([]byte(s))
		if gotOK != wantOK || got != want {
			t.Fatalf("parseNginxTime(%q) = %v, %v; want %v, %v", s, got, gotOK, want, wantOK)
		}
		if gotOK {
			ok++
		}
	}
	if ok < len(inputs)/3 {
		t.Fatalf("only %d of %d inputs parsed", ok, len(inputs))
	}
}

// TestParseTime: ParseTime reads the forms GitLab's logs hold a time in
// (RFC 3339 with Z or an offset, Ruby's Time#to_s with " UTC", a space
// for T, no zone) as the same instant, and refuses other text.
func TestParseTime(t *testing.T) {
	want := time.Date(2025, 3, 4, 12, 0, 0, 0, time.UTC)
	for _, s := range []string{
		"2025-03-04T12:00:00Z", "2025-03-04T12:00:00.000Z", "2025-03-04T12:00:00.000+00:00",
		"2025-03-04 12:00:00 UTC", "2025-03-04 12:00:00", "2025-03-04T14:00:00+02:00", "2025-03-04T14:00:00+0200",
		"2025-03-04 14:00:00 +0200", "2025-03-04 10:30:00 -0130",
	} {
		got, ok := ParseTime([]byte(s))
		if !ok || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("ParseTime(%q) = %v, %v; want %v, true", s, got, ok, want)
		}
	}
	for _, s := range []string{"", "2025-03-04", "yesterday", "2025-02-30T12:00:00Z", "2025-03-04T12:00:00 CET", "2025-03-04 12:00:00  +0200", "2025-03-04 12:00:00 +02:00x"} {
		if got, ok := ParseTime([]byte(s)); ok {
			t.Errorf("ParseTime(%q) = %v, true; want false", s, got)
		}
	}
}
