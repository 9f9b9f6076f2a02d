package detect

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/loadgen"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// auditLines returns the raw audit lines of the golden cases under
// testdata/detections and of the generated audit mixes (n of each), each
// also without event_name and event_type (as a legacy writer logged it),
// so that every line parses into an indexed record with and without
// EventName.
func auditLines(t *testing.T, n int) [][]byte {
	t.Helper()
	var raws [][]byte
	err := filepath.WalkDir(filepath.Join("..", "..", "testdata", "detections"), func(path string, de fs.DirEntry, err error) error {
		if err != nil || de.IsDir() {
			return err
		}
		if typ, _ := typeOfFile(de.Name()); typ != parser.TypeAudit {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, line := range bytes.Split(b, []byte("\n")) {
			if len(bytes.TrimSpace(line)) > 0 {
				raws = append(raws, line)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, mix := range []loadgen.Mix{loadgen.MixRealistic, loadgen.MixSecurity} {
		g, err := loadgen.NewGenerator(parser.TypeAudit, 1)
		if err != nil {
			t.Fatal(err)
		}
		g.SetMix(mix)
		for range n {
			raws = append(raws, g.AppendLine(nil))
		}
	}
	out := raws
	for _, raw := range raws {
		var m map[string]any
		d := json.NewDecoder(bytes.NewReader(raw))
		d.UseNumber()
		if d.Decode(&m) != nil {
			continue
		}
		if _, ok := m["event_name"]; !ok {
			continue
		}
		delete(m, "event_name")
		delete(m, "event_type")
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// TestAbsentPlanAgrees checks the plans of the absent table (the columns
// it reads and tests of an indexed audit record, by the columns present)
// against the whole table and the rules' own filters: on every audit line
// of the golden cases and the generated mixes (with and without
// EventName), for every rule the table answers for, the planned answer is
// the rule's Keep; every column of the table reads, through the view, the
// record's value (those the plan left are read on first use); and the
// rules WantRules finds through the plans are those the table finds on
// the line as an Event (no plan). A plan that leaves out a column or a rule a Keep needs
// fails here.
func TestAbsentPlanAgrees(t *testing.T) {
	e := allRulesEngine(t, true)
	ct := &e.table.types[parser.TypeAudit].cols[0]
	tab := ct.tab
	if ct.name != parser.ColEventName || tab == nil {
		t.Fatal("no table for audit lines without EventName")
	}
	p := parser.New(parser.TypeAudit)
	var v, rv lineView
	planned, kept, errs := 0, make([]int, len(ct.absent)), 0
	fail := func(format string, args ...any) {
		t.Helper()
		t.Errorf(format, args...)
		if errs++; errs == 20 {
			t.FailNow()
		}
	}
	for n, raw := range auditLines(t, 20_000) {
		rec := new(parser.Record)
		if err := p.Parse(raw, rec); err != nil {
			t.Fatalf("line %d: %v", n+1, err)
		}
		if _, ok := rec.ColIDs(); !ok {
			t.Fatalf("line %d: the audit parser did not index the record", n+1)
		}
		v.reset(rec, nil)
		present, plan := tab.fetchPlanned(&v)
		if plan == nil {
			t.Fatalf("line %d: no plan for an indexed record", n+1)
		}
		if tab.nameValue(&v, present) == "" {
			planned++
			var s found
			tab.answer(tab.eval(&v, present, plan), &v, &s, plan)
			for j, r := range ct.absent {
				if tab.entries[j].asked {
					continue
				}
				rv.reset(rec, nil)
				want := e.table.keep[r].Keep(parser.TypeAudit, &rv)
				if got := s.want&(1<<r) != 0; got != want {
					fail("line %d (%s): planned table keeps it for %s: %v, the rule's Keep: %v", n+1, fieldsText(rec), e.rules[r].info.ID, got, want)
				}
				if want {
					kept[j]++
				}
			}
		}
		for _, col := range tab.cols.cols {
			b, _ := rec.Get(col)
			if got := v.Get(col); got != string(b) {
				fail("line %d: the view reads %s = %q after the plan, the record has %q", n+1, col, got, b)
			}
		}
		got := e.WantRules(parser.TypeAudit, rec).bits
		rv.reset(nil, NewEvent(rec, raw, "audit_json.log", OriginFile))
		if want, _ := e.table.set(parser.TypeAudit, &rv, &rv, true); got != want {
			fail("line %d (%s): WantRules = %b, asked on the Event: %b", n+1, fieldsText(rec), got, want)
		}
	}
	if planned == 0 {
		t.Fatal("no line without EventName: the plans were not tested")
	}
	for j, r := range ct.absent {
		if !tab.entries[j].asked && kept[j] == 0 {
			t.Errorf("%s: no line without EventName passes its fallback: the comparison tells nothing about it", e.rules[r].info.ID)
		}
	}
}
