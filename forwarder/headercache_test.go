package forwarder

import (
	"strings"
	"testing"
	"time"
)

// TestBatchHeaderCache appends messages whose header fields and times
// change, repeat and go out of range to a Batch (which copies what repeats
// from its headerCache) and checks every message and the counters against
// an Encoder without the cache.
func TestBatchHeaderCache(t *testing.T) {
	base := time.Date(2026, 8, 22, 10, 0, 0, 123456789, time.UTC)
	host, long := "gitlab01.example.com", strings.Repeat("h", MaxHostname+5)
	cases := []struct {
		name string
		edit func(m *Message)
	}{
		{"first", func(m *Message) {}},
		{"same second", func(m *Message) { m.Time = base.Add(500 * time.Millisecond) }},
		{"next second", func(m *Message) { m.Time = base.Add(time.Second) }},
		{"back a second", func(m *Message) { m.Time = base.Add(-time.Nanosecond) }},
		{"other zone, same instant", func(m *Message) { m.Time = base.In(time.FixedZone("X", 3600)) }},
		{"zero time", func(m *Message) { m.Time = time.Time{} }},
		{"year 10000", func(m *Message) { m.Time = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }},
		{"same year 10000", func(m *Message) { m.Time = time.Date(10000, 1, 1, 0, 0, 0, 5000, time.UTC) }},
		{"before 1970", func(m *Message) { m.Time = time.Date(1969, 12, 31, 23, 59, 59, 999999000, time.UTC) }},
		{"equal host elsewhere in memory", func(m *Message) { m.Hostname = strings.Clone(host) }},
		{"clamped host", func(m *Message) { m.Hostname = "bad host" }},
		{"clamped host again", func(m *Message) { m.Hostname = "bad host" }},
		{"too long host", func(m *Message) { m.Hostname = long }},
		{"too long host again", func(m *Message) { m.Hostname = long }},
		{"empty host", func(m *Message) { m.Hostname = "" }},
		{"other app", func(m *Message) { m.AppName = AppNameAccess }},
		{"procid", func(m *Message) { m.ProcID = "1234" }},
		{"msgid", func(m *Message) { m.MsgID = "access" }},
		{"back to first", func(m *Message) {}},
	}
	var withCache, without Encoder
	var b Batch
	for round := range 2 {
		for _, c := range cases {
			m := benchMessage()
			m.Time, m.Hostname = base, host
			c.edit(&m)
			b.Append(&withCache, &m)
			want := string(without.Append(nil, &m))
			if got := string(b.Message(b.Len() - 1)); got != want {
				t.Fatalf("round %d, %s:\n got %q\nwant %q", round, c.name, got, want)
			}
			if got, want := withCache.Stats(), without.Stats(); got != want {
				t.Fatalf("round %d, %s: stats %+v, want %+v", round, c.name, got, want)
			}
		}
		b.Reset()
	}
	if without.Stats().Clamped == 0 || without.Stats().Timestamps == 0 {
		t.Fatalf("the cases clamp no field or write no out-of-range time: %+v", without.Stats())
	}
}
