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
