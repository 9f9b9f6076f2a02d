package detect

import (
	"bytes"
	"io/fs"
	"path/filepath"
	"slices"
	"testing"
	"unsafe"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// thinLine is one parsed line of a stream runThin folds.
type thinLine struct {
	rec    *parser.Record
	raw    []byte
	source string
	origin Origin
}

// runThin folds lines into a new mixEngine as the agent does: the rules
// that want each line of a batch of batch lines are asked (WantRules)
// before the batch is processed, so that a WantFilter's state may change
// in between (its recheck), and the batch's events are made in an arena,
// by NewFor when thin is set, else by New with their Rules. It returns the
// alerts encoded as the agent encodes them, the number of thin events
// made, and of those made whole by the time their batch was processed.
func runThin(t *testing.T, lines []thinLine, batch int, thin bool) (out []byte, made, whole int) {
	t.Helper()
	e := mixEngine(t, &out)
	w := e.NewWanter()
	var ar EventArena
	var evs, thins []*Event
	for len(lines) > 0 {
		n := min(batch, len(lines))
		ar.Reset()
		evs, thins = evs[:0], thins[:0]
		for _, l := range lines[:n] {
			set := w.WantRules(l.rec.Type, l.rec)
			if !set.Wanted() {
				continue
			}
			var ev *Event
			if thin {
				ev = ar.NewFor(e, set, l.rec, l.raw, true)
			} else {
				ev = ar.New(l.rec, l.raw, true)
				ev.Rules = set
			}
			ev.Source, ev.Origin = l.source, l.origin
			if ev.cols.thin {
				thins = append(thins, ev)
			}
			evs = append(evs, ev)
		}
		e.ProcessBatch(evs)
		made += len(thins)
		for _, ev := range thins {
			if !ev.cols.thin {
				whole++
			}
		}
		lines = lines[n:]
	}
	for _, r := range e.rules {
		r.rule.Close(r.emit)
	}
	return out, made, whole
}

// goldenStreams returns the lines of each detection case directory (its
// logs merged in the order of their times), and of the generated audit
// mixes.
func goldenStreams(t *testing.T) map[string][]thinLine {
	t.Helper()
	streams := map[string][]thinLine{}
	err := filepath.WalkDir("../../testdata/detections", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		typ, origin := typeOfFile(d.Name())
		if d.IsDir() || typ == parser.TypeUnknown {
			return nil
		}
		p := parser.New(typ)
		for _, raw := range readLines(t, path) {
			rec := new(parser.Record)
			if p.Parse(raw, rec) == nil {
				dir := filepath.Dir(path)
				streams[dir] = append(streams[dir], thinLine{rec, raw, d.Name(), origin})
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, ls := range streams {
		slices.SortStableFunc(ls, func(a, b thinLine) int { return a.rec.Time.Compare(b.rec.Time) })
	}
	n := 20_000
	if testing.Short() {
		n = 4_000
	}
	for _, c := range mixCorpora[:2] {
		recs, raws := mixLines(t, c, n)
		for i := range recs {
			streams[c.name] = append(streams[c.name], thinLine{recs[i], raws[i], "audit_json.log", OriginFile})
		}
	}
	return streams
}

// TestThinEventsAgree checks that thin events (EventArena.NewFor) make
// every rule emit the same alerts, byte for byte, as whole events do, on
// the detection cases and the generated audit mixes, folded in batches
// as the agent folds them: a rule that declares the columns it reads
// (colReader) must read no other, and the events a WantFilter's recheck
// gives to its rule are made whole. It also checks that thin events were
// made, and that some were made whole for a recheck.
func TestThinEventsAgree(t *testing.T) {
	made, whole := 0, 0
	for name, lines := range goldenStreams(t) {
		for _, batch := range []int{1, 64, 1000} {
			want, _, _ := runThin(t, lines, batch, false)
			got, m, w := runThin(t, lines, batch, true)
			made, whole = made+m, whole+w
			if !bytes.Equal(got, want) {
				t.Errorf("%s, batches of %d: alerts of thin events differ (%d bytes, want %d)\n got: %.600s\nwant: %.600s",
					name, batch, len(got), len(want), got, want)
			}
		}
	}
	t.Logf("%d thin events, %d made whole", made, whole)
	if made == 0 || whole == 0 {
		t.Errorf("%d thin events made, %d made whole: the test does not test thin events", made, whole)
	}
}

// TestThinEventWhole checks a thin event of a legacy password sign-in
// (wanted by sentinel.local_auth_no_mfa alone): it holds fewer columns
// than its line, with the values New's event has; Get of a column it
// keeps, or that the line lacks, leaves it thin; Get of a column it
// dropped answers the line's value and makes it whole, with the Columns
// of New's event; Clone of a thin event is whole.
func TestThinEventWhole(t *testing.T) {
	line := []byte(wantCases[5].line)
	var rec parser.Record
	if err := parser.New(parser.TypeAudit).Parse(line, &rec); err != nil {
		t.Fatal(err)
	}
	e := mixEngine(t, nil)
	set := e.NewWanter().WantRules(rec.Type, &rec)
	la := slices.Index(e.rules, e.byID["sentinel.local_auth_no_mfa"])
	if la < 0 || set.bits != 1<<la {
		t.Fatalf("the sign-in is wanted by %b, want sentinel.local_auth_no_mfa alone", set.bits)
	}
	whole := NewEvent(&rec, line, "", 0).Columns
	var ar EventArena
	thin := func() *Event {
		ev := ar.NewFor(e, set, &rec, line, true)
		if !ev.cols.thin || len(ev.Columns) >= len(whole) || ev.Rules != set {
			t.Fatalf("NewFor made no thin event with the set: %d columns of %d, thin %v", len(ev.Columns), len(whole), ev.cols.thin)
		}
		return ev
	}
	ev := thin()
	for _, c := range ev.Columns {
		if !slices.Contains(whole, c) {
			t.Errorf("thin column %v is not the line's", c)
		}
	}
	for col, want := range map[string]string{parser.ColCorrelationID: "01HXHSTQ5A02PJVVW2H8FZZ77A",
		parser.ColAuthenticationType: "standard", "meta.user": "root", parser.ColEventName: "", "NoSuchColumn": ""} {
		if got := ev.Get(col); got != want || !ev.cols.thin {
			t.Errorf("Get(%s) = %q, thin %v; want %q, still thin", col, got, ev.cols.thin, want)
		}
	}
	if got := ev.Get(parser.ColTargetDetails); got != "Administrator" || ev.cols.thin || !slices.Equal(ev.Columns, whole) || !ev.indexed() {
		t.Errorf("Get(TargetDetails) = %q, thin %v, indexed %v, columns %v; want Administrator, whole: %v",
			got, ev.cols.thin, ev.indexed(), ev.Columns, whole)
	}
	if c := thin().Clone(); c.cols.thin || !slices.Equal(c.Columns, whole) {
		t.Errorf("Clone of a thin event has columns %v, want %v", c.Columns, whole)
	}
}

// BenchmarkEventArenaNewFor measures making the events of the realistic
// audit mix's wanted lines as the agent makes them (NewFor, raw stable,
// the arena reset every 1,000 lines as a slot's), thin or (new=whole)
// with New; ns/op is per event.
func BenchmarkEventArenaNewFor(b *testing.B) {
	recs, raws := mixLines(b, mixCorpora[0], 1000)
	e := mixEngine(b, nil)
	w := e.NewWanter()
	var sets []RuleSet
	var wanted []int
	for i := range recs {
		if s := w.WantRules(recs[i].Type, recs[i]); s.Wanted() {
			sets, wanted = append(sets, s), append(wanted, i)
		}
	}
	for _, thin := range []bool{true, false} {
		name := "new=thin"
		if !thin {
			name = "new=whole"
		}
		b.Run(name, func(b *testing.B) {
			var a EventArena
			b.ReportAllocs()
			j := 0
			for b.Loop() {
				if j == len(wanted) {
					a.Reset()
					j = 0
				}
				i := wanted[j]
				if thin {
					a.NewFor(e, sets[j], recs[i], raws[i], true)
				} else {
					a.New(recs[i], raws[i], true).Rules = sets[j]
				}
				j++
			}
		})
	}
}

// TestThinEventSharesRaw checks that a thin event's values are made as
// New makes them, without a copy of their own: each value that is a part
// of the line is a part of the event's Raw, which is the line itself when
// the line is stable and its one copy in the arena when it is not.
func TestThinEventSharesRaw(t *testing.T) {
	line := []byte(wantCases[5].line)
	var rec parser.Record
	if err := parser.New(parser.TypeAudit).Parse(line, &rec); err != nil {
		t.Fatal(err)
	}
	e := mixEngine(t, nil)
	set := e.NewWanter().WantRules(rec.Type, &rec)
	for _, stable := range []bool{true, false} {
		var ar EventArena
		ev := ar.NewFor(e, set, &rec, line, stable)
		if !ev.cols.thin || len(ev.Columns) == 0 {
			t.Fatalf("stable %v: NewFor made no thin event: %v", stable, ev.Columns)
		}
		if aliased := unsafe.StringData(ev.Raw) == &line[0]; aliased != stable {
			t.Errorf("stable %v: Raw is the line: %v", stable, aliased)
		}
		want := len(line)
		if stable {
			want = 0
		}
		if len(ar.buf) != want {
			t.Errorf("stable %v: the arena holds %d bytes, want %d", stable, len(ar.buf), want)
		}
		for _, c := range ev.Columns {
			if _, in := partOfString(ev.Raw, c.Value); !in {
				t.Errorf("stable %v: value %s=%q is not a part of Raw", stable, c.Name, c.Value)
			}
		}
	}
}

// TestEventLineKey: an event without EventID made by NewFor for an
// engine with Config.DedupeLines, thin or whole (a GeoIP column given),
// carries the key of its GitLab line (identLine), the key duplicateLine
// makes (NUL padding and byte order marks before the line left out); a
// second copy of the line is then a duplicate, as it is without the key
// made. Without DedupeLines it carries none.
func TestEventLineKey(t *testing.T) {
	line := wantCases[5].line // a legacy password sign-in: no EventID
	var rec parser.Record
	if err := parser.New(parser.TypeAudit).Parse([]byte(line), &rec); err != nil {
		t.Fatal(err)
	}
	geo := parser.Field{Name: "SrcCountry", Value: []byte("US")}
	for _, dedupe := range []bool{true, false} {
		for _, thin := range []bool{true, false} {
			for _, raw := range []string{line, "\x00\x00\x00" + line, "\ufeff" + line} {
				e := mixEngine(t, nil)
				e.cfg.DedupeLines = dedupe
				set := e.NewWanter().WantRules(rec.Type, &rec)
				var ar EventArena
				newEv := func() *Event {
					var extra []parser.Field
					if !thin {
						extra = append(extra, geo)
					}
					ev := ar.NewFor(e, set, &rec, []byte(raw), false, extra...)
					if ev.cols.thin != thin {
						t.Fatalf("NewFor made an event thin %v, want %v", ev.cols.thin, thin)
					}
					return ev
				}
				ev := newEv()
				switch {
				case dedupe && (ev.identity() != identLine || ev.idKey != lineKey(line)):
					t.Errorf("raw %q, thin %v: identity %d, key %x; want identLine with the key of the line %x", raw[:4], thin, ev.identity(), ev.idKey, lineKey(line))
				case !dedupe && ev.identity() != identNone:
					t.Errorf("raw %q, thin %v, no DedupeLines: identity %d, want identNone", raw[:4], thin, ev.identity())
				}
				if e.duplicate(ev) {
					t.Errorf("raw %q, thin %v, dedupe %v: the first copy is a duplicate", raw[:4], thin, dedupe)
				}
				if got := e.duplicate(newEv()); got != dedupe {
					t.Errorf("raw %q, thin %v, dedupe %v: the second copy is a duplicate: %v, want %v", raw[:4], thin, dedupe, got, dedupe)
				}
			}
		}
	}
}
