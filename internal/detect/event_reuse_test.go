package detect

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/geoip"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// TestReusedEventsSameAlerts checks the ownership contract of Process
// (see Event): it runs every golden case of every rule twice, once with
// owned events (NewEvent) and once with events made in an EventArena whose
// storage (and the line and value buffers they were made from) is
// overwritten with garbage after each Process, and wants the same alerts,
// byte for byte. A rule or the engine that keeps an event, or one of its
// values, past Process without copying it sees the garbage later and
// alerts differently.
func TestReusedEventsSameAlerts(t *testing.T) {
	geo := testGeoDB(t)
	root := filepath.Join("..", "..", "testdata", "detections")
	fired := 0
	for _, s := range Catalogue() {
		dirs := []string{filepath.Join(root, s.Info.ID)}
		ents, err := os.ReadDir(dirs[0])
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, de := range ents {
			if de.IsDir() {
				dirs = append(dirs, filepath.Join(dirs[0], de.Name()))
			}
		}
		for _, dir := range dirs {
			name := s.Info.ID + "/" + filepath.Base(dir)
			t.Run(name, func(t *testing.T) {
				evs := readEvents(t, dir)
				params := readArgs(t, dir)
				want := renderRun(t, s.Info.ID, params, geo, evs, false)
				got := renderRun(t, s.Info.ID, params, geo, evs, true)
				if !slices.Equal(got, want) {
					t.Errorf("with reused events the alerts are\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
				}
				fired += len(want)
			})
		}
	}
	if fired == 0 {
		t.Fatal("no golden case fired: the comparison checked nothing")
	}
}

// renderRun runs rule id over evs and returns its alerts as JSON, each
// rendered when it is emitted. With reuse, every event is copied into an
// EventArena first and poisoned once Process returned.
func renderRun(t *testing.T, id string, params map[string]string, geo *geoip.DB, evs []*Event, reuse bool) []string {
	t.Helper()
	var out []string
	e, err := New(Config{
		Only:  []string{id},
		Rules: map[string]RuleConfig{id: {Params: params}},
		Geo:   geo,
		Now:   func() time.Time { return time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) },
		Emit:  func(a *Alert) { out = append(out, string(a.AppendJSON(nil))) },
	})
	if err != nil {
		t.Fatal(err)
	}
	var ar EventArena
	var raw, vals []byte
	var rec parser.Record
	for i, ev := range evs {
		if !reuse {
			e.Process(ev)
			continue
		}
		ar.Reset()
		raw, vals = recordOf(ev, &rec, raw, vals)
		stable := i%2 == 0 // Raw aliasing the caller's line, or a copy
		x := ar.New(&rec, raw, stable)
		x.Source, x.Origin, x.FileID, x.Offset, x.Host = ev.Source, ev.Origin, ev.FileID, ev.Offset, ev.Host
		e.Process(x)
		poison(raw)
		poison(vals)
		ar.poison()
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	return out
}

// recordOf fills rec with ev's columns as a parser would: the values that
// are a part of ev.Raw alias raw (a copy of it), the others vals. It
// returns raw and vals, reused.
func recordOf(ev *Event, rec *parser.Record, raw, vals []byte) ([]byte, []byte) {
	raw = append(raw[:0], ev.Raw...)
	vals = vals[:0]
	for _, c := range ev.Columns {
		if _, in := partOfString(ev.Raw, c.Value); !in {
			vals = append(vals, c.Value...)
		}
	}
	rec.Type, rec.Time, rec.Fields = ev.Type, ev.Time, rec.Fields[:0]
	off := 0
	for _, c := range ev.Columns {
		if at, in := partOfString(ev.Raw, c.Value); in {
			rec.Fields = append(rec.Fields, parser.Field{Name: c.Name, Value: raw[at : at+len(c.Value)]})
			continue
		}
		rec.Fields = append(rec.Fields, parser.Field{Name: c.Name, Value: vals[off : off+len(c.Value)]})
		off += len(c.Value)
	}
	return raw, vals
}

// poison overwrites b, up to its capacity, with garbage.
func poison(b []byte) {
	b = b[:cap(b)]
	for i := range b {
		b[i] = '#'
	}
}

// poison overwrites every Event, column and byte the arena holds, as the
// next batch would, with garbage.
func (a *EventArena) poison() {
	poison(a.buf)
	cols := a.cols[:cap(a.cols)]
	for i := range cols {
		cols[i] = Column{Name: "poisoned", Value: "poisoned"}
	}
	evs := a.evs[:cap(a.evs)]
	for i := range evs {
		evs[i] = Event{Type: parser.TypeAccess, Time: time.Unix(1, 0), Columns: cols[:1], Raw: "poisoned", Source: "poisoned"}
	}
}
