package detect

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// awkward are strings whose JSON needs escaping or repair: quotes,
// control characters, HTML characters (escaped only by encoding/json),
// U+2028, non-ASCII and invalid UTF-8.
var awkward = []string{"", `plain`, `"quoted" \ back`, "tab\tnl\ncr\r\x01\x1f", "<a href='x'>&amp;</a>", "line\u2028sep", "María García 日本", "bad\xff\xfeutf8"}

// TestSnapshotEncoding holds the append encoders to encoding/json: the
// engine's and sentinel.impersonation's snapshots decode to the same
// value as json.Marshal of the same state, and the rule restores from
// its own snapshot the state it saved.
// lookBackOn turns sentinel.impersonation's look-back on (it is off by
// default), so that its snapshot holds the look-back.
var lookBackOn = map[string]string{"max_lookback": "200000"}

func TestSnapshotEncoding(t *testing.T) {
	t0 := time.Date(2024, 6, 10, 9, 0, 0, 123456789, time.UTC)
	es := engineState{
		Watermark: t0,
		Positions: map[string]position{"/var/log/gitlab/gitlab-rails/audit_json.log": {FileID: "2049:131", Offset: 1 << 40}, awkward[3]: {}, "detect": {FileID: "line1:0a1b", Offset: 99, Check: &FileCheck{Line: 120, Sum: "9f86d081884c7d659a2feaa0c55ad015"}}},
		Events:    []recentItem{{K: keyOf("a"), T: t0.UnixNano()}, {K: recentKey{0xff}, T: -1}},
		Alerts:    []recentItem{},
		Suppress:  []suppItem{{K: "falco.admin_impersonation\x00TargetID\x0041", Until: t0.Add(time.Hour)}, {K: awkward[7], Until: time.Time{}}, {K: "sentinel.ti_malicious_ip\x00IPAddress\x00198.51.100.7", From: t0.Add(-time.Hour), Until: t0.Add(time.Hour)}},
		Held: []heldItem{
			{Rules: []string{"sentinel.bruteforce"}, Event: lineEvent(t, parser.TypeApplication, "application.log", `{"severity":"INFO","time":"2024-06-10T09:00:00.123Z","message":"Failed Login: username=bob ip=198.51.100.7"}`)},
			{Rules: []string{"sentinel.bruteforce", "sentinel.impersonation"}, Event: lineEvent(t, parser.TypeApplication, "application.log", "2024-06-10T09:00:00.123Z: Failed Login: username=bob ip=198.51.100.7"),
				Copy: "6c62272e07bb014262b821756295c58d"}, // a text event waiting for its JSON copy
		},
		LogNewest: map[string]time.Time{"audit": t0, "application": t0.Add(-time.Hour)}, // detect's (Config.LogWatermarks)
	}
	same(t, "engine", es, appendEngineState(nil, &es))
	es.Positions, es.Events, es.Alerts, es.Suppress, es.Held, es.LogNewest = map[string]position{}, nil, nil, nil, nil, nil
	same(t, "engine empty", es, appendEngineState(nil, &es))

	r, err := impersonationSpec().New(NewParams("sentinel.impersonation", lookBackOn, nil), &Env{})
	if err != nil {
		t.Fatal(err)
	}
	imp := r.(*impersonation)
	same(t, "impersonation empty", reflectImpState(imp), imp.appendState(nil))
	imp.wm = t0
	for i, s := range awkward {
		*imp.sessions.touch(sessKey{ByName: i%2 == 0, V: s}) = []impSession{
			{Start: t0.UnixNano(), Stop: int64(i), Admin: s, AdminID: "1", AdminUser: s, User: s},
			{Start: int64(i)},
		}
		imp.pending.push(pendingEvent{Class: impClass(i % 4), Seq: uint64(i), Ev: &Event{
			Type: parser.TypeApplication, Time: t0.Add(time.Duration(i) * time.Millisecond), Raw: s, Source: s,
			Origin: OriginInput, FileID: s, Offset: int64(i), Host: s,
			Columns: []Column{{s, s}, {parser.ColAuthorID, "7"}}}})
	}
	for i, s := range awkward {
		imp.lb.add(lookBackLine{T: int64(i), K: [2]uint64{keyHash(sessKey{V: s}), uint64(i)}, Raw: s, Type: parser.TypeAudit,
			Source: s, Origin: OriginFile, FileID: s[:i%2*len(s)], Offset: int64(i), Host: s[:(i+1)%2*len(s)]})
		imp.lbPos[s] = position{FileID: s, Offset: int64(i)}
	}
	imp.lb.take(keyHash(sessKey{V: awkward[0]}), 0, 1, func(*lookBackLine) bool { return true }) // a line taken is not saved
	*imp.sessions.touch(sessKey{V: "nil"}) = nil
	imp.pending.push(pendingEvent{Ev: &Event{Time: t0}})            // no Columns
	imp.pending = append(imp.pending, pendingEvent{Class: impStop}) // no event (Restore skips it)
	snap := imp.appendState(nil)
	same(t, "impersonation", reflectImpState(imp), snap)

	r2, _ := impersonationSpec().New(NewParams("sentinel.impersonation", lookBackOn, nil), &Env{})
	if err := r2.(Stateful).Restore(snap); err != nil {
		t.Fatalf("Restore of the snapshot: %v", err)
	}
	var before, after impersonationState
	if err := json.Unmarshal(snap, &before); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(r2.(*impersonation).appendState(nil), &after); err != nil {
		t.Fatal(err)
	}
	if !after.Watermark.Equal(before.Watermark) || !reflect.DeepEqual(after.Sessions, before.Sessions) {
		t.Errorf("restored watermark and sessions differ:\n got %v %+v\nwant %v %+v", after.Watermark, after.Sessions, before.Watermark, before.Sessions)
	}
	if !reflect.DeepEqual(after.LookBack, before.LookBack) || !reflect.DeepEqual(after.LookBackPos, before.LookBackPos) || len(after.LookBack) != len(awkward)-1 {
		t.Errorf("restored look-back differs:\n got %+v %v\nwant %d lines: %+v %v", after.LookBack, after.LookBackPos, len(awkward)-1, before.LookBack, before.LookBackPos)
	}
	if want := len(before.Pending) - 1; len(after.Pending) != want { // the one without an event is dropped
		t.Errorf("%d held events restored, want %d", len(after.Pending), want)
	}
}

// reflectImpState is the state as the rule's Snapshot built it with
// encoding/json.
func reflectImpState(r *impersonation) impersonationState {
	st := impersonationState{Watermark: r.wm, Sessions: []impSessionsItem{}, Pending: r.pending}
	r.sessions.each(func(k sessKey, ss *[]impSession) bool {
		st.Sessions = append(st.Sessions, impSessionsItem{Key: k.String(), Sessions: *ss})
		return true
	})
	r.lb.each(func(l *lookBackLine) { st.LookBack = append(st.LookBack, *l) })
	if len(r.lbPos) > 0 {
		st.LookBackPos = r.lbPos
	}
	return st
}

// same checks that got is valid JSON and decodes to what json.Marshal of
// v decodes to.
func same(t *testing.T, name string, v any, got []byte) {
	t.Helper()
	want, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(got) {
		t.Fatalf("%s: not valid JSON: %s", name, got)
	}
	var a, b any
	if err := json.Unmarshal(got, &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(want, &b); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Errorf("%s: append encoding differs from encoding/json\n got %s\nwant %s", name, got, want)
	}
}
