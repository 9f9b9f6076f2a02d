package detect

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// TestCatalogueFitsRuleSet checks that every rule of the catalogue can run
// at once: a RuleSet holds at most maxRules rule indices.
func TestCatalogueFitsRuleSet(t *testing.T) {
	if n := len(Catalogue()); n > maxRules {
		t.Fatalf("the catalogue has %d rules; a RuleSet holds %d", n, maxRules)
	}
}

// TestWantRulesAgrees checks the set WantRules carries for a line (the
// engine's and a Wanter's) against
// the set Process derives from the line's Event when it carries none: on
// every golden line, their audit lines with EventName removed and the
// generated mixes, in order, through one engine (Config.WantFirst, every
// rule) that processes each event with its set, as the agent does, so that
// the WantFilters' state (sentinel.impersonation's watch) evolves between
// lines. The corpus must exercise the watch: lines wanted by the
// impersonation rule only because their user is watched.
func TestWantRulesAgrees(t *testing.T) {
	cfg := allRulesConfig(t, true)
	cfg.WantFirst = true
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	imp := -1
	for i, r := range e.rules {
		if r.info.ID == "sentinel.impersonation" {
			imp = i
		}
	}
	if imp < 0 {
		t.Fatal("sentinel.impersonation does not run")
	}
	types, recs := goldenLines(t)
	for i, n := 0, len(recs); i < n; i++ {
		if _, ok := recs[i].Get(parser.ColEventName); ok && types[i] == parser.TypeAudit {
			types, recs = append(types, parser.TypeAudit), append(recs, withoutEventName(recs[i]))
		}
	}
	for _, c := range mixCorpora {
		for _, r := range parseMix(t, c, 20_000) {
			types, recs = append(types, c.typ), append(recs, r)
		}
	}
	var wanted, several, watched, errs int
	w := e.NewWanter()
	for i, rec := range recs {
		set := e.WantRules(types[i], rec)
		if ws := w.WantRules(types[i], rec); ws.tag != set.tag || ws.bits != set.bits || ws.recheck != set.recheck {
			t.Errorf("%v line %d (%s): Wanter.WantRules %b, Engine.WantRules %b", types[i], i, fieldsText(rec), ws.bits, set.bits)
		}
		ev := NewEvent(rec, nil, "audit_json.log", OriginFile)
		e.mu.Lock()
		derived := e.processSet(ev)
		ev.Rules = set
		carried := e.processSet(ev)
		e.mu.Unlock()
		if set.bits != derived || carried != derived || set.tag != e.tag || set.Wanted() != e.Want(types[i], rec) {
			t.Errorf("%v line %d (%s): WantRules %b (tag ok %v), run with it %b, derived %b", types[i], i, fieldsText(rec), set.bits, set.tag == e.tag, carried, derived)
			if errs++; errs == 20 {
				t.FailNow()
			}
		}
		if set.Wanted() {
			wanted++
		}
		if set.bits&(set.bits-1) != 0 {
			several++
		}
		if set.bits&(1<<imp) != 0 && types[i] == parser.TypeAudit && ev.Get(parser.ColImpersonatedBy) == "" &&
			ev.Get(parser.ColEventName) != "user_impersonation" && !strings.HasSuffix(ev.Get(parser.ColCustomMessage), "Impersonation") {
			watched++
		}
		e.Process(ev)
	}
	t.Logf("%d lines: %d wanted, %d by several rules, %d by the impersonation watch", len(recs), wanted, several, watched)
	if wanted == 0 || several == 0 || watched == 0 {
		t.Errorf("the corpus does not exercise the sets: %d wanted, %d by several rules, %d by the watch", wanted, several, watched)
	}
}

// TestWantRulesOtherEngine checks that Process runs the rules of a set only
// when it computed the set itself: an event whose set another engine
// computed (the engine a reload replaced, whose rule indices differ) is
// dispatched from its columns; a set of its own is run as it is. Without
// Config.WantFirst, WantRules carries no set.
func TestWantRulesOtherEngine(t *testing.T) {
	const signin = `{"severity":"INFO","time":"2024-05-10T17:46:49.065Z","correlation_id":"01HXHSTQ5A02PJVVW2H8FZZ77A","author_id":5,"author_name":"Jane","entity_id":5,"entity_type":"User","created_at":"2024-05-10T17:46:49.058+00:00","with":"standard","target_id":5,"target_type":"User","target_details":"Jane"}`
	var rec parser.Record
	if err := parser.New(parser.TypeAudit).Parse([]byte(signin), &rec); err != nil {
		t.Fatal(err)
	}
	old, err := New(Config{Only: []string{"sentinel.local_auth_no_mfa"}, WantFirst: true})
	if err != nil {
		t.Fatal(err)
	}
	cfg := allRulesConfig(t, false)
	cfg.WantFirst = true
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	stale := old.WantRules(parser.TypeAudit, &rec)
	want := e.WantRules(parser.TypeAudit, &rec)
	if !stale.Wanted() || stale.bits == want.bits {
		t.Fatalf("the engines' sets %b and %b do not tell the engines apart", stale.bits, want.bits)
	}
	ev := NewEvent(&rec, []byte(signin), "audit_json.log", OriginFile)
	ev.Rules = stale
	e.Process(ev)
	evaluated(t, e, want.bits)

	// The engine's own set is run as it is, even one of another line.
	e, err = New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ev = NewEvent(&rec, []byte(signin), "audit_json.log", OriginFile)
	ev.Rules = RuleSet{tag: e.tag, bits: 1}
	e.Process(ev)
	evaluated(t, e, 1)

	cfg.WantFirst = false
	e, err = New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if s := e.WantRules(parser.TypeAudit, &rec); s.tag != nil || !s.Wanted() {
		t.Errorf("without WantFirst: WantRules = %+v, want no set, wanted", s)
	}
}

// evaluated checks that e's rules of set evaluated one event and the
// others none.
func evaluated(t *testing.T, e *Engine, set ruleBits) {
	t.Helper()
	st := e.Stats().Rules
	for i, r := range e.rules {
		want := uint64(0)
		if set&(1<<i) != 0 {
			want = 1
		}
		if got := st[r.info.ID].Evaluated; got != want {
			t.Errorf("%s evaluated %d events, want %d", r.info.ID, got, want)
		}
	}
}

// TestWanterNoAlloc checks that a Wanter's WantRules allocates nothing,
// for lines wanted or not, and agrees with Want.
func TestWanterNoAlloc(t *testing.T) {
	e, err := New(Config{WantFirst: true})
	if err != nil {
		t.Fatal(err)
	}
	w := e.NewWanter()
	for _, c := range wantCases {
		var rec parser.Record
		if err := parser.New(c.typ).Parse([]byte(c.line), &rec); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := w.WantRules(c.typ, &rec).Wanted(); got != c.want {
			t.Errorf("%s: Wanted = %v, want %v", c.name, got, c.want)
		}
		if n := testing.AllocsPerRun(100, func() { w.WantRules(c.typ, &rec) }); n != 0 {
			t.Errorf("%s: Wanter.WantRules allocates %v times", c.name, n)
		}
	}
}

// BenchmarkProcessRuleSet is BenchmarkProcess as the agent runs it: the
// engine with Config.WantFirst, the event carrying the set a Wanter
// computed, so that Process asks no filter.
func BenchmarkProcessRuleSet(b *testing.B) {
	for _, c := range wantCases {
		if !c.want {
			continue
		}
		b.Run(c.name, func(b *testing.B) {
			e, err := New(Config{WantFirst: true})
			if err != nil {
				b.Fatal(err)
			}
			w := e.NewWanter()
			var rec parser.Record
			raw := []byte(c.line)
			if err := parser.New(c.typ).Parse(raw, &rec); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				ev := NewEvent(&rec, raw, "audit_json.log", OriginFile)
				ev.Rules = w.WantRules(c.typ, &rec)
				e.Process(ev)
			}
		})
	}
}

// TestProcessAsksDeclinedWantFilter checks that Process asks again the
// WantFilter that dropped a line when WantRules computed its set: a
// password sign-in of user 3 asked before the start of user 3's
// impersonation is processed, and processed after it, reaches
// sentinel.impersonation (whose watch now holds user 3) besides
// sentinel.local_auth_no_mfa, as it would without a set; a sign-in of
// user 4, whom no start made watched, does not.
func TestProcessAsksDeclinedWantFilter(t *testing.T) {
	const (
		start  = `{"severity":"INFO","time":"2021-12-06T14:40:27.519Z","author_id":1,"entity_id":1,"entity_type":"User","custom_message":"Started Impersonation","target_id":3,"target_type":"User","target_details":"jdoe","author_name":"Administrator","ip_address":"81.2.69.142","entity_path":"root"}`
		signin = `{"severity":"INFO","time":"2021-12-06T14:41:05.519Z","author_id":%d,"author_name":"jdoe","entity_id":3,"entity_type":"User","with":"standard","target_id":3,"target_type":"User","target_details":"jdoe","ip_address":"81.2.69.142"}`
	)
	e, err := New(Config{Only: []string{"sentinel.impersonation", "sentinel.local_auth_no_mfa"}, WantFirst: true})
	if err != nil {
		t.Fatal(err)
	}
	w := e.NewWanter()
	event := func(line string) *Event {
		var rec parser.Record
		if err := parser.New(parser.TypeAudit).Parse([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		ev := NewEvent(&rec, []byte(line), "audit_json.log", OriginFile)
		ev.Rules = w.WantRules(parser.TypeAudit, &rec)
		if !ev.Rules.Wanted() {
			t.Fatalf("not wanted: %s", line)
		}
		return ev
	}
	user3, user4 := event(fmt.Sprintf(signin, 3)), event(fmt.Sprintf(signin, 4))
	e.Process(event(start))
	e.Process(user3)
	e.Process(user4)
	st := e.Stats().Rules
	if got := st["sentinel.impersonation"].Evaluated; got != 2 || st["sentinel.local_auth_no_mfa"].Evaluated != 2 {
		t.Errorf("impersonation evaluated %d events (want 2: the start and user 3's sign-in), local auth %d (want 2)",
			got, st["sentinel.local_auth_no_mfa"].Evaluated)
	}
}
