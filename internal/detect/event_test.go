package detect

import (
	"bytes"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// TestFillCopies checks that an Event owns what it holds: after Fill the
// caller's line buffer is overwritten (as the tailer reuses it), and Raw
// and every column, those that are a part of the line and those the
// parser unescaped or the caller added (GeoIP), keep their values.
func TestFillCopies(t *testing.T) {
	cases := []struct{ name, line string }{
		{"plain", `{"severity":"INFO","time":"2024-05-10T17:46:49.065Z","correlation_id":"01HX","author_id":1,"author_name":"Administrator","entity_type":"User","with":"standard","target_details":"Administrator"}`},
		{"escaped", `{"severity":"INFO","time":"2024-05-10T17:46:49.065Z","author_id":1,"author_name":"O\"Brien \u00e9","entity_type":"User","custom_message":"a\\b","target_details":"x"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			buf := []byte(c.line)
			var rec parser.Record
			if err := parser.New(parser.TypeAudit).Parse(buf, &rec); err != nil {
				t.Fatal(err)
			}
			want := map[string]string{}
			for _, f := range rec.Fields {
				want[f.Name] = string(f.Value)
			}
			want["Country"] = "NL"
			geo := []byte("NL")
			var ev Event
			ev.Fill(&rec, buf, parser.Field{Name: "Country", Value: geo})
			copy(buf, bytes.Repeat([]byte{'x'}, len(buf)))
			geo[0], geo[1] = 'x', 'x'
			if ev.Raw != c.line {
				t.Errorf("Raw = %s, want %s", ev.Raw, c.line)
			}
			if len(ev.Columns) != len(want) {
				t.Errorf("%d columns, want %d", len(ev.Columns), len(want))
			}
			for _, col := range ev.Columns {
				if col.Value != want[col.Name] {
					t.Errorf("column %s = %q, want %q", col.Name, col.Value, want[col.Name])
				}
			}
		})
	}
}

// TestAllocEvent checks that AllocEvent gives an empty Columns with room
// for n columns, in one allocation up to 65 columns.
func TestAllocEvent(t *testing.T) {
	for n := range 80 {
		ev := AllocEvent(n)
		if len(ev.Columns) != 0 || cap(ev.Columns) < n {
			t.Fatalf("AllocEvent(%d): len %d cap %d", n, len(ev.Columns), cap(ev.Columns))
		}
		if rulesRace { // allocation counts are not meaningful under the race detector
			continue
		}
		want := 1.0
		if n > 65 {
			want = 2
		}
		if a := testing.AllocsPerRun(10, func() { ev = AllocEvent(n) }); a != want {
			t.Errorf("AllocEvent(%d) allocates %v times, want %v", n, a, want)
		}
	}
}

// TestEventRawWithoutBOM checks that every way of making an Event leaves
// a UTF-8 byte order mark at the start of the line out of Raw, which is
// then the line as forwarded in MSG (the encoder removes the mark), with
// the columns as the line without it gives them; and that a mark after
// NUL bytes, which MSG keeps, stays. An alert's "raw" is its event's Raw.
func TestEventRawWithoutBOM(t *testing.T) {
	line := wantCases[5].line // an audit line a rule wants: NewFor makes it thin
	e := mixEngine(t, nil)
	makers := []struct {
		name string
		make func(rec *parser.Record, raw []byte) *Event
	}{
		{"NewEvent", func(rec *parser.Record, raw []byte) *Event { return NewEvent(rec, raw, "", OriginFile) }},
		{"arena.New/stable", func(rec *parser.Record, raw []byte) *Event { return new(EventArena).New(rec, raw, true) }},
		{"arena.New/copied", func(rec *parser.Record, raw []byte) *Event { return new(EventArena).New(rec, raw, false) }},
		{"arena.NewFor/stable", func(rec *parser.Record, raw []byte) *Event {
			ev := new(EventArena).NewFor(e, e.NewWanter().WantRules(rec.Type, rec), rec, raw, true)
			if !ev.cols.thin {
				t.Error("NewFor made no thin event")
			}
			return ev
		}},
		{"arena.NewFor/copied", func(rec *parser.Record, raw []byte) *Event {
			return new(EventArena).NewFor(e, e.NewWanter().WantRules(rec.Type, rec), rec, raw, false)
		}},
	}
	cases := []struct{ name, in, raw string }{
		{"bom", "\xef\xbb\xbf" + line, line},
		{"two boms", "\xef\xbb\xbf\xef\xbb\xbf" + line, line}, // as MSG leaves them out (fresh-user trial 106)
		{"nul-then-bom", "\x00\x00\xef\xbb\xbf" + line, "\x00\x00\xef\xbb\xbf" + line},
	}
	for _, m := range makers {
		for _, c := range cases {
			t.Run(m.name+"/"+c.name, func(t *testing.T) {
				buf := []byte(c.in)
				var rec parser.Record
				if err := parser.New(parser.TypeAudit).Parse(buf, &rec); err != nil {
					t.Fatal(err)
				}
				ev := m.make(&rec, buf)
				if ev.Raw != c.raw {
					t.Errorf("Raw = %q, want %q", ev.Raw, c.raw)
				}
				var wrec parser.Record
				if err := parser.New(parser.TypeAudit).Parse([]byte(line), &wrec); err != nil {
					t.Fatal(err)
				}
				want := NewEvent(&wrec, []byte(line), "", OriginFile)
				if len(ev.Columns) == 0 {
					t.Error("no columns")
				}
				for _, col := range ev.Columns {
					if w := want.Get(col.Name); col.Value != w {
						t.Errorf("column %s = %q, want %q", col.Name, col.Value, w)
					}
				}
			})
		}
	}
}
