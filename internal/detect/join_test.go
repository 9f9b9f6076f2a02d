package detect

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// TestJoinSideRecord checks that an audit line waiting for its
// application line is held as a small record: the values the join needs,
// none of them (nor the key) a part of the line's Event, and that the
// alert joined later gets exactly them, in the joiner's column order, the
// empty ones left out.
func TestJoinSideRecord(t *testing.T) {
	at := time.Date(2024, 5, 10, 17, 46, 49, 0, time.UTC)
	raw := []byte(`{"time":"2024-05-10T17:46:49.000Z","correlation_id":"01HXHSTQ","id":"77","author_id":1,"author_name":"Administrator","with":"standard"}`)
	var rec parser.Record
	if err := parser.New(parser.TypeAudit).Parse(raw, &rec); err != nil {
		t.Fatal(err)
	}
	ev := NewEvent(&rec, raw, "audit_json.log", OriginFile)
	cid := ev.Get(parser.ColCorrelationID)
	if cid == "" || ev.Get(parser.ColAuthorName) == "" {
		t.Fatalf("test line lacks CorrelationID or AuthorName: %+v", ev.Columns)
	}
	j := newJoiner(10, parser.ColAuthorID, parser.ColIPAddress, parser.ColAuthorName) // the line has no IPAddress
	var out []*Alert
	emit := func(a *Alert) { out = append(out, a) }
	j.side(cid, ev.Time, ev.Get(parser.ColEventID), [maxSideCols]string{ev.Get(parser.ColAuthorID), ev.Get(parser.ColIPAddress), ev.Get(parser.ColAuthorName)}, emit)
	if len(out) != 0 {
		t.Fatalf("a side alone emitted %d alerts", len(out))
	}
	if j.sides.len() != 0 || j.heldSides() != 1 {
		t.Fatalf("%d sides indexed, %d held after a side: want it staged", j.sides.len(), j.heldSides())
	}
	j.index()
	k, s, ok := j.sides.front()
	if !ok {
		t.Fatal("the side was not held")
	}
	inRaw := func(v string) bool {
		p, r := uintptr(unsafe.Pointer(unsafe.StringData(v))), uintptr(unsafe.Pointer(unsafe.StringData(ev.Raw)))
		return len(v) > 0 && p >= r && p < r+uintptr(len(ev.Raw))
	}
	for _, v := range append([]string{k, s.eventID}, s.vals[:]...) {
		if inRaw(v) {
			t.Errorf("held value %q is a part of the event's line: the record pins it", v)
		}
	}
	if k != cid || !s.t.Equal(at) {
		t.Errorf("held key %q at %v, want %q at %v", k, s.t, cid, at)
	}
	a := &Alert{Time: at.Add(30 * time.Second)}
	j.alert(cid, a, emit)
	if len(out) != 1 || out[0] != a {
		t.Fatalf("the application-side alert was not joined at once: %d alerts", len(out))
	}
	want := []Column{{parser.ColAuthorID, ev.Get(parser.ColAuthorID)}, {parser.ColAuthorName, "Administrator"}}
	if !slices.Equal(a.Columns, want) {
		t.Errorf("joined columns %v, want %v", a.Columns, want)
	}
	if id := ev.Get(parser.ColEventID); id == "" || !slices.Equal(a.EventIDs, []string{id}) {
		t.Errorf("joined EventIDs %v, want the audit line's %q", a.EventIDs, id)
	}
	if j.heldSides() != 0 {
		t.Errorf("%d sides held after the join, want 0", j.heldSides())
	}
}

// TestJoinAdvanceManyKeys holds many audit sides and application alerts,
// joins every third side, and advances the watermark step by step: each
// step must emit exactly the alerts whose window closed, in the order
// they were held, and keep exactly the sides still inside their window,
// while the joiner's rings stay within about twice what they hold.
func TestJoinAdvanceManyKeys(t *testing.T) {
	const n = 30_000
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	j := newJoiner(n, parser.ColAuthorID)
	var out []*Alert
	emit := func(a *Alert) { out = append(out, a) }
	at := func(i int) time.Time { return t0.Add(time.Duration(i) * 10 * time.Millisecond) }
	cid := func(i int) string { return "cid-" + strconv.Itoa(i) }
	joined := 0
	for i := range n {
		j.side(cid(i), at(i), strconv.Itoa(i), [maxSideCols]string{"7"}, emit)
		if i%3 == 0 { // its application line comes: joined at once
			j.alert(cid(i), &Alert{Time: at(i)}, emit)
			joined++
		}
		if i%10 == 1 { // an application line whose audit line never comes
			j.alert("app-"+strconv.Itoa(i), &Alert{Time: at(i), Key: []Column{{"I", strconv.Itoa(i)}}}, emit)
		}
	}
	if len(out) != joined {
		t.Fatalf("%d alerts emitted while holding, want the %d joined", len(out), joined)
	}
	out = out[:0]
	last := -1 // the last application-only alert emitted
	for step := 0; step <= n/1000+int(joinWindow/(10*time.Second)); step++ {
		wm := at(step * 1000).Add(joinWindow)
		j.advance(wm, emit)
		for _, a := range out {
			i, _ := strconv.Atoi(a.Get("I"))
			if i <= last || a.Time.Add(joinWindow).After(wm) {
				t.Fatalf("step %d: alert of line %d emitted out of order or early (last %d)", step, i, last)
			}
			last = i
		}
		out = out[:0]
		// Every alert held is younger than the window, every one
		// emitted older: the next one due is the first held.
		if _, p, ok := j.pending.front(); ok && !(*p).Time.Add(joinWindow).After(wm) {
			t.Fatalf("step %d: alert at %v still held at watermark %v", step, (*p).Time, wm)
		}
		wantSides := 0
		for i := range n {
			if i%3 != 0 && at(i).Add(joinWindow).After(wm) {
				wantSides++
			}
		}
		if j.heldSides() != wantSides {
			t.Fatalf("step %d: %d sides held, want %d", step, j.heldSides(), wantSides)
		}
		for _, f := range []interface{ span() (int, int) }{j.sides, j.pending} {
			if items, held := f.span(); items > 2*held+64 {
				t.Fatalf("step %d: %d items for %d keys", step, items, held)
			}
		}
	}
	if j.heldSides() != 0 || j.pending.len() != 0 || last != n-9 {
		t.Errorf("after the last window: %d sides, %d alerts held, last alert of line %d (want %d)", j.heldSides(), j.pending.len(), last, n-9)
	}
}

// span returns the items in the ring (live and dead) and the keys held.
func (f *fifo[K, V]) span() (int, int) { return f.end - f.off, len(f.m) }

// TestJoinSideSlab holds audit sides whose strings fill several of the
// joiner's slab blocks (one value longer than a block) and checks that
// every record still holds its own values, and that holding a side costs
// no allocation of its own once the joiner's map and ring have grown.
func TestJoinSideSlab(t *testing.T) {
	j := newJoiner(100_000, parser.ColAuthorID, parser.ColAuthorName)
	at := time.Date(2024, 5, 10, 17, 46, 49, 0, time.UTC)
	emit := func(*Alert) { t.Fatal("a side alone emitted an alert") }
	long := strings.Repeat("n", slabSize+1)
	vals := func(i int) (string, string, [maxSideCols]string) {
		name := "user" + strconv.Itoa(i)
		if i == 700 {
			name = long
		}
		return "cid" + strconv.Itoa(i), "id" + strconv.Itoa(i*7), [maxSideCols]string{strconv.Itoa(i * 3), name}
	}
	const n = 2000
	for i := range n {
		cid, id, v := vals(i)
		j.side(cid, at, id, v, emit)
	}
	j.index()
	for i := range n {
		cid, id, v := vals(i)
		s, ok := j.sides.get(cid)
		if !ok || s.eventID != id || s.vals != v {
			t.Fatalf("side %d: held %+v (%v), want id %q vals %q", i, s, ok, id, v)
		}
	}
	cids := make([]string, 1000)
	for i := range cids {
		cids[i] = "cid" + strconv.Itoa(n+i)
	}
	i := 0
	allocs := testing.AllocsPerRun(1000, func() {
		j.side(cids[i], at, "id", [maxSideCols]string{"1", "Administrator"}, emit)
		j.index()
		j.sides.remove(cids[i])
		i = (i + 1) % len(cids)
	})
	if allocs > 0.1 {
		t.Errorf("%.2f allocations per side held, want about one per slab block", allocs)
	}
}

// TestJoinStagedSides covers the audit lines held without an index:
// max_keys drops the oldest (indexed or staged), a CorrelationID staged
// twice joins with its later line, and the window's end takes the staged
// only after the indexed ones before them.
func TestJoinStagedSides(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	var out []*Alert
	emit := func(a *Alert) { out = append(out, a) }
	author := func(cid string, at time.Time, j *joiner) string {
		out = out[:0]
		j.alert(cid, &Alert{Time: at}, emit)
		if len(out) == 0 {
			return "(held)"
		}
		return out[0].Get(parser.ColAuthorID)
	}
	t.Run("max_keys", func(t *testing.T) {
		j := newJoiner(3, parser.ColAuthorID)
		j.side("c0", t0, "", [maxSideCols]string{"0"}, emit)
		j.index() // c0 indexed, the rest staged
		for i := 1; i < 5; i++ {
			j.side("c"+strconv.Itoa(i), t0, "", [maxSideCols]string{strconv.Itoa(i)}, emit)
		}
		if j.heldSides() != 3 {
			t.Fatalf("%d sides held, want max_keys=3", j.heldSides())
		}
		for cid, want := range map[string]string{"c0": "(held)", "c1": "(held)", "c2": "2", "c4": "4"} {
			if got := author(cid, t0, j); got != want {
				t.Errorf("alert of %s joined %q, want %q", cid, got, want)
			}
		}
	})
	t.Run("same CorrelationID twice", func(t *testing.T) {
		j := newJoiner(10, parser.ColAuthorID)
		j.side("c", t0, "", [maxSideCols]string{"first"}, emit)
		j.side("c", t0.Add(time.Second), "", [maxSideCols]string{"second"}, emit)
		if got := author("c", t0, j); got != "second" {
			t.Errorf("joined %q, want the later line's", got)
		}
		if j.heldSides() != 0 {
			t.Errorf("%d sides held after the join, want 0", j.heldSides())
		}
	})
	t.Run("window end in order of arrival", func(t *testing.T) {
		j := newJoiner(10, parser.ColAuthorID)
		j.side("late", t0.Add(time.Minute), "", [maxSideCols]string{"1"}, emit)
		j.index()
		j.side("early", t0, "", [maxSideCols]string{"2"}, emit) // staged after an indexed line of a later time
		j.advance(t0.Add(joinWindow+time.Second), emit)
		if j.heldSides() != 2 {
			t.Errorf("%d sides held, want 2: the staged line waits behind the indexed one, as in one queue", j.heldSides())
		}
		j.advance(t0.Add(time.Minute+joinWindow), emit)
		if j.heldSides() != 0 {
			t.Errorf("%d sides held after both windows, want 0", j.heldSides())
		}
	})
}
