package detect

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// countRule alerts when a user has more than limit events named "login"
// in an hour; it is the smallest windowed rule, used to test the engine.
type countRule struct {
	limit int
	w     *Windows[string]
	seen  int
}

func (r *countRule) Info() Info {
	return Info{ID: "test.count", Name: "count", Kind: KindWindow, Severity: SeverityLow}
}
func (r *countRule) Wants() []Key { return []Key{EventName("login"), NoEventName()} }
func (r *countRule) Observe(ev *Event, _ Clock, emit Emit) {
	r.seen++
	u := ev.Get(parser.ColAuthorName)
	n, ok := r.w.Add(u, ev.Time, 1)
	if ok && n > r.limit {
		emit(&Alert{Time: ev.Time, Key: []Column{{"AuthorName", u}}, Count: n,
			WindowStart: r.w.WindowStart(ev.Time)})
	}
}
func (r *countRule) Advance(wm time.Time, _ Emit) { r.w.Expire(wm) }
func (r *countRule) Close(Emit)                   {}
func (r *countRule) StateVersion() int            { return 1 }
func (r *countRule) Snapshot() ([]byte, error)    { return []byte(`{"ok":true}`), nil }
func (r *countRule) Restore(b []byte) error       { return nil }

func testSpec() Spec {
	return Spec{
		Info:     (&countRule{}).Info(),
		Default:  true,
		Params:   []string{"limit"},
		Suppress: time.Hour,
		New: func(p *Params, _ *Env) (Rule, error) {
			return &countRule{limit: p.Int("limit", 2), w: NewWindows[string](time.Hour, 5*time.Minute, 100)}, nil
		},
	}
}

func newTestEngine(t *testing.T, dir string, alerts *[]*Alert) *Engine {
	t.Helper()
	e, err := New(Config{
		Specs:    []Spec{testSpec()},
		StateDir: dir,
		Emit:     func(a *Alert) { *alerts = append(*alerts, a) },
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func auditEvent(id, name, user string, when time.Time, src string, off int64) *Event {
	ev := &Event{Type: parser.TypeAudit, Time: when, Source: src, Origin: OriginFile, FileID: "1:2", Offset: off}
	if src == "stream" {
		ev.Origin, ev.FileID = OriginStream, ""
	}
	for _, c := range []Column{{parser.ColEventID, id}, {parser.ColEventName, name}, {parser.ColAuthorName, user}} {
		if c.Value != "" {
			ev.Columns = append(ev.Columns, c)
		}
	}
	return ev
}

func TestEngineDedupe(t *testing.T) {
	var alerts []*Alert
	e := newTestEngine(t, "", &alerts)
	e.Process(auditEvent("7", "login", "u", at("0s"), "audit_json.log", 0))
	e.Process(auditEvent("7", "login", "u", at("0s"), "stream", 0))  // same event streamed: dropped
	e.Process(auditEvent("7", "login", "u", at("1s"), "stream", 0))  // same id, other time: kept
	e.Process(auditEvent("7", "logout", "u", at("0s"), "stream", 0)) // other name: not this rule's key
	e.Process(auditEvent("", "login", "u", at("0s"), "stream", 0))   // no id: never deduplicated
	e.Process(auditEvent("", "login", "u", at("0s"), "stream", 0))   // no id: never deduplicated
	st := e.Stats()
	if st.Deduplicated != 1 || st.Rules["test.count"].Evaluated != 4 {
		t.Errorf("Deduplicated %d, evaluated %d; want 1 and 4", st.Deduplicated, st.Rules["test.count"].Evaluated)
	}
	// 4 events > limit 2: alerts at the 3rd, the 4th is suppressed.
	if len(alerts) != 1 || alerts[0].Count != 3 || st.Rules["test.count"].Suppressed != 1 {
		t.Fatalf("alerts %d (suppressed %d), want 1 (1)", len(alerts), st.Rules["test.count"].Suppressed)
	}
	a := alerts[0]
	if a.Info.ID != "test.count" || a.ID == "" || a.DetectedAt.IsZero() {
		t.Errorf("alert not completed by the engine: %+v", a)
	}
	if want := AlertID("test.count", a.Key, a.WindowStart.Format(time.RFC3339Nano)); a.ID != want {
		t.Errorf("alert_id %s, want %s", a.ID, want)
	}
}

func TestEngineLateAndWatermark(t *testing.T) {
	var alerts []*Alert
	e := newTestEngine(t, "", &alerts)
	e.Process(auditEvent("1", "login", "u", at("10m"), "a", 0))
	e.Process(auditEvent("2", "login", "u", at("9m"), "a", 1)) // out of order within lateness: on time
	e.Process(auditEvent("3", "login", "u", at("1m"), "b", 0)) // older than the watermark (8m): late
	if got, want := e.Watermark(), at("8m"); !got.Equal(want) {
		t.Errorf("watermark %v, want %v", got, want)
	}
	if st := e.Stats(); st.Late != 1 {
		t.Errorf("Late = %d, want 1", st.Late)
	}
}

func TestEngineRestartSkipsReplayedLines(t *testing.T) {
	dir := t.TempDir()
	var alerts []*Alert
	e := newTestEngine(t, dir, &alerts)
	for i := range 3 {
		e.Process(auditEvent("", "login", "u", at("0s"), "audit_json.log", int64(i*100)))
	}
	if err := e.Save(); err != nil {
		t.Fatal(err)
	}
	if len(alerts) != 1 {
		t.Fatalf("first run: %d alerts, want 1", len(alerts))
	}
	// Restart: the tailer delivers from offset 100 again (at least once).
	var again []*Alert
	e2 := newTestEngine(t, dir, &again)
	for i := 1; i < 5; i++ {
		e2.Process(auditEvent("", "login", "u", at("1s"), "audit_json.log", int64(i*100)))
	}
	st := e2.Stats()
	if st.Replayed != 2 || st.Rules["test.count"].Evaluated != 2 {
		t.Errorf("Replayed %d evaluated %d, want 2 and 2", st.Replayed, st.Rules["test.count"].Evaluated)
	}
	if len(again) != 0 {
		t.Errorf("restart re-alerted: %+v (suppression must survive the restart)", again[0])
	}
}

// TestEngineRestartRewound: after a restart, a line of the restored
// position's file that starts before the line before it, or before where
// the tailer resumed (ResumeAt), was written after the file was truncated
// in place (a live copytruncate): it and the lines after it are evaluated,
// not skipped as lines folded before the restart (fresh-user trial 34,
// F1). Lines re-read in order before that are still skipped.
func TestEngineRestartRewound(t *testing.T) {
	for _, tc := range []struct {
		name     string
		resumeAt int64   // ResumeAt's offset; -1: not called (detect)
		offsets  []int64 // the lines read after the restart
		replayed uint64
		eval     uint64
	}{
		{"re-read, then rewound", -1, []int64{100, 200, 0, 100, 200, 300}, 2, 4},
		{"rewound before any line, below the resume offset", 300, []int64{0, 100, 200}, 0, 3},
		{"re-read from the resume offset", 100, []int64{100, 200, 300}, 2, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			var alerts []*Alert
			e := newTestEngine(t, dir, &alerts)
			for i := range 3 {
				e.Process(auditEvent(strconv.Itoa(i), "login", "u", at("0s"), "audit_json.log", int64(i*100)))
			}
			if err := e.Save(); err != nil {
				t.Fatal(err)
			}
			e2 := newTestEngine(t, dir, &alerts)
			if tc.resumeAt >= 0 {
				e2.ResumeAt("audit_json.log", "1:2", tc.resumeAt)
			}
			for i, off := range tc.offsets {
				e2.Process(auditEvent("new-"+strconv.Itoa(i), "login", "u", at("1s"), "audit_json.log", off))
			}
			st := e2.Stats()
			if st.Replayed != tc.replayed || st.Rules["test.count"].Evaluated != tc.eval {
				t.Errorf("Replayed %d evaluated %d, want %d and %d", st.Replayed, st.Rules["test.count"].Evaluated, tc.replayed, tc.eval)
			}
		})
	}
}

func TestEngineCorruptStateStartsFresh(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "detect"), 0o750); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{StateName, "test.count"} {
		if err := os.WriteFile(filepath.Join(dir, "detect", name+".json"), []byte("{not json"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var alerts []*Alert
	e := newTestEngine(t, dir, &alerts)
	if st := e.Stats(); st.StateLoadErrors != 2 {
		t.Errorf("StateLoadErrors = %d, want 2", st.StateLoadErrors)
	}
	if err := e.Save(); err != nil {
		t.Fatalf("Save after a corrupt file: %v", err)
	}
}

func TestEngineConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"unknown rule", Config{Rules: map[string]RuleConfig{"test.nope": {}}}, `detections: unknown rule "test.nope"`},
		{"bad parameter", Config{Params: map[string]string{"limit": "ten"}},
			`detections: rule test.count: parameter limit="ten": want a whole number, 0 or more`},
		{"unknown own parameter", Config{Rules: map[string]RuleConfig{"test.count": {Params: map[string]string{"limt": "1"}}}},
			"detections: rule test.count: unknown parameter(s) limt (the rule reads limit, suppress)"},
		{"bad severity", Config{Rules: map[string]RuleConfig{"test.count": {Severity: "urgent"}}},
			`detections: rule test.count: unknown severity "urgent": want High, Medium, Low or Informational, in any case (or syslog's err, warning, notice, info)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.Specs = []Spec{testSpec()}
			_, err := New(tt.cfg)
			if err == nil || err.Error() != tt.want {
				t.Errorf("New: %v\nwant: %s", err, tt.want)
			}
		})
	}
}

func TestEngineWantNoAlloc(t *testing.T) {
	e, err := New(Config{Specs: []Spec{testSpec()}})
	if err != nil {
		t.Fatal(err)
	}
	line := []byte(`{"severity":"INFO","time":"2024-06-03T09:12:44.301Z","author_id":1,"author_name":"a","event_name":"project_created","id":5}`)
	var rec parser.Record
	if err := parser.New(parser.TypeAudit).Parse(line, &rec); err != nil {
		t.Fatal(err)
	}
	if e.Want(parser.TypeAudit, &rec) {
		t.Fatal("Want(project_created) = true, no rule wants it")
	}
	if n := testing.AllocsPerRun(100, func() { e.Want(parser.TypeAudit, &rec) }); n != 0 {
		t.Errorf("Want allocates %v times per call", n)
	}
	line = []byte(`{"severity":"INFO","time":"2024-06-03T09:12:44.301Z","author_id":1,"author_name":"a","event_name":"login","id":5}`)
	if err := parser.New(parser.TypeAudit).Parse(line, &rec); err != nil {
		t.Fatal(err)
	}
	if !e.Want(parser.TypeAudit, &rec) {
		t.Error("Want(login) = false")
	}
}

// TestEngineConcurrentUse drives one engine from several sources at once,
// with Stats, Save, Advance and Want alongside, as the agent's workers do
// (run with -race).
func TestEngineConcurrentUse(t *testing.T) {
	var mu sync.Mutex
	var alerts int
	e, err := New(Config{Specs: []Spec{testSpec()}, StateDir: t.TempDir(), Emit: func(*Alert) {
		mu.Lock()
		alerts++
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	var rec parser.Record
	if err := parser.New(parser.TypeAudit).Parse([]byte(`{"id":1,"author_id":1,"event_type":"login","author_name":"u"}`), &rec); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for s := range 4 {
		wg.Go(func() {
			src := fmt.Sprintf("source-%d", s)
			for i := range 500 {
				e.Process(auditEvent(fmt.Sprint(s*1000+i), "login", fmt.Sprint("user", i%7), t0.Add(time.Duration(i)*time.Second), src, int64(i)))
			}
		})
	}
	wg.Go(func() {
		for range 50 {
			e.Stats()
			if err := e.Save(); err != nil {
				t.Error(err)
			}
			e.Advance(t0)
			if !e.Want(parser.TypeAudit, &rec) {
				t.Error("Want(login) = false")
			}
		}
	})
	wg.Wait()
	st := e.Stats()
	if st.Events != 2000 || st.Rules["test.count"].Evaluated != 2000 || st.Deduplicated != 0 {
		t.Errorf("events %d evaluated %d dedup %d, want 2000 2000 0", st.Events, st.Rules["test.count"].Evaluated, st.Deduplicated)
	}
	if uint64(alerts) != st.Rules["test.count"].Alerts || alerts == 0 {
		t.Errorf("%d alerts emitted, stats say %d", alerts, st.Rules["test.count"].Alerts)
	}
}

// TestEngineRestartKeepsEventIDs checks that the recent event ids survive
// a restart: a streamed event delivered again after it is not counted
// twice.
func TestEngineRestartKeepsEventIDs(t *testing.T) {
	dir := t.TempDir()
	var alerts []*Alert
	e := newTestEngine(t, dir, &alerts)
	e.Process(auditEvent("uuid-1", "login", "u", at("0s"), "stream", 0))
	if err := e.Save(); err != nil {
		t.Fatal(err)
	}
	e2 := newTestEngine(t, dir, &alerts)
	e2.Process(auditEvent("uuid-1", "login", "u", at("0s"), "stream", 0))
	e2.Process(auditEvent("uuid-2", "login", "u", at("1s"), "stream", 0))
	if st := e2.Stats(); st.Deduplicated != 1 || st.Rules["test.count"].Evaluated != 1 {
		t.Errorf("after restart: deduplicated %d, evaluated %d; want 1 and 1", st.Deduplicated, st.Rules["test.count"].Evaluated)
	}
}

func TestRecentBounded(t *testing.T) {
	r := newRecent(time.Hour, 3)
	for i, s := range []string{"a", "b", "c", "d"} {
		if r.seen(s, at(fmt.Sprintf("%dm", i))) {
			t.Errorf("%s seen before it was added", s)
		}
	}
	if r.len() != 3 || r.seen("b", at("5m")) == false || r.seen("a", at("5m")) {
		t.Errorf("cap 3: len %d; b must be remembered, a (the oldest) dropped", r.len())
	}
	r.expire(at("63m30s")) // drops c and d, added before 3m30s (b went when a came back at 5m)
	if r.len() != 1 {
		t.Errorf("after expire: len %d, want 1", r.len())
	}
}

// TestIdleAdvancers: the engine does not call the Advance of a rule that
// says it does nothing (idleAdvancer). Such a rule must keep no state in
// event time: it is a per-event rule and not Stateful. Every other rule
// is advanced.
func TestIdleAdvancers(t *testing.T) {
	e, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	idle := 0
	for _, r := range e.rules {
		_, isIdle := r.rule.(idleAdvancer)
		_, stateful := r.rule.(Stateful)
		if isIdle {
			idle++
			if stateful || r.info.Kind != KindPerEvent {
				t.Errorf("rule %s (kind %v, stateful %v) skips Advance: it may have windows to close", r.info.ID, r.info.Kind, stateful)
			}
		}
		if isIdle == slices.Contains(e.advancers, r) {
			t.Errorf("rule %s: idle %v, advanced by the engine %v", r.info.ID, isIdle, !isIdle)
		}
	}
	if idle == 0 || len(e.advancers) == 0 {
		t.Errorf("%d idle rules, %d advanced: the catalogue has both", idle, len(e.advancers))
	}
}

// TestBatchDetectedAt: the alerts of one ProcessBatch share the DetectedAt
// read at the first of them (the clock is read once per batch, not per
// alert); alerts of separate Process calls, and of separate batches, each
// read the clock.
func TestBatchDetectedAt(t *testing.T) {
	clock := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	reads := 0
	var alerts []*Alert
	e, err := New(Config{Specs: []Spec{testSpec()}, Rules: map[string]RuleConfig{"test.count": {Params: map[string]string{"limit": "0"}}},
		Now:  func() time.Time { reads++; return clock.Add(time.Duration(reads) * time.Second) },
		Emit: func(a *Alert) { alerts = append(alerts, a) }})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2029, 12, 31, 0, 0, 0, 0, time.UTC)
	var batch []*Event
	for i := range 4 {
		batch = append(batch, auditEvent(fmt.Sprint(i), "login", fmt.Sprint("user", i), at, "audit.log", int64(i)))
	}
	e.ProcessBatch(batch)
	e.ProcessBatch(batch[:0])
	e.Process(auditEvent("10", "login", "user10", at, "audit.log", 10))
	e.Process(auditEvent("11", "login", "user11", at, "audit.log", 11))
	e.ProcessBatch([]*Event{auditEvent("12", "login", "user12", at, "audit.log", 12), auditEvent("13", "login", "user13", at, "audit.log", 13)})
	if len(alerts) != 8 {
		t.Fatalf("%d alerts, want 8", len(alerts))
	}
	for i, a := range alerts {
		same := i > 0 && a.DetectedAt.Equal(alerts[i-1].DetectedAt)
		if want := (i > 0 && i < 4) || i == 7; same != want {
			t.Errorf("alert %d: DetectedAt %v, alert %d's %v: same %v, want %v", i, a.DetectedAt, i-1, alerts[max(i-1, 0)].DetectedAt, same, want)
		}
	}
}

// TestEngineAdvanceAfterRestoredZeroWatermark: a state saved while a
// source without events held the watermark at zero (MinWatermark; a run
// --once stopped before its end) still lets Advance move the restored
// engine's watermark, with no event in the new process, so that the
// windows it left open close (fresh-user trial 122: the alerts held for
// them were never raised). A fresh engine with no event still ignores
// Advance.
func TestEngineAdvanceAfterRestoredZeroWatermark(t *testing.T) {
	dir := t.TempDir()
	newEngine := func() *Engine {
		e, err := New(Config{Specs: []Spec{testSpec()}, StateDir: dir, MinWatermark: true, Emit: func(*Alert) {}})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	e := newEngine()
	e.Hold("auth_json.log") // followed, never gives an event
	e.Process(auditEvent("", "login", "u", at("0s"), "audit_json.log", 0))
	if !e.Watermark().IsZero() {
		t.Fatalf("watermark %v, want zero: the held source holds it", e.Watermark())
	}
	if err := e.Save(); err != nil {
		t.Fatal(err)
	}
	e2 := newEngine()
	e2.Advance(at("1h"))
	if got := e2.Watermark(); !got.Equal(at("1h")) {
		t.Errorf("restored engine's watermark after Advance: %v, want %v", got, at("1h"))
	}
	fresh, err := New(Config{Specs: []Spec{testSpec()}, StateDir: t.TempDir(), MinWatermark: true, Emit: func(*Alert) {}})
	if err != nil {
		t.Fatal(err)
	}
	fresh.Advance(at("1h"))
	if got := fresh.Watermark(); !got.IsZero() {
		t.Errorf("fresh engine's watermark after Advance: %v, want zero", got)
	}
}
