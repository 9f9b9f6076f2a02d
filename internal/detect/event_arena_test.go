package detect

import (
	"fmt"
	"slices"
	"testing"
	"unsafe"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// arenaLine is an audit line with a plain value, an escaped one (which the
// parser unescapes into its own buffer) and a number.
const arenaLine = `{"severity":"INFO","time":"2024-05-10T17:46:49.065Z","correlation_id":"01HX%04d","author_id":%d,"author_name":"O\"Brien \u00e9","entity_type":"User","custom_message":"a\\b","target_details":"x"}`

// TestEventArena checks that the Events of an arena hold what NewEvent's
// hold (Raw aliasing the caller's line when it is stable, a copy when it
// is not), that Events made before a chunk filled keep their values when
// later ones go to a new chunk, and that once the arena has grown to a
// batch, making the batch's Events again allocates nothing.
func TestEventArena(t *testing.T) {
	p := parser.New(parser.TypeAudit)
	var rec parser.Record
	var ar EventArena
	const n = 3000 // more than minArenaEvents, minArenaCols and minArenaBytes hold
	lines := make([][]byte, n)
	for i := range lines {
		lines[i] = fmt.Appendf(nil, arenaLine, i, i)
	}
	geo := []byte("NL")
	fill := func(check bool) {
		ar.Reset()
		evs := make([]*Event, 0, n)
		var want []*Event
		for i, line := range lines {
			if err := p.Parse(line, &rec); err != nil {
				t.Fatal(err)
			}
			stable := i%2 == 0
			evs = append(evs, ar.New(&rec, line, stable, parser.Field{Name: "Country", Value: geo}))
			if !check {
				continue
			}
			w := NewEvent(&rec, line, "", 0)
			w.Columns = append(w.Columns, Column{"Country", "NL"})
			want = append(want, w)
			if got := unsafeSame(evs[i].Raw, line); got != stable {
				t.Fatalf("line %d: Raw aliases the line: %v, want %v", i, got, stable)
			}
		}
		for i := range want {
			if evs[i].Raw != want[i].Raw || !slices.Equal(evs[i].Columns, want[i].Columns) || !evs[i].Time.Equal(want[i].Time) {
				t.Fatalf("event %d = %+v\nwant %+v", i, evs[i], want[i])
			}
		}
	}
	fill(true)
	if rulesRace { // allocation counts are not meaningful under the race detector
		return
	}
	// Only the slice of pointers the test keeps is allocated.
	if a := testing.AllocsPerRun(5, func() { fill(false) }); a > 1 {
		t.Errorf("making %d events in a grown arena allocates %v times", n, a)
	}
}

// unsafeSame reports whether s is the bytes of b, not a copy.
func unsafeSame(s string, b []byte) bool {
	return len(s) == len(b) && len(b) > 0 && unsafe.StringData(s) == &b[0]
}

// TestEventClone checks that a clone keeps its values when the event's
// storage is reused, and that its values that were parts of Raw are
// parts of the clone's Raw.
func TestEventClone(t *testing.T) {
	var ar EventArena
	var rec parser.Record
	line := fmt.Appendf(nil, arenaLine, 1, 7)
	if err := parser.New(parser.TypeAudit).Parse(line, &rec); err != nil {
		t.Fatal(err)
	}
	ev := ar.New(&rec, line, true)
	ev.Source, ev.FileID, ev.Offset = "audit_json.log", "1:2", 42
	want := NewEvent(&rec, line, "audit_json.log", 0)
	want.FileID, want.Offset = "1:2", 42
	c := ev.Clone()
	poison(line)
	ar.poison()
	if c.Raw != want.Raw || !slices.Equal(c.Columns, want.Columns) || c.Source != want.Source || c.FileID != want.FileID || c.Offset != want.Offset {
		t.Fatalf("clone after reuse = %+v\nwant %+v", c, want)
	}
	if _, in := partOfString(c.Raw, c.Get(parser.ColAuthorID)); !in {
		t.Error("AuthorID of the clone is not a part of its Raw")
	}
}

// BenchmarkEventArenaNew measures EventArena.New on the realistic audit
// mix, as the agent calls it (raw stable: a part of the batch), the arena
// reset every 1,000 events as a slot's is; ns/op is per event.
func BenchmarkEventArenaNew(b *testing.B) {
	recs, raws := mixLines(b, mixCorpora[0], 1000)
	var a EventArena
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if i == len(recs) {
			a.Reset()
			i = 0
		}
		a.New(recs[i], raws[i], true)
		i++
	}
}
