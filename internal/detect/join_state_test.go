package detect

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// joinNow is the wall clock of the join tests' engines: after every event
// time of the golden cases, so none is dated in the future.
var joinNow = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

// joinEngine returns an engine running only rule id with params and the
// state under dir; each alert is rendered as its JSON line (detected_at
// is the fixed joinNow) into *out as the Emit sees it.
func joinEngine(t *testing.T, id string, params map[string]string, dir string, log *slog.Logger, out *[]string) *Engine {
	t.Helper()
	e, err := New(Config{
		Only: []string{id}, Rules: map[string]RuleConfig{id: {Params: params}}, StateDir: dir, Log: log,
		Now:  func() time.Time { return joinNow },
		Emit: func(a *Alert) { *out = append(*out, string(a.AppendJSON(nil))) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if off := e.Off(); len(off) > 0 {
		t.Fatalf("rule off: %v", off[0])
	}
	return e
}

// joinRun processes evs with a fresh engine on dir and returns the
// alerts; with close the engine is closed at the end (detect's end of
// input), else only its state is saved (a stop between two lines).
func joinRun(t *testing.T, id string, params map[string]string, dir string, evs []*Event, close bool) []string {
	t.Helper()
	var out []string
	e := joinEngine(t, id, params, dir, nil, &out)
	for _, ev := range evs {
		e.Process(ev)
	}
	var err error
	if close {
		err = e.Close()
	} else {
		err = e.Save()
	}
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// joinCases are the golden cases of the two join rules.
var joinCases = []struct {
	rule, dir string
	// enriched are the alerts of the uninterrupted run that must carry
	// a column of the joined audit line: column=value.
	enriched []string
}{
	{"sentinel.local_auth_no_mfa", "sentinel.local_auth_no_mfa",
		[]string{`"AuthorName":"Administrator"`, `"AuthorName":"Ops Admin"`}},
	{"sentinel.external_user", "sentinel.external_user",
		[]string{`"EntityPath":"trent"`}},
}

// TestJoinRestartSameAlerts stops the engine between every two events of
// the join rules' golden cases (state saved, engine dropped) and runs a
// new engine on the same state directory over the rest: the alerts are
// those of one uninterrupted run, byte for byte (alert_id, columns, the
// enrichment of the audit line read after the restart), each exactly
// once. Held alerts whose window closes after the restart go out
// unenriched, once.
func TestJoinRestartSameAlerts(t *testing.T) {
	for _, c := range joinCases {
		t.Run(c.rule, func(t *testing.T) {
			dir := filepath.Join("..", "..", "testdata", "detections", c.dir)
			evs, params := readEvents(t, dir), readArgs(t, dir)
			whole := joinRun(t, c.rule, params, "", evs, true)
			slices.Sort(whole)
			for _, want := range c.enriched {
				if !slices.ContainsFunc(whole, func(a string) bool { return strings.Contains(a, want) }) {
					t.Fatalf("no alert of the uninterrupted run has %s:\n%s", want, strings.Join(whole, "\n"))
				}
			}
			for cut := 1; cut < len(evs); cut++ {
				state := t.TempDir()
				got := append(joinRun(t, c.rule, params, state, evs[:cut], false),
					joinRun(t, c.rule, params, state, evs[cut:], true)...)
				slices.Sort(got)
				if !slices.Equal(got, whole) {
					t.Errorf("restart after event %d of %d: alerts\n%s\nwant\n%s", cut, len(evs),
						strings.Join(got, "\n"), strings.Join(whole, "\n"))
				}
			}
		})
	}
}

// writeLog writes lines as the log file name in dir and returns its
// events.
func writeLog(t *testing.T, dir, name string, lines ...string) []*Event {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	typ, origin := typeOfFile(name)
	return parseFile(t, path, typ, origin)
}

// An admin's password sign-in: the application line and the audit line of
// the same request, and a later unrelated application line.
const (
	adminSignIn = `{"severity":"INFO","time":"2025-03-05T12:00:00.000Z","correlation_id":"01HQJOIN000000000000000001","meta.caller_id":"SessionsController#create","meta.remote_ip":"198.51.100.4","meta.feature_category":"system_access","meta.user":"root","meta.user_id":1,"meta.client_id":"user/1","message":"Successful Login: username=root ip=198.51.100.4 method=standard admin=true"}`
	adminAudit  = `{"severity":"INFO","time":"2025-03-05T12:00:00.010Z","correlation_id":"01HQJOIN000000000000000001","author_id":1,"author_name":"Administrator","entity_id":1,"entity_type":"User","created_at":"2025-03-05T12:00:00.003+00:00","with":"standard","target_id":1,"target_type":"User","target_details":"Administrator"}`
	laterLine   = `{"severity":"INFO","time":"2025-03-05T12:10:00.000Z","correlation_id":"01HQJOIN000000000000000002","meta.caller_id":"SessionsController#create","meta.remote_ip":"198.51.100.4","meta.feature_category":"system_access","message":"Successful Login: username=dev ip=198.51.100.4 method=two-factor admin=false"}`
)

// TestJoinHeldAlertWindowClosesAfterRestart holds an alert, restarts, and
// lets the watermark pass its window without its audit line: it goes out
// once, unenriched, when the window closes (not only at Close), as in an
// uninterrupted run.
func TestJoinHeldAlertWindowClosesAfterRestart(t *testing.T) {
	files := t.TempDir()
	app := writeLog(t, files, "application_json.log", adminSignIn, laterLine)
	const rule = "sentinel.local_auth_no_mfa"
	var whole []string
	e := joinEngine(t, rule, nil, "", nil, &whole)
	for _, ev := range app {
		e.Process(ev)
	}
	if len(whole) != 1 || strings.Contains(whole[0], "AuthorName") {
		t.Fatalf("uninterrupted: alerts %q, want one, unenriched, when the window closed", whole)
	}

	state := t.TempDir()
	if got := joinRun(t, rule, nil, state, app[:1], false); len(got) != 0 {
		t.Fatalf("alert out before its window closed: %q", got)
	}
	var got []string
	e = joinEngine(t, rule, nil, state, nil, &got)
	e.Process(app[1])
	if !slices.Equal(got, whole) {
		t.Fatalf("after the restart, when the window closed: alerts\n%q\nwant\n%q", got, whole)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Errorf("%d alerts after Close, want the one alert once", len(got))
	}
}

// TestJoinAuditSideSurvivesRestart: the audit line is read first, then
// the engine restarts, then the application line: the held audit line
// still enriches its alert.
func TestJoinAuditSideSurvivesRestart(t *testing.T) {
	files := t.TempDir()
	app := writeLog(t, files, "application_json.log", adminSignIn)
	audit := writeLog(t, files, "audit_json.log", adminAudit)
	const rule = "sentinel.local_auth_no_mfa"
	whole := joinRun(t, rule, nil, "", append(slices.Clone(audit), app...), true)
	state := t.TempDir()
	got := append(joinRun(t, rule, nil, state, audit, false), joinRun(t, rule, nil, state, app, true)...)
	if len(whole) != 1 || !strings.Contains(whole[0], `"AuthorName":"Administrator"`) {
		t.Fatalf("uninterrupted: %q, want one enriched alert", whole)
	}
	if !slices.Equal(got, whole) {
		t.Errorf("restart between the audit and the application line: alerts\n%q\nwant\n%q", got, whole)
	}
}

// TestJoinStateUnreadable: a corrupt file, a file of another schema
// version and a state that does not hold together are each logged as a
// warning naming the rule; the rule starts empty (an audit line finds no
// held alert) and works on.
func TestJoinStateUnreadable(t *testing.T) {
	const rule = "sentinel.local_auth_no_mfa"
	tests := []struct {
		name, file, want string
	}{
		{"corrupt", `{"schema":1,"rule":"` + rule + `","state":{"pending":[{"k":`, "corrupt state file"},
		{"old version", `{"schema":0,"rule":"` + rule + `","state":{"pending":[]}}`, "state schema 0, this version reads 1"},
		{"alert without its event", `{"schema":1,"rule":"` + rule + `","state":{"pending":[{"k":"01HQJOIN000000000000000001","time":"2025-03-05T12:00:00Z","key":[{"Name":"Username","Value":"root"}],"event":null}],"sides":[]}}`, "held alert 0 has no event"},
		{"side with too many values", `{"schema":1,"rule":"` + rule + `","state":{"pending":[],"sides":[{"k":"c","t":"2025-03-05T12:00:00Z","event_id":"","vals":["1","2","3"]}]}}`, "held audit line 0"},
	}
	files := t.TempDir()
	app := writeLog(t, files, "application_json.log", adminSignIn)
	audit := writeLog(t, files, "audit_json.log", adminAudit)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state := t.TempDir()
			if err := os.MkdirAll(filepath.Join(state, "detect"), 0o750); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(state, "detect", rule+".json"), []byte(tt.file), 0o600); err != nil {
				t.Fatal(err)
			}
			// The engine's state, without which no rule's is restored.
			if err := os.WriteFile(filepath.Join(state, "detect", StateName+".json"), []byte(emptyEngineState), 0o600); err != nil {
				t.Fatal(err)
			}
			var logged bytes.Buffer
			var got []string
			e := joinEngine(t, rule, nil, state, slog.New(slog.NewTextHandler(&logged, nil)), &got)
			if s := logged.String(); !strings.Contains(s, "level=WARN") || !strings.Contains(s, rule) || !strings.Contains(s, tt.want) {
				t.Errorf("log %q, want a warning naming %s and %q", s, rule, tt.want)
			}
			if n := e.Stats().StateLoadErrors; n != 1 {
				t.Errorf("StateLoadErrors = %d, want 1", n)
			}
			e.Process(audit[0]) // joins nothing: the rule holds no alert
			if len(got) != 0 {
				t.Fatalf("alerts from a state that was not restored: %q", got)
			}
			e.Process(app[0])
			if len(got) != 1 || !strings.Contains(got[0], `"AuthorName":"Administrator"`) {
				t.Errorf("after a fresh start: alerts %q, want the sign-in enriched by its audit line", got)
			}
		})
	}
}

// TestJoinStateSmallerMaxKeys restores more held alerts than max_keys
// allows (the configuration changed between the runs): none is lost,
// those beyond max_keys go out at the next advance, each once.
func TestJoinStateSmallerMaxKeys(t *testing.T) {
	const rule = "sentinel.external_user"
	files := t.TempDir()
	var lines []string
	for i := range 4 {
		lines = append(lines, strings.NewReplacer("USR000", "USR00"+string(rune('a'+i)), "mallory", "mallory"+string(rune('a'+i))).Replace(
			`{"severity":"INFO","time":"2025-03-05T13:00:00.000Z","correlation_id":"01HQUSR0000000000000000001","meta.caller_id":"RegistrationsController#create","meta.remote_ip":"198.51.100.4","meta.feature_category":"system_access","meta.client_id":"ip/198.51.100.4","message":"User \"Mallory Doe\" (mallory@evil.example) was created"}`))
	}
	app := writeLog(t, files, "application_json.log", lines...)
	params := map[string]string{"allowed_domains": "corp.example"}
	whole := joinRun(t, rule, params, "", app, true)
	slices.Sort(whole)
	if len(whole) != 4 {
		t.Fatalf("uninterrupted: %d alerts, want 4", len(whole))
	}
	state := t.TempDir()
	if got := joinRun(t, rule, params, state, app, false); len(got) != 0 {
		t.Fatalf("alerts before their windows closed: %q", got)
	}
	small := map[string]string{"allowed_domains": "corp.example", "max_keys": "1"}
	var got []string
	e := joinEngine(t, rule, small, state, nil, &got)
	e.Advance(app[0].Time.Add(time.Second)) // inside the window: only what max_keys cannot hold goes
	if len(got) != 3 {
		t.Errorf("%d alerts at the first advance, want the 3 beyond max_keys=1", len(got))
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	if !slices.Equal(got, whole) {
		t.Errorf("alerts\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(whole, "\n"))
	}
}

// TestJoinSnapshotRoundTrip restores each join rule's snapshot, taken
// in the middle of its golden case, into a fresh rule and wants the same
// snapshot back.
func TestJoinSnapshotRoundTrip(t *testing.T) {
	for _, c := range joinCases {
		t.Run(c.rule, func(t *testing.T) {
			dir := filepath.Join("..", "..", "testdata", "detections", c.dir)
			var spec Spec
			for _, s := range Catalogue() {
				if s.Info.ID == c.rule {
					spec = s
				}
			}
			mk := func() Stateful {
				r, err := spec.New(NewParams(c.rule, nil, readArgs(t, dir)), &Env{Now: func() time.Time { return joinNow }})
				if err != nil {
					t.Fatal(err)
				}
				return r.(Stateful)
			}
			r := mk()
			evs := readEvents(t, dir)
			for _, ev := range evs[:len(evs)-1] {
				r.(Rule).Observe(ev, time.Now, func(*Alert) {})
			}
			snap, err := r.Snapshot()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(snap, []byte(`"event":{`)) && !bytes.Contains(snap, []byte(`"event_id":`)) {
				t.Fatalf("nothing held to save: %s", snap)
			}
			r2 := mk()
			if err := r2.Restore(snap); err != nil {
				t.Fatal(err)
			}
			snap2, _ := r2.Snapshot()
			if !bytes.Equal(snap, snap2) {
				t.Errorf("snapshot after restore differs:\n%s\n%s", snap, snap2)
			}
			if err := mk().Restore([]byte(`{"pending":`)); err == nil {
				t.Error("Restore accepted truncated JSON")
			}
		})
	}
}

// TestJoinFutureEvent: an application line dated more than MaxFuture
// after the wall clock alerts at once instead of waiting for a watermark
// that never reaches its window's end, and does not hold up the alerts
// behind it.
func TestJoinFutureEvent(t *testing.T) {
	const rule = "sentinel.local_auth_no_mfa"
	files := t.TempDir()
	future := strings.Replace(strings.Replace(adminSignIn, "2025-03-05T12:00", "2031-03-05T12:00", 1), "0000001", "0000009", 1)
	app := writeLog(t, files, "application_json.log", future, adminSignIn, laterLine)
	var got []string
	e := joinEngine(t, rule, nil, "", nil, &got)
	e.Process(app[0])
	if len(got) != 1 || !strings.Contains(got[0], "2031-03-05") {
		t.Fatalf("future-dated sign-in: alerts %q, want its alert at once", got)
	}
	e.Process(app[1])
	e.Process(app[2]) // closes the window of app[1]
	if len(got) != 2 || !strings.Contains(got[1], "2025-03-05T12:00:00Z") {
		t.Errorf("alerts %q, want the 2025 sign-in's when its window closed", got)
	}
}
