package detect

import (
	"bufio"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// scanGet is what Event.Get answers without an index: the value of the
// first column called name.
func scanGet(ev *Event, name string) string {
	for _, c := range ev.Columns {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// indexNames are the names the index tests read: every ColID's, and
// names without one (application, GeoIP and made-up columns).
func indexNames() []string {
	var names []string
	for id := range parser.NumColIDs {
		names = append(names, id.Name())
	}
	return append(names, parser.ColUsername, parser.ColAdmin, "City", "Country", "meta.k0", "NoSuchColumn")
}

// indexPickers are pickers of every name of indexNames (in groups of
// maxPick, mixing names with and without a ColID) and the engine's own.
func indexPickers() []picker {
	names := indexNames()
	ps := []picker{dupPicker,
		newPicker(parser.ColCorrelationID, parser.ColAuthenticationType, parser.ColEventName,
			parser.ColEventID, parser.ColAuthorID, parser.ColAuthorName),
		newPicker(parser.ColCorrelationID, parser.ColAuthenticationType, parser.ColAdmin, parser.ColUsername)}
	for i := 0; i < len(names); i += maxPick - 1 {
		group := append([]string{"Region"}, names[i:min(i+maxPick-1, len(names))]...)
		ps = append(ps, newPicker(group...))
	}
	return ps
}

// checkPicks fails unless every picker and Get read from ev what a
// search of its columns finds, for every name of indexNames.
func checkPicks(t *testing.T, what string, ev *Event) {
	t.Helper()
	for _, p := range indexPickers() {
		got := p.pick(ev)
		for j, name := range p.names {
			if want := scanGet(ev, name); got[j] != want {
				t.Errorf("%s: pick(%s) = %q, a search finds %q (indexed %v)", what, name, got[j], want, ev.indexed())
			}
		}
	}
	for _, name := range indexNames() {
		if got, want := ev.Get(name), scanGet(ev, name); got != want {
			t.Errorf("%s: Get(%s) = %q, a search finds %q", what, name, got, want)
		}
	}
}

// geoExtra are enrichment columns as the agent appends them; the last has
// a ColID's name, which the index must find only where the record lacks it.
var geoExtra = []parser.Field{
	{Name: "City", Value: []byte("Zurich")},
	{Name: "Country", Value: []byte("CH")},
	{Name: parser.IDMetaUser.Name(), Value: []byte("from-extra")},
}

// roleExtra is an extra column with the name of a parser column: an
// event of a record without it has no index.
var roleExtra = []parser.Field{{Name: parser.ColRole, Value: []byte("Owner")}}

// TestIndexMatchesSearch parses every line of the golden inputs (the
// detection cases and the sample logs) and makes its event with Fill
// (NewEvent) and in an arena, with and without extra columns: every
// column read through the index must be what a search of the columns
// finds, and every audit event must have an index.
func TestIndexMatchesSearch(t *testing.T) {
	var arena EventArena
	audit, indexed := 0, 0
	eachGoldenRecord(t, func(what string, typ parser.Type, rec *parser.Record, line []byte) {
		arena.Reset()
		evs := map[string]*Event{
			"NewEvent":     NewEvent(rec, line, "test", OriginFile),
			"arena":        arena.New(rec, line, false),
			"arena+extra":  arena.New(rec, line, true, geoExtra...),
			"Fill+extra":   fillExtra(rec, line),
			"Clone(arena)": arena.New(rec, line, false).Clone(),
			"parser extra": arena.New(rec, line, false, roleExtra...),
		}
		_, recIndexed := rec.ColIDs()
		for how, ev := range evs {
			checkPicks(t, what+" "+how, ev)
			want := recIndexed
			if how == "parser extra" { // indexed only when the record has the column
				_, has := rec.Col(parser.IDRole)
				want = recIndexed && has
			}
			if ev.indexed() != want {
				t.Errorf("%s %s: indexed %v, want %v", what, how, ev.indexed(), want)
			}
			if typ == parser.TypeAudit && how != "parser extra" {
				audit++
				if ev.indexed() {
					indexed++
				}
			}
		}
	})
	if audit < 500 || indexed != audit {
		t.Fatalf("%d of %d audit events indexed", indexed, audit)
	}
}

// eachGoldenRecord parses every line of goldenFiles with the parser of its
// file's type and calls f with "path:line", the type, the record and the
// line; lines that do not parse are passed over.
func eachGoldenRecord(t *testing.T, f func(what string, typ parser.Type, rec *parser.Record, line []byte)) {
	t.Helper()
	var rec parser.Record
	for _, path := range goldenFiles(t) {
		typ, _ := typeOfFile(filepath.Base(path))
		p := parser.New(typ)
		for n, line := range readLines(t, path) {
			if p.Parse(line, &rec) == nil {
				f(path+":"+strconv.Itoa(n+1), typ, &rec, line)
			}
		}
	}
}

// goldenFiles are the detection cases' logs and the sample logs.
func goldenFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, root := range []string{"../../testdata/detections", "../../testdata"} {
		depth := strings.Count(root, "/")
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && root == "../../testdata" && strings.Count(path, "/") > depth {
				return fs.SkipDir // the sample logs only; detections are walked above
			}
			if typ, _ := typeOfFile(d.Name()); !d.IsDir() && typ != parser.TypeUnknown {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return files
}

// fillExtra is an event made by Fill with geoExtra.
func fillExtra(rec *parser.Record, line []byte) *Event {
	ev := AllocEvent(len(rec.Fields) + len(geoExtra))
	ev.Fill(rec, line, geoExtra...)
	return ev
}

func readLines(t testing.TB, path string) [][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		lines = append(lines, append([]byte(nil), sc.Bytes()...))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// indexedEvent is an indexed event of an audit line with EventID, EventName
// (from event_name), CreatedAt and CorrelationID, made in arena.
func indexedEvent(t *testing.T, arena *EventArena) *Event {
	t.Helper()
	line := []byte(`{"id":7,"author_id":1,"author_name":"Administrator","entity_id":1,"entity_type":"User",` +
		`"event_name":"authenticated_with_password","ip_address":"198.51.100.4","correlation_id":"c1",` +
		`"created_at":"2025-03-03T13:00:00.000Z","meta.user":"root"}`)
	var rec parser.Record
	if err := parser.New(parser.TypeAudit).Parse(line, &rec); err != nil {
		t.Fatal(err)
	}
	ev := arena.New(&rec, line, false, geoExtra...)
	if !ev.indexed() || ev.Get(parser.ColEventID) != "7" || ev.Get(parser.IDMetaUser.Name()) != "root" {
		t.Fatalf("event not indexed (%v) or columns unexpected: %v", ev.indexed(), ev.Columns)
	}
	return ev
}

// TestIndexCopies checks that the copies of an indexed event that outlive
// Process (Clone, heldPool.hold, and one restored from saved state) read
// the columns the event has, through the index where they keep it, after
// the event's arena was reused.
func TestIndexCopies(t *testing.T) {
	var arena EventArena
	ev := indexedEvent(t, &arena)
	want := map[string]string{}
	for _, name := range indexNames() {
		want[name] = strings.Clone(scanGet(ev, name)) // ev lives in the arena
	}
	var pool heldPool
	saved := appendEvent(nil, ev)
	copies := map[string]*Event{"Clone": ev.Clone(), "hold": pool.hold(ev)}
	var restored Event
	if err := json.Unmarshal(saved, &restored); err != nil {
		t.Fatal(err)
	}
	copies["restored"] = &restored
	arena.Reset()
	other := arena.New(&parser.Record{Type: parser.TypeAudit, Fields: []parser.Field{{Name: parser.ColEventID, Value: []byte("overwritten")}}}, []byte("x"), false)
	if other.indexed() {
		t.Errorf("an event of a record without index has one")
	}
	for how, c := range copies {
		if c.indexed() != (how != "restored") {
			t.Errorf("%s: indexed %v", how, c.indexed())
		}
		for _, p := range indexPickers() {
			got := p.pick(c)
			for j, name := range p.names {
				if got[j] != want[name] {
					t.Errorf("%s: pick(%s) = %q, want %q", how, name, got[j], want[name])
				}
			}
		}
	}
	pool.release(copies["hold"])
	if again := pool.hold(indexedEvent(t, &arena)); !again.indexed() || dupPicker.pick(again)[0] != "7" {
		t.Errorf("a reused held copy: indexed %v, EventID %q", again.indexed(), dupPicker.pick(again)[0])
	}
}

// TestIndexAfterChange checks that changing an indexed event's Columns
// never makes a read through the index return what a search does not:
// appending, truncating, changing a value or a column's name to one it
// had not, moving columns (detected), and renaming a column to one of a
// name it lacked after DropIndex.
func TestIndexAfterChange(t *testing.T) {
	at := func(ev *Event, name string) int {
		for i := range ev.Columns {
			if ev.Columns[i].Name == name {
				return i
			}
		}
		t.Fatalf("no column %s", name)
		return -1
	}
	cases := []struct {
		name      string
		change    func(ev *Event)
		stillUsed bool // the index is still read
	}{
		{"none", func(ev *Event) {}, true},
		{"value changed", func(ev *Event) { ev.Columns[at(ev, parser.ColEventName)].Value = "other" }, true},
		{"appended", func(ev *Event) { ev.Columns = append(ev.Columns, Column{parser.ColRole, "Owner"}) }, false},
		{"prepended", func(ev *Event) {
			ev.Columns = append([]Column{{parser.ColEventID, "first"}}, ev.Columns...)
		}, false},
		{"truncated", func(ev *Event) { ev.Columns = ev.Columns[:at(ev, parser.ColEventName)] }, false},
		{"renamed", func(ev *Event) { ev.Columns[at(ev, parser.ColEventName)].Name = "event_label" }, true},
		{"swapped", func(ev *Event) {
			i, j := at(ev, parser.ColEventID), at(ev, parser.ColCorrelationID)
			ev.Columns[i], ev.Columns[j] = ev.Columns[j], ev.Columns[i]
		}, true},
		{"renamed after DropIndex", func(ev *Event) {
			ev.DropIndex()
			i, j := at(ev, parser.ColEventID), at(ev, parser.ColCorrelationID)
			ev.Columns[i], ev.Columns[j] = ev.Columns[j], ev.Columns[i]
			ev.Columns[at(ev, parser.ColAuthorName)].Name = parser.ColRole
		}, false},
		{"emptied", func(ev *Event) { ev.Columns = nil }, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var arena EventArena
			ev := indexedEvent(t, &arena)
			c.change(ev)
			if ev.indexed() != c.stillUsed {
				t.Errorf("indexed %v, want %v", ev.indexed(), c.stillUsed)
			}
			checkPicks(t, c.name, ev)
			checkPicks(t, c.name+", cloned", ev.Clone())
		})
	}
}

// TestEventSize checks the Event size AllocEvent's lengths are chosen for:
// a change must retune them (each length fills a size class).
func TestEventSize(t *testing.T) {
	if n := unsafe.Sizeof(Event{}); n != 216 {
		t.Errorf("an Event is %d bytes; AllocEvent's lengths fill size classes for 216", n)
	}
}

// TestIdentityMatchesColumns checks, on every golden input, that the
// dedupe identity an event is made with is the one duplicate makes of its
// columns: the same key, none exactly without EventID, and unknown only
// where CreatedAt is not in the form parseUTC reads; and that copies keep
// it and DropIndex drops it.
func TestIdentityMatchesColumns(t *testing.T) {
	var arena EventArena
	var pool heldPool
	keyed := 0
	eachGoldenRecord(t, func(what string, typ parser.Type, rec *parser.Record, line []byte) {
		arena.Reset()
		ev := arena.New(rec, line, false, geoExtra...)
		held := pool.hold(ev)
		for how, e := range map[string]*Event{"arena": ev, "NewEvent": NewEvent(rec, line, "", OriginFile), "Clone": ev.Clone(), "hold": held} {
			id, name, created := scanGet(e, parser.ColEventID), scanGet(e, parser.ColEventName), scanGet(e, parser.ColCreatedAt)
			_, _, parses := parseUTC(created)
			switch st := e.identity(); {
			case st == identKeyed || st == identNamed:
				want, wantBase, _ := identityKey(nil, id, name, created, e.Time)
				if e.idKey != want || (st == identNamed) != (name != "") || id == "" {
					t.Errorf("%s %s: identity %d key %x, the columns' %x (EventName %q)", what, how, st, e.idKey, want, name)
				}
				if base, _ := identityBase(nil, id, created, e.Time); base != wantBase {
					t.Errorf("%s %s: identityBase %x, identityKey's base %x", what, how, base, wantBase)
				}
				keyed++
			case st == identNone && id != "", st == identUnknown && e.indexed() && id != "" && parses:
				t.Errorf("%s %s: identity %d with EventID %q, CreatedAt %q", what, how, st, id, created)
			case st != identUnknown && typ != parser.TypeAudit:
				t.Errorf("%s %s: identity %d of a %s event", what, how, st, typ)
			}
		}
		pool.release(held)
		ev.DropIndex()
		if ev.identity() != identUnknown {
			t.Errorf("%s: identity %d after DropIndex", what, ev.identity())
		}
	})
	if keyed < 400 {
		t.Fatalf("only %d events made with their identity's key", keyed)
	}
}

// TestIdentityAfterChange checks that an event made from an audit record
// is deduplicated by the identity of its columns: a second event of the
// same line is a duplicate, also when its Time was changed after making
// (the identity time is CreatedAt), and not once its EventID was changed
// after DropIndex.
func TestIdentityAfterChange(t *testing.T) {
	cases := []struct {
		name   string
		change func(ev *Event)
		dup    bool
	}{
		{"same line", func(ev *Event) {}, true},
		{"Time changed", func(ev *Event) { ev.Time = ev.Time.Add(time.Hour) }, true},
		{"event made by hand", func(ev *Event) { ev.DropIndex() }, true},
		{"EventID changed after DropIndex", func(ev *Event) {
			ev.DropIndex()
			for i := range ev.Columns {
				if ev.Columns[i].Name == parser.ColEventID {
					ev.Columns[i].Value = "8"
				}
			}
		}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, err := New(Config{})
			if err != nil {
				t.Fatal(err)
			}
			var arena EventArena
			first := indexedEvent(t, &arena)
			if st := first.identity(); st != identKeyed && st != identNamed {
				t.Fatalf("identity %d, want a key", first.identity())
			}
			second := indexedEvent(t, &arena)
			c.change(second)
			e.Process(first)
			e.Process(second)
			if got := e.Stats().Deduplicated; got != map[bool]uint64{true: 1}[c.dup] {
				t.Errorf("Deduplicated %d, want duplicate %v", got, c.dup)
			}
		})
	}
}
