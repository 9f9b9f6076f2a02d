package detect

import (
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// TestPrefetchByColID checks lineView.prefetch, which reads the columns
// with a parser.ColID through parser.Record.Col, against a scan of the
// record's fields (scanFields) and getCol through the view against the record's Get,
// on the audit lines of the golden cases, of the generated mixes, lines
// repeating keys, and hand-built records (no column index).
func TestPrefetchByColID(t *testing.T) {
	e := allRulesEngine(t, false)
	var tab *absentTable
	for _, ct := range e.table.types[parser.TypeAudit].cols {
		if ct.tab != nil {
			tab = ct.tab
		}
	}
	if tab == nil || len(tab.cols.ided) == 0 {
		t.Fatal("no absent table with columns of a ColID")
	}
	s := &tab.cols
	var recs []*parser.Record
	types, golden := goldenLines(t)
	for i, rec := range golden {
		if types[i] == parser.TypeAudit {
			recs = append(recs, rec, withoutEventName(rec))
		}
	}
	recs = append(recs, parseMix(t, mixCorpora[0], 2000)...)
	recs = append(recs, parseMix(t, mixCorpora[1], 2000)...)
	var p parser.Audit
	for _, line := range []string{
		`{"author_id":1,"author_id":2,"meta.user":"a","meta.user":"b","custom_message":"x"}`,
		`{"entity_id":null,"details":{"custom_message":"a","with":"standard"},"custom_message":"b"}`,
		`{"entity_id":null,"event_type":"t","target_type":"User","target_type":null,"meta.user":""}`,
	} {
		rec := new(parser.Record)
		if err := p.Parse([]byte(line), rec); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	var v, w lineView
	indexed := 0
	for n, rec := range recs {
		if _, ok := rec.ColIDs(); ok {
			indexed++
		}
		v.reset(rec, nil)
		got := v.prefetch(s)
		w.reset(rec, nil)
		want := w.scanFields(s, 0)
		if got != want {
			t.Fatalf("record %d (%s): prefetch present %#x, scan %#x", n, fieldsText(rec), got, want)
		}
		for j := range s.cols {
			if v.fetched[j] != w.fetched[j] && got&(1<<j) != 0 {
				t.Fatalf("record %d: %s = %q by ColID, %q by scan", n, s.cols[j], v.fetched[j], w.fetched[j])
			}
		}
		for id := range parser.NumColIDs {
			name := id.Name()
			if g, want := getCol(&v, id, name), (*recColumns)(rec).Get(name); g != want {
				t.Fatalf("record %d: getCol(%s) = %q, Get %q", n, name, g, want)
			}
		}
	}
	if indexed < 4000 || indexed == len(recs) {
		t.Fatalf("%d of %d records indexed: both kinds must be checked", indexed, len(recs))
	}
}
