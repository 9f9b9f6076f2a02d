package detect

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestAppendRFC3339 checks that appendRFC3339 writes what AppendFormat
// with time.RFC3339Nano writes, for edge dates, zones other than UTC,
// years out of range, and random instants over years 0 to 9999.
func TestAppendRFC3339(t *testing.T) {
	ts := []time.Time{
		{},
		time.Unix(0, 0).UTC(),
		time.Unix(0, 1).UTC(),
		time.Unix(-1, 999_999_999).UTC(),
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(0, 2, 29, 23, 59, 59, 100, time.UTC),
		time.Date(0, 3, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1900, 2, 28, 12, 0, 0, 0, time.UTC),
		time.Date(2000, 2, 29, 12, 0, 0, 120_000_000, time.UTC),
		time.Date(2024, 5, 31, 14, 0, 3, 281_000_000, time.UTC),
		time.Date(2024, 12, 31, 23, 59, 59, 999_999_999, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999_999_999, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(2024, 5, 31, 14, 0, 3, 5, time.FixedZone("", 2*3600)),
		time.Date(2024, 5, 31, 14, 0, 3, 5, time.FixedZone("", 0)),
		time.Date(2024, 5, 31, 14, 0, 3, 0, time.Local),
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 200_000 {
		sec := minRFC3339 + r.Int64N(maxRFC3339-minRFC3339)
		ns := int64(0)
		switch r.IntN(4) {
		case 1:
			ns = r.Int64N(1000) * 1_000_000
		case 2:
			ns = r.Int64N(1_000_000_000)
		}
		ts = append(ts, time.Unix(sec, ns).UTC())
	}
	for _, tm := range ts {
		want := tm.AppendFormat([]byte("x"), time.RFC3339Nano)
		if got := appendRFC3339([]byte("x"), tm); string(got) != string(want) {
			t.Fatalf("%v: got %s, want %s", tm, got, want)
		}
	}
}

func TestAppendRFC3339NoAllocs(t *testing.T) {
	b := make([]byte, 0, 64)
	tm := time.Date(2024, 5, 31, 14, 0, 3, 281_000_000, time.UTC)
	if n := testing.AllocsPerRun(100, func() { b = appendRFC3339(b[:0], tm) }); n != 0 {
		t.Errorf("%v allocs", n)
	}
}

func BenchmarkAppendRFC3339(b *testing.B) {
	tm := time.Date(2024, 5, 31, 14, 0, 3, 281_000_000, time.UTC)
	buf := make([]byte, 0, 64)
	b.Run("fast", func(b *testing.B) {
		for b.Loop() {
			buf = appendRFC3339(buf[:0], tm)
		}
	})
	b.Run("AppendFormat", func(b *testing.B) {
		for b.Loop() {
			buf = tm.AppendFormat(buf[:0], time.RFC3339Nano)
		}
	})
}

// TestCreatedTime checks that createdTime gives what createdOr gives,
// instant and text, for CreatedAt values in GitLab's forms at random
// instants and fractions, and for text its direct path must leave to
// time.Parse.
func TestCreatedTime(t *testing.T) {
	fallback := time.Date(2024, 1, 2, 3, 4, 5, 6, time.UTC)
	in := []string{
		"", "x", "2024-05-31T14:00:03Z", "2024-05-31T14:00:03.274Z", "2024-05-31T14:00:03.274+00:00",
		"2024-02-29T00:00:00Z", "2023-02-29T00:00:00Z", "2024-04-31T00:00:00Z", "2024-13-01T00:00:00Z",
		"2024-00-01T00:00:00Z", "2024-01-00T00:00:00Z", "2024-01-01T24:00:00Z", "2024-01-01T23:60:00Z",
		"2024-01-01T23:59:60Z", "2024-01-01T23:59:59.Z", "2024-01-01T23:59:59.1234567891Z",
		"2024-01-01T23:59:59.123456789Z", "2024-01-01T23:59:59+02:00", "2024-01-01T23:59:59-00:00",
		"2024-01-01T23:59:59z", "2024-01-01 23:59:59Z", "2024-01-01T23:59:59.1x", "0000-01-01T00:00:00Z",
		"0000-02-29T12:00:00Z", "1900-02-29T12:00:00Z", "2000-02-29T12:00:00Z", "9999-12-31T23:59:59.999999999Z",
		"2O24-01-01T00:00:00Z", "2024-01-01T00:00:00.5Zjunk", "2024-01-01T00:00:00.+00:00",
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 100_000 {
		tm := time.Unix(minRFC3339+r.Int64N(maxRFC3339-minRFC3339), r.Int64N(1_000_000_000)).UTC()
		s := tm.Format("2006-01-02T15:04:05")
		if k := r.IntN(11); k > 0 {
			s += tm.Format(".000000000")[:k]
		}
		if r.IntN(2) == 0 {
			s += "Z"
		} else {
			s += "+00:00"
		}
		in = append(in, s)
	}
	for _, s := range in {
		want, got := createdOr(s, fallback), createdTime(s, fallback)
		if !got.Equal(want) || got.Location() != want.Location() ||
			got.Format(time.RFC3339Nano) != want.Format(time.RFC3339Nano) {
			t.Fatalf("%q: got %v, want %v", s, got, want)
		}
	}
}

func BenchmarkCreatedTime(b *testing.B) {
	var t0 time.Time
	for _, f := range []struct {
		name string
		fn   func(string, time.Time) time.Time
	}{{"fast", createdTime}, {"createdOr", createdOr}} {
		b.Run(f.name, func(b *testing.B) {
			for b.Loop() {
				t0 = f.fn("2024-05-31T14:00:03.274Z", t0)
			}
		})
	}
}

func TestShortDuration(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{3*time.Minute + 26*time.Second, "3m26s"},
		{2 * time.Minute, "2m"},
		{8 * time.Hour, "8h"},
		{47*time.Hour + 59*time.Minute, "47h59m"},
		{48 * time.Hour, "2d"},
		{48768*time.Hour + 8*time.Minute + 27*time.Second, "2032d"},
		{3*24*time.Hour + 23*time.Hour + 45*time.Minute, "4d"},
		{3*24*time.Hour + 5*time.Hour + 10*time.Minute, "3d5h"},
		{106751*24*time.Hour + 23*time.Hour, "106751d23h"},
		{time.Date(9999, 5, 31, 0, 0, 0, 0, time.UTC).Sub(time.Date(2024, 5, 31, 0, 0, 0, 0, time.UTC)), "more than 292 years"}, // Sub saturates (trial 233)
	} {
		if got := ShortDuration(tc.d); got != tc.want {
			t.Errorf("ShortDuration(%s) = %q, want %q", tc.d, got, tc.want)
		}
	}
}
