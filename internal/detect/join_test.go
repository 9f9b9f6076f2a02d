package detect

import (
	"slices"
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
	if j.sides.len() != 0 {
		t.Errorf("%d sides held after the join, want 0", j.sides.len())
	}
}
