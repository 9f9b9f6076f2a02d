package detect

import (
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"
	"unsafe"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// TestImpWatchHas checks the watch's set from one user to many (its
// table from the smallest, 8 slots, to one where keys collide and are
// found past their first slot): every user watched is found, by id and by
// name apart, with what it wants, none other is, and a user whose
// sessions are gone (update with nil) is forgotten.
func TestImpWatchHas(t *testing.T) {
	if n := unsafe.Sizeof(watchSet{}); n != 64 {
		t.Errorf("watchSet is %d bytes, want 64 (one cache line)", n)
	}
	for _, n := range []int{1, 2, 3, 5, 300} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			var w impWatch
			for i := range n {
				w.update(sessKey{V: strconv.Itoa(10000 + 7*i)}, &userWatch{ivs: []span{{int64(i), int64(i) + 1}}}, false, 0)
				w.announce(sessKey{ByName: true, V: "user" + strconv.Itoa(i)}, int64(i))
			}
			ws := w.keys.Load()
			if n == 300 {
				moved := 0
				for i, x := range ws.tab.slots {
					if x.tag != 0 && ws.tab.ents[x.ent].h&ws.tab.mask != uint64(i) {
						moved++
					}
				}
				if moved == 0 {
					t.Errorf("no key of %d in %d slots is past its first slot: probing is not tested", 2*n, len(ws.tab.slots))
				}
			}
			for i := range 10 * n {
				id, name := sessKey{V: strconv.Itoa(10000 + i)}, sessKey{ByName: true, V: "user" + strconv.Itoa(i)}
				if got, want := w.has(id), i%7 == 0 && i/7 < n; got != want {
					t.Errorf("has(%v) = %v, want %v", id, got, want)
				} else if got {
					if u := ws.get(id); u.any || !u.wants(int64(i/7)) || u.wants(int64(i/7)+1) {
						t.Errorf("get(%v) = %+v, want the interval [%d, %d)", id, u, i/7, i/7+1)
					}
				}
				if got, want := w.has(name), i < n; got != want {
					t.Errorf("has(%v) = %v, want %v", name, got, want)
				} else if got && !ws.get(name).any {
					t.Errorf("get(%v) = %+v: announced, want any", name, ws.get(name))
				}
				if w.has(sessKey{ByName: !id.ByName, V: id.V}) {
					t.Errorf("has(%q by name) = true: only its id is watched", id.V)
				}
			}
			for i := range n / 2 {
				w.update(sessKey{V: strconv.Itoa(10000 + 7*i)}, nil, false, 0)
			}
			for i := range n {
				if got, want := w.has(sessKey{V: strconv.Itoa(10000 + 7*i)}), i >= n/2; got != want {
					t.Errorf("after forgetting the first %d: has(id of %d) = %v, want %v", n/2, i, got, want)
				}
			}
		})
	}
}

// Lines of TestImpersonationWatchSessions: the legacy start and stop of
// user 3's impersonation, and password sign-ins (which
// sentinel.local_auth_no_mfa wants too) of user %d at a time.
const (
	watchStart  = `{"severity":"INFO","time":"2021-12-06T%s.000Z","author_id":1,"entity_id":1,"entity_type":"User","custom_message":"Started Impersonation","target_id":3,"target_type":"User","target_details":"jdoe","author_name":"Administrator","entity_path":"root"}`
	watchStop   = `{"severity":"INFO","time":"2021-12-06T%s.000Z","author_id":1,"entity_id":1,"entity_type":"User","custom_message":"Stopped Impersonation","target_id":3,"target_type":"User","target_details":"jdoe","author_name":"Administrator","entity_path":"root"}`
	watchSignin = `{"severity":"INFO","time":"2021-12-06T%s.000Z","author_id":%d,"author_name":"jdoe","entity_id":3,"entity_type":"User","with":"standard","target_id":3,"target_type":"User","target_details":"jdoe","ip_address":"81.2.69.142"}`
)

// TestImpersonationWatchSessions checks what the watch wants of an
// impersonated user's lines as the session goes: every line from the
// start until its stop is folded; then only the lines inside the closed
// session (an action read late is wanted, and alerts), not those after
// the stop or before the start; a new start of the user (a reopen)
// changes WantEpoch and names the user in WantHints, and a line of the
// new session asked before that start went through Want reaches the rule
// by Process's recheck and alerts.
func TestImpersonationWatchSessions(t *testing.T) {
	var got []string // the times of the impersonation alerts
	e, err := New(Config{Only: []string{"sentinel.impersonation", "sentinel.local_auth_no_mfa"}, WantFirst: true,
		Emit: func(a *Alert) {
			if a.Info.ID == "sentinel.impersonation" {
				got = append(got, a.Time.UTC().Format("15:04:05"))
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	imp := ruleBits(1) << e.indexOf(t, "sentinel.impersonation")
	w := e.NewWanter()
	p := parser.New(parser.TypeAudit)
	event := func(tmpl, at string, args ...any) *Event {
		line := fmt.Sprintf(tmpl, append([]any{at}, args...)...)
		var rec parser.Record
		if err := p.Parse([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		ev := NewEvent(&rec, []byte(line), "audit_json.log", OriginFile)
		ev.Rules = w.WantRules(parser.TypeAudit, &rec)
		return ev
	}
	wanted := func(ev *Event) bool { return ev.Rules.bits&imp != 0 }
	at := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, "2021-12-06T"+s+"Z")
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}

	start := event(watchStart, "14:40:00")
	if !wanted(start) {
		t.Fatal("the start was not wanted")
	}
	e.Process(start)
	if ev := event(watchSignin, "14:30:00", 3); !wanted(ev) {
		t.Error("a line of user 3 before the start was not wanted while the start was not folded")
	}
	mid := event(watchSignin, "14:45:00", 3)
	if !wanted(mid) {
		t.Error("a line of user 3 inside the open session was not wanted")
	}
	e.Process(mid)
	stop := event(watchStop, "14:50:00")
	e.Process(stop)
	e.Advance(at("14:55:00")) // folds the start and the stop: the session is closed
	for _, c := range []struct {
		at   string
		user int
		want bool
	}{
		{"14:39:59", 3, false}, // before the start
		{"14:40:00", 3, true},  // at the start
		{"14:47:00", 3, true},  // inside, read late
		{"14:50:00", 3, false}, // at the stop
		{"15:00:00", 3, false}, // after the stop
		{"14:47:00", 4, false}, // another user
	} {
		if got := wanted(event(watchSignin, c.at, c.user)); got != c.want {
			t.Errorf("closed session: line of user %d at %s wanted %v, want %v", c.user, c.at, got, c.want)
		}
	}
	late := event(watchSignin, "14:47:00", 3)
	e.Process(late)

	since := e.WantEpoch()
	inNew := event(watchSignin, "16:05:00", 3)
	if wanted(inNew) || inNew.Rules.recheck&imp == 0 {
		t.Errorf("line of the next session asked before its start: wanted %v, declined %v; want false, true",
			wanted(inNew), inNew.Rules.recheck&imp != 0)
	}
	restart := event(watchStart, "16:00:00")
	if e.WantEpoch() == since {
		t.Error("WantEpoch did not change when a start reopened user 3's watch")
	}
	if hints, exact := e.WantHints(since, nil); !exact || !slices.Equal(hints, []string{"3"}) {
		t.Errorf("WantHints after the reopen = %q, %v; want [3], true", hints, exact)
	}
	e.Process(restart)
	e.Process(inNew) // asked again: the epoch changed
	e.Advance(at("16:10:00"))
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if want := []string{"14:45:00", "14:47:00", "16:05:00"}; !slices.Equal(got, want) {
		t.Errorf("impersonation alerts at %v, want %v", got, want)
	}
}

// TestRecheckLineAgrees checks sentinel.impersonation's recheckLine (the
// recheck of Process, which looks at the users widened since) against
// WantLine: through a run of changes to the watch (starts announced and
// folded, sessions closed, reopened, users added and forgotten, more
// widenings than added remembers), every line WantLine dropped at some
// epoch gets from recheckLine, at every later point, WantLine's answer
// then. Each line is tried as an Event without hint sums and as one a
// Wanter stamped with them (Wanter.Stamp), which recheckLine compares
// before it reads the line (the default rules, as the agent runs them:
// the Wanter computes sums where impersonation is their sole WantFilter).
func TestRecheckLineAgrees(t *testing.T) {
	e, err := New(Config{WantFirst: true})
	if err != nil {
		t.Fatal(err)
	}
	r := e.byID["sentinel.impersonation"].rule.(*impersonation)
	wr := e.NewWanter()
	t0 := time.Date(2021, 12, 6, 14, 0, 0, 0, time.UTC)
	ns := func(d time.Duration) int64 { return t0.Add(d).UnixNano() }
	p := parser.New(parser.TypeAudit)
	var lines []*Event
	for _, id := range []string{"3", "4", "5", "9"} {
		for _, name := range []string{"", "jdoe"} {
			for _, d := range []time.Duration{-time.Minute, 5 * time.Minute, 30 * time.Minute, 65 * time.Minute, 3 * time.Hour} {
				meta := ""
				if name != "" {
					meta = fmt.Sprintf(`"meta.user":%q,`, name)
				}
				line := fmt.Sprintf(`{"severity":"INFO","time":%q,%s"author_id":%s,"entity_id":7,"entity_type":"Project","add":"user_access","as":"Maintainer","target_id":9,"target_type":"User","target_details":"eve","author_name":"X"}`,
					t0.Add(d).Format(time.RFC3339Nano), meta, id)
				var rec parser.Record
				if err := p.Parse([]byte(line), &rec); err != nil {
					t.Fatal(err)
				}
				lines = append(lines, NewEvent(&rec, []byte(line), "audit_json.log", OriginFile))
				set := wr.WantRules(parser.TypeAudit, &rec) // no user watched yet: declined
				stamped := NewEvent(&rec, []byte(line), "audit_json.log", OriginFile)
				stamped.Rules = set
				wr.Stamp(stamped)
				if stamped.hintID == 0 || (name != "") != (stamped.hintName != 0) {
					t.Fatalf("%s: stamped with sums %#x and %#x", line, stamped.hintID, stamped.hintName)
				}
				lines = append(lines, stamped)
			}
		}
	}
	id3, id4, id5, jdoe := sessKey{V: "3"}, sessKey{V: "4"}, sessKey{V: "5"}, sessKey{ByName: true, V: "jdoe"}
	closed := func(ivs ...span) *userWatch { return &userWatch{ivs: ivs} }
	ops := []func(){
		func() { r.watch.announce(id3, ns(0)) },
		func() {
			r.watch.update(id3, &userWatch{any: true, ivs: []span{{ns(0), ns(24 * time.Hour)}}}, true, ns(0))
		},
		func() { r.watch.update(id3, closed(span{ns(0), ns(10 * time.Minute)}), false, 0) },
		func() { r.watch.announce(jdoe, ns(20*time.Minute)) },
		func() {
			r.watch.update(jdoe, closed(span{ns(20 * time.Minute), ns(40 * time.Minute)}), true, ns(20*time.Minute))
		},
		func() { r.watch.announce(id3, ns(time.Hour)) }, // a reopen
		func() {
			r.watch.update(id3, closed(span{ns(0), ns(10 * time.Minute)}, span{ns(time.Hour), ns(70 * time.Minute)}), true, ns(time.Hour))
		},
		func() { r.watch.update(id4, closed(span{ns(time.Hour), ns(2 * time.Hour)}), false, 0) },
		func() { r.watch.update(id3, nil, false, 0) },
		func() { // more widenings than added remembers
			for i := range len(r.watch.added) + 10 {
				r.watch.announce(sessKey{V: strconv.Itoa(1000 + i)}, ns(0))
			}
		},
		func() { r.watch.update(id5, closed(span{ns(0), ns(4 * time.Hour)}), false, 0) },
	}
	type point struct {
		since    uint64
		declined []*Event
	}
	var points []point
	compared, wantedNow := 0, 0
	for i := 0; i <= len(ops); i++ {
		for _, pt := range points {
			for _, ev := range pt.declined {
				want := r.WantLine(parser.TypeAudit, ev)
				if got := r.recheckLine(ev, pt.since); got != want {
					t.Errorf("after op %d: recheckLine(%s, since %d) = %v, WantLine = %v", i, ev.Raw, pt.since, got, want)
				}
				compared++
				if want {
					wantedNow++
				}
			}
		}
		pt := point{since: r.WantEpoch()}
		for _, ev := range lines {
			if !r.WantLine(parser.TypeAudit, ev) {
				pt.declined = append(pt.declined, ev)
			}
		}
		points = append(points, pt)
		if i < len(ops) {
			ops[i]()
		}
	}
	if compared == 0 || wantedNow == 0 || wantedNow == compared {
		t.Errorf("%d lines compared, %d of them wanted later: both answers were not tested", compared, wantedNow)
	}
}

// TestImpWatchConcurrentWant runs Want (WantLine, wantRecord) in parse
// workers while Process folds starts and stops of the same users and
// Advance sweeps, as the agent does, for the race detector: and checks
// that a line inside a session the rule folded stays wanted once the
// workers stop.
func TestImpWatchConcurrentWant(t *testing.T) {
	e, err := New(Config{Only: []string{"sentinel.impersonation"}, WantFirst: true})
	if err != nil {
		t.Fatal(err)
	}
	p := parser.New(parser.TypeAudit)
	parse := func(line string) *parser.Record {
		rec := new(parser.Record)
		if err := p.Parse([]byte(line), rec); err != nil {
			t.Fatal(err)
		}
		return rec
	}
	var actions []*parser.Record
	for m := range 60 {
		actions = append(actions, parse(fmt.Sprintf(watchSignin, fmt.Sprintf("%02d:%02d:30", 14+m/60, m%60), 3)))
	}
	stopWorkers := make(chan struct{})
	done := make(chan struct{})
	for range 2 {
		go func() {
			defer func() { done <- struct{}{} }()
			w := e.NewWanter()
			for {
				select {
				case <-stopWorkers:
					return
				default:
				}
				for _, rec := range actions {
					w.WantRules(parser.TypeAudit, rec)
					e.Want(parser.TypeAudit, rec)
				}
			}
		}()
	}
	w := e.NewWanter()
	for m := 0; m < 60; m += 10 {
		for _, line := range []string{
			fmt.Sprintf(watchStart, fmt.Sprintf("14:%02d:00", m)),
			fmt.Sprintf(watchStop, fmt.Sprintf("14:%02d:00", m+5)),
		} {
			rec := parse(line)
			ev := NewEvent(rec, []byte(line), "audit_json.log", OriginFile)
			ev.Rules = w.WantRules(parser.TypeAudit, rec)
			e.Process(ev)
			e.Advance(rec.Time.Add(time.Minute))
		}
	}
	close(stopWorkers)
	<-done
	<-done
	for m, rec := range actions {
		if got, want := e.Want(parser.TypeAudit, rec), m%10 < 5; got != want {
			t.Errorf("line of user 3 at 14:%02d:30 wanted %v, want %v (sessions 14:m0 to 14:m5)", m, got, want)
		}
	}
}

// TestImpWatchOwnsKeys checks that the watch keeps no key that aliases a
// line: the keys it is given (a start's TargetID, read from the line) are
// changed after each call, as a reused buffer is, and the user stays
// announced, held and watched under its own name only.
func TestImpWatchOwnsKeys(t *testing.T) {
	var w impWatch
	buf := []byte("1024")
	k := sessKey{V: unsafe.String(&buf[0], len(buf))}
	wantAnn, wantHeld := []int{1, 2, 1, 1}, []int{0, 0, 1, 2}
	for i, op := range []func(){
		func() { w.announce(k, 1) },
		func() { w.announce(k, 2) }, // stored again: the map's key is replaced
		func() { w.update(k, &userWatch{ivs: []span{{1, 5}}}, true, 1) },
		func() { w.update(k, &userWatch{ivs: []span{{1, 5}, {6, 9}}}, false, 0) },
	} {
		copy(buf, "1024")
		op()
		copy(buf, "9999") // the line's buffer reused
		w.mu.Lock()
		anns, held := len(w.ann[sessKey{V: "1024"}]), len(w.held[sessKey{V: "1024"}].ivs)
		w.mu.Unlock()
		if anns != wantAnn[i] || held != wantHeld[i] {
			t.Errorf("after op %d: 1024 has %d starts announced and %d sessions held, want %d and %d", i, anns, held, wantAnn[i], wantHeld[i])
		}
		if !w.has(sessKey{V: "1024"}) || w.has(sessKey{V: "9999"}) {
			t.Errorf("after op %d: has(1024) = %v, has(9999) = %v; want true, false", i, w.has(sessKey{V: "1024"}), w.has(sessKey{V: "9999"}))
		}
	}
	if u := w.keys.Load().get(sessKey{V: "1024"}); !u.any || !u.wants(7) {
		t.Errorf("1024 wants %+v: want any (start 2 still announced)", u)
	}
}

// TestWantRecordHotUsers checks wantRecord on lines after every session
// of the users not watched for every line (impWatch.spanEnd), which it
// looks up among the users watched for every line (impWatch.hot) alone:
// a user whose session closed, reopened, closed again, against WantLine.
func TestWantRecordHotUsers(t *testing.T) {
	e, err := New(Config{WantFirst: true})
	if err != nil {
		t.Fatal(err)
	}
	r := e.byID["sentinel.impersonation"].rule.(*impersonation)
	t0 := time.Date(2021, 12, 6, 14, 0, 0, 0, time.UTC)
	ns := func(d time.Duration) int64 { return t0.Add(d).UnixNano() }
	p := parser.New(parser.TypeAudit)
	ask := func(id string, d time.Duration, want bool) {
		t.Helper()
		line := fmt.Sprintf(`{"severity":"INFO","time":%q,"author_id":%s,"entity_id":7,"entity_type":"Project","add":"user_access","as":"Maintainer","target_id":9,"target_type":"User","target_details":"eve","author_name":"X"}`,
			t0.Add(d).Format(time.RFC3339Nano), id)
		var rec parser.Record
		if err := p.Parse([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		ids, _ := rec.ColIDs()
		got, ok, _ := r.wantRecord(parser.TypeAudit, &rec, ids, nil)
		if !ok || got != want {
			t.Errorf("user %s at +%v: wantRecord = %v, %v; want %v", id, d, got, ok, want)
		}
		if wl := r.WantLine(parser.TypeAudit, NewEvent(&rec, []byte(line), "audit_json.log", OriginFile)); wl != want {
			t.Errorf("user %s at +%v: WantLine = %v; want %v", id, d, wl, want)
		}
	}
	id3 := sessKey{V: "3"}
	closed := func(ivs ...span) *userWatch { return &userWatch{ivs: ivs} }
	r.watch.update(id3, closed(span{ns(0), ns(10 * time.Minute)}), false, 0)
	ask("3", 5*time.Minute, true)
	ask("3", 20*time.Minute, false)
	ask("4", 5*time.Minute, false)
	r.watch.announce(id3, ns(30*time.Minute)) // a reopen: every line
	ask("3", 20*time.Minute, true)
	ask("3", 40*time.Minute, true)
	ask("4", 40*time.Minute, false)
	r.watch.update(id3, closed(span{ns(0), ns(10 * time.Minute)}, span{ns(30 * time.Minute), ns(50 * time.Minute)}), true, ns(30*time.Minute))
	ask("3", 5*time.Minute, true)
	ask("3", 20*time.Minute, false)
	ask("3", 45*time.Minute, true)
	ask("3", 55*time.Minute, false)
	r.watch.update(id3, nil, false, 0)
	ask("3", 45*time.Minute, false)
	if hot := r.watch.hot.Load(); hot.len() != 0 {
		t.Errorf("%d users left in hot", hot.len())
	}
}
