package detect

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/loadgen"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// mixCorpus is a generated log of one type and audit mix, parsed.
type mixCorpus struct {
	name string
	typ  parser.Type
	mix  loadgen.Mix
}

var mixCorpora = []mixCorpus{
	{"audit/mix=realistic", parser.TypeAudit, loadgen.MixRealistic},
	{"audit/mix=security", parser.TypeAudit, loadgen.MixSecurity},
	{"access", parser.TypeAccess, loadgen.MixSecurity},
	{"application", parser.TypeApplication, loadgen.MixSecurity},
}

// parseMix generates n lines of c and parses each into its own record
// (whose values point into its own line).
func parseMix(tb testing.TB, c mixCorpus, n int) []*parser.Record {
	tb.Helper()
	g, err := loadgen.NewGenerator(c.typ, 1)
	if err != nil {
		tb.Fatal(err)
	}
	g.SetMix(c.mix)
	p := parser.New(c.typ)
	recs := make([]*parser.Record, n)
	for i := range recs {
		line := g.AppendLine(nil)
		recs[i] = new(parser.Record)
		if err := p.Parse(line, recs[i]); err != nil {
			tb.Fatalf("%s line %d: %v", c.name, i+1, err)
		}
	}
	return recs
}

// allRulesEngine is the engine of the agent benchmark's detections=all:
// the default rules plus the TI rule (an indicator file) and the external
// user rule (an allow-list); with geo, the GeoIP rules too.
func allRulesEngine(tb testing.TB, geo bool) *Engine {
	tb.Helper()
	e, err := New(allRulesConfig(tb, geo))
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

// allRulesConfig is the configuration of allRulesEngine.
func allRulesConfig(tb testing.TB, geo bool) Config {
	tb.Helper()
	ti := filepath.Join(tb.TempDir(), "ti.txt")
	if err := os.WriteFile(ti, []byte("# test indicators\n203.0.113.0/24\n2001:db8:dead::/48\n198.51.100.77\n"), 0o644); err != nil {
		tb.Fatal(err)
	}
	cfg := Config{Rules: map[string]RuleConfig{
		"sentinel.ti_malicious_ip": {Params: map[string]string{"ti_file": ti}},
		"sentinel.external_user":   {Params: map[string]string{"allowed_domains": "example.com"}},
	}}
	if geo {
		cfg.Geo = testGeoDB(tb)
		cfg.Params = map[string]string{"known_countries": "DE,IE"}
	}
	return cfg
}

// BenchmarkWantMix measures Engine.Want with every rule of the agent
// benchmark's detections=all on generated logs: ns/op is per line. It
// cycles over 1,000 lines, which stay in the CPU's caches as a line the
// agent just parsed does.
func BenchmarkWantMix(b *testing.B) {
	for _, c := range mixCorpora {
		b.Run(c.name, func(b *testing.B) {
			e := allRulesEngine(b, false)
			recs := parseMix(b, c, 1000)
			b.ReportAllocs()
			cpu0 := processCPU()
			i := 0
			for b.Loop() {
				e.Want(c.typ, recs[i])
				if i++; i == len(recs) {
					i = 0
				}
			}
			b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/line")
		})
	}
}

// goldenLines returns every line of the log files under
// testdata/detections (each case directory), parsed, with its type.
func goldenLines(t *testing.T) (types []parser.Type, recs []*parser.Record) {
	t.Helper()
	eachGoldenFile(t, func(path, name string, b []byte) error {
		typ, _ := typeOfFile(name)
		if typ == parser.TypeUnknown {
			return nil
		}
		p := parser.New(typ)
		for n, line := range bytes.Split(b, []byte("\n")) {
			if len(bytes.TrimSpace(line)) == 0 {
				continue
			}
			rec := new(parser.Record)
			if err := p.Parse(line, rec); err != nil {
				return fmt.Errorf("%s:%d: %w", path, n+1, err)
			}
			types, recs = append(types, typ), append(recs, rec)
		}
		return nil
	})
	return types, recs
}

// eachGoldenFile calls fn with the path, name and contents of each file
// under testdata/detections, in lexical order; an error of fn fails t.
func eachGoldenFile(t *testing.T, fn func(path, name string, data []byte) error) {
	t.Helper()
	err := filepath.WalkDir(filepath.Join("..", "..", "testdata", "detections"), func(path string, de fs.DirEntry, err error) error {
		if err != nil || de.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return fn(path, de.Name(), b)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// withoutEventName returns a copy of rec without its EventName column:
// the line as a legacy writer would have logged it, for the fallback
// predicates.
func withoutEventName(rec *parser.Record) *parser.Record {
	out := &parser.Record{Type: rec.Type, Time: rec.Time}
	for _, f := range rec.Fields {
		if f.Name != parser.ColEventName {
			out.Fields = append(out.Fields, f)
		}
	}
	return out
}

// TestAbsentTableAgrees checks the dispatch table of audit lines without
// EventName (absentTable) against the rules' own filters: for every rule
// the table answers for, on every such line of the golden cases (and
// their named lines with EventName removed) and of the generated mixes,
// as a parsed record and as an Event, the table keeps the line exactly
// when the rule's Keep does; and Want agrees with asking every rule. A
// rule whose Keep changes without its absentCond fails here.
func TestAbsentTableAgrees(t *testing.T) {
	e := allRulesEngine(t, true)
	var ct *colTable
	for i := range e.table.types[parser.TypeAudit].cols {
		if c := &e.table.types[parser.TypeAudit].cols[i]; c.name == parser.ColEventName {
			ct = c
		}
	}
	if ct == nil || ct.tab == nil {
		t.Fatal("no table for audit lines without EventName")
	}
	types, recs := goldenLines(t)
	for _, c := range mixCorpora {
		for _, r := range parseMix(t, c, 20_000) {
			types, recs = append(types, c.typ), append(recs, r)
		}
	}
	var lines []*parser.Record
	for i, r := range recs {
		if types[i] != parser.TypeAudit {
			continue
		}
		lines = append(lines, r)
		if _, ok := r.Get(parser.ColEventName); ok {
			lines = append(lines, withoutEventName(r))
		}
	}
	kept := make([]int, len(ct.absent))
	errs := 0
	var tv, rv lineView
	for n, rec := range lines {
		if _, ok := rec.Get(parser.ColEventName); ok {
			continue
		}
		ev := NewEvent(rec, nil, "audit_json.log", OriginFile)
		for _, view := range []struct {
			rec *parser.Record
			ev  *Event
		}{{rec, nil}, {nil, ev}} {
			tv.reset(view.rec, view.ev)
			atoms := ct.tab.eval(&tv, ct.tab.fetch(&tv), nil)
			for j, r := range ct.absent {
				if ct.tab.entries[j].asked {
					continue
				}
				rv.reset(view.rec, view.ev)
				want := e.table.keep[r].Keep(parser.TypeAudit, &rv)
				if got := ct.tab.keeps(j, atoms, &tv); got != want {
					t.Errorf("line %d (%s): table keeps it for %s: %v, the rule's Keep: %v", n, fieldsText(rec), e.rules[r].info.ID, got, want)
					if errs++; errs == 20 {
						t.FailNow()
					}
				}
				if want && view.ev == nil {
					kept[j]++
				}
			}
		}
	}
	for j, r := range ct.absent {
		if !ct.tab.entries[j].asked && kept[j] == 0 {
			t.Errorf("%s: no line of the corpus passes its fallback: the comparison tells nothing about it", e.rules[r].info.ID)
		}
	}
	// Want as a whole against every rule of the line's keys asked in turn.
	stateless := allRulesEngine(t, true)
	for i, rec := range append(recs, lines...) {
		typ := parser.TypeAudit
		if i < len(recs) {
			typ = types[i]
		}
		if got, want := stateless.WantStateless(typ, rec), askEveryRule(stateless, typ, rec); got != want {
			t.Errorf("%v line (%s): WantStateless = %v, asking every rule: %v", typ, fieldsText(rec), got, want)
		}
	}
}

// askEveryRule is Want without the dispatch table (stateless): a rule
// wants a line when one of its keys matches and its Filter keeps it.
func askEveryRule(e *Engine, typ parser.Type, rec *parser.Record) bool {
	var v lineView
	v.reset(rec, nil)
	for _, rs := range e.rules {
		match := false
		for _, k := range rs.rule.Wants() {
			if k.Type != typ {
				continue
			}
			val := v.Get(k.Column)
			switch {
			case k.Column == "":
				match = true
			case k.Value == anyValue:
				match = match || val != ""
			default:
				match = match || val == k.Value
			}
		}
		if !match {
			continue
		}
		if _, ok := rs.rule.(WantFilter); ok {
			return true
		}
		if f, ok := rs.rule.(Filter); !ok || f.Keep(typ, &v) {
			return true
		}
	}
	return false
}

// fieldsText returns rec's columns as NAME=VALUE pairs.
func fieldsText(rec *parser.Record) string {
	var b strings.Builder
	for _, f := range rec.Fields {
		fmt.Fprintf(&b, "%s=%q ", f.Name, f.Value)
	}
	return b.String()
}
