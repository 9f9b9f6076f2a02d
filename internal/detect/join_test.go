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
	j.side(cid, ev.Time, ev.Get(parser.ColEventID), []string{ev.Get(parser.ColAuthorID), ev.Get(parser.ColIPAddress), ev.Get(parser.ColAuthorName)}, emit)
	if len(out) != 0 {
		t.Fatalf("a side alone emitted %d alerts", len(out))
	}
	if len(j.sides.index) != 0 || j.heldSides() != 1 {
		t.Fatalf("%d sides indexed, %d held after a side: want it held unindexed", len(j.sides.index), j.heldSides())
	}
	j.sides.indexAll()
	x, ok := j.sides.front()
	if !ok {
		t.Fatal("the side was not held")
	}
	k := j.sides.str(x, 0)
	s := struct {
		t       time.Time
		eventID string
		vals    [maxSideCols]string
	}{t: x.time(), eventID: j.sides.str(x, 1)}
	for i := range j.cols {
		s.vals[i] = j.sides.str(x, 2+i)
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
		j.side(cid(i), at(i), strconv.Itoa(i), []string{"7"}, emit)
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
		for _, f := range []interface{ span() (int, int) }{&j.sides, j.pending} {
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

// span returns the records in the ring (live and dead) and the sides held.
func (r *sideRing) span() (int, int) { return int(r.tail - r.head), r.live }

// TestJoinSideRing holds audit sides whose strings fill the joiner's
// ring of bytes several times over (one value longer than its first
// size), while the window's end lets the oldest go, so that pieces wrap
// around, the rings grow and dead records are compacted away; it checks
// that every side still holds its own values, and that holding a side
// costs no allocation once the rings have grown.
func TestJoinSideRing(t *testing.T) {
	j := newJoiner(100_000, parser.ColAuthorID, parser.ColAuthorName)
	t0 := time.Date(2024, 5, 10, 17, 46, 49, 0, time.UTC)
	at := func(i int) time.Time { return t0.Add(time.Duration(i) * 100 * time.Millisecond) }
	var out []*Alert
	emit := func(a *Alert) { out = append(out, a) }
	long := strings.Repeat("n", minSideBytes+1)
	vals := func(i int) (string, string, []string) {
		name := "user" + strconv.Itoa(i)
		if i%700 == 0 {
			name = long
		}
		return "cid" + strconv.Itoa(i), "id" + strconv.Itoa(i*7), []string{strconv.Itoa(i * 3), name}
	}
	const n = 5000
	for i := range n {
		cid, id, v := vals(i)
		j.side(cid, at(i), id, v, emit)
		if i%5 == 4 { // join one in five, from 40 lines back: dead records amid live ones
			cid, id, v := vals(i - 4)
			out = out[:0]
			j.alert(cid, &Alert{Time: at(i)}, emit)
			want := []Column{{parser.ColAuthorID, v[0]}, {parser.ColAuthorName, v[1]}}
			if len(out) != 1 || !slices.Equal(out[0].Columns, want) || !slices.Equal(out[0].EventIDs, []string{id}) {
				t.Fatalf("side %d: joined %d alerts %+v, want columns %v and EventID %q", i-4, len(out), out, want, id)
			}
		}
		if i%100 == 0 {
			j.advance(at(i), emit) // lets the sides of the window before go
		}
		if items, held := j.sides.span(); items > 2*held+64 {
			t.Fatalf("line %d: %d records for %d sides", i, items, held)
		}
	}
	held := 0
	for i := range n {
		if i%5 == 0 || !at(i).Add(joinWindow).After(at(n-100)) {
			continue // joined, or out of its window
		}
		held++
		cid, id, v := vals(i)
		out = out[:0]
		j.alert(cid, &Alert{Time: at(i)}, emit)
		want := []Column{{parser.ColAuthorID, v[0]}, {parser.ColAuthorName, v[1]}}
		if len(out) != 1 || !slices.Equal(out[0].Columns, want) || !slices.Equal(out[0].EventIDs, []string{id}) {
			t.Fatalf("side %d: joined %d alerts %+v, want columns %v and EventID %q", i, len(out), out, want, id)
		}
	}
	if held == 0 || j.heldSides() != 0 {
		t.Fatalf("%d sides joined at the end, %d still held: want some, then none", held, j.heldSides())
	}
	cids := make([]string, 1000)
	for i := range cids {
		cids[i] = "cid" + strconv.Itoa(n+i)
	}
	i := 0
	v := []string{"1", "Administrator"}
	allocs := testing.AllocsPerRun(1000, func() {
		j.side(cids[i], at(n+i), "id", v, emit)
		j.advance(at(n+i-1).Add(joinWindow), emit)
		i = (i + 1) % len(cids)
	})
	if allocs > 0 {
		t.Errorf("%.2f allocations per side held, want none", allocs)
	}
}

// TestSideRingSameHash holds sides of different CorrelationIDs under
// one hash, as a collision of maphash would: each is found by its own
// CorrelationID, and taking one out (join, window end) leaves the others.
func TestSideRingSameHash(t *testing.T) {
	r := newSideRing(1)
	t0 := time.Date(2024, 5, 10, 17, 46, 49, 0, time.UTC)
	for i, cid := range []string{"a", "b", "c", "b"} {
		r.add(cid, t0.Add(time.Duration(i)*time.Second), strconv.Itoa(i), []string{cid + strconv.Itoa(i)})
		r.rec(r.tail - 1).hash = 42 // indexAll keeps a hash set
	}
	r.indexAll() // the second b replaces the first
	val := func(cid string) string {
		s, ok := r.find(42, cid)
		if !ok {
			return "(none)"
		}
		return r.str(r.rec(s), 2)
	}
	if r.len() != 3 || val("a") != "a0" || val("b") != "b3" || val("c") != "c2" || val("d") != "(none)" {
		t.Fatalf("held %d: a=%s b=%s c=%s d=%s, want 3: a0 b3 c2 (none)", r.len(), val("a"), val("b"), val("c"), val("d"))
	}
	s, _ := r.find(42, "c")
	r.kill(s) // joined: the middle of the chain
	if val("c") != "(none)" || val("a") != "a0" || val("b") != "b3" {
		t.Errorf("after c joined: a=%s b=%s c=%s", val("a"), val("b"), val("c"))
	}
	r.popFront() // a, the oldest, at the end of the chain
	if val("a") != "(none)" || val("b") != "b3" || r.len() != 1 {
		t.Errorf("after a left: a=%s b=%s, %d held", val("a"), val("b"), r.len())
	}
	r.popFront()
	if r.len() != 0 || len(r.index) != 0 || r.head != r.tail {
		t.Errorf("after all left: %d held, %d indexed, %d records", r.len(), len(r.index), r.tail-r.head)
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
		j.side("c0", t0, "", []string{"0"}, emit)
		j.sides.indexAll() // c0 indexed, the rest not
		for i := 1; i < 5; i++ {
			j.side("c"+strconv.Itoa(i), t0, "", []string{strconv.Itoa(i)}, emit)
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
		j.side("c", t0, "", []string{"first"}, emit)
		j.side("c", t0.Add(time.Second), "", []string{"second"}, emit)
		if got := author("c", t0, j); got != "second" {
			t.Errorf("joined %q, want the later line's", got)
		}
		if j.heldSides() != 0 {
			t.Errorf("%d sides held after the join, want 0", j.heldSides())
		}
	})
	t.Run("window end in order of arrival", func(t *testing.T) {
		j := newJoiner(10, parser.ColAuthorID)
		j.side("late", t0.Add(time.Minute), "", []string{"1"}, emit)
		j.sides.indexAll()
		j.side("early", t0, "", []string{"2"}, emit) // staged after an indexed line of a later time
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

// TestSideRingCompact joins nearly every side at once while the watermark
// stands still behind an old side that stays: the dead records must not
// pile up behind it (the rings stay within about twice what is held),
// and every side still held keeps its values through the compactions.
func TestSideRingCompact(t *testing.T) {
	j := newJoiner(1000, parser.ColAuthorID)
	t0 := time.Date(2024, 5, 10, 17, 46, 49, 0, time.UTC)
	var out []*Alert
	emit := func(a *Alert) { out = append(out, a) }
	j.side("old", t0, "e-old", []string{"v-old"}, emit)
	for i := range 10_000 {
		cid := "c" + strconv.Itoa(i)
		j.side(cid, t0, "e"+strconv.Itoa(i), []string{"v" + strconv.Itoa(i)}, emit)
		if i%100 != 0 { // one in a hundred stays
			j.alert(cid, &Alert{Time: t0}, emit)
		}
		if items, held := j.sides.span(); items > 2*held+64 {
			t.Fatalf("line %d: %d records for %d sides", i, items, held)
		}
		if size := len(j.sides.buf); size > 1<<16 {
			t.Fatalf("line %d: %d bytes of ring for %d sides", i, size, j.heldSides())
		}
	}
	if j.heldSides() != 101 {
		t.Fatalf("%d sides held, want 101", j.heldSides())
	}
	for _, i := range []int{-1, 0, 5000, 9900} {
		cid, want := "old", "v-old"
		if i >= 0 {
			cid, want = "c"+strconv.Itoa(i), "v"+strconv.Itoa(i)
		}
		out = out[:0]
		j.alert(cid, &Alert{Time: t0}, emit)
		if len(out) != 1 || out[0].Get(parser.ColAuthorID) != want {
			t.Errorf("%s: joined %d alerts %+v, want AuthorID %q", cid, len(out), out, want)
		}
	}
}
