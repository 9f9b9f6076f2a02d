package detect

import (
	"fmt"
	"math"
	"math/rand"
	"slices"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// TestMinWatermark: with MinWatermark (the agent) the watermark follows
// the source read behind, so the failed logins of a file read after
// another file three hours ahead are still counted; a source held at
// start (Hold) keeps the watermark until its first event, and one idle
// for Lateness of wall-clock time no longer holds it.
func TestMinWatermark(t *testing.T) {
	ahead := failedLogin("bob", "203.0.113.9", tAt("3h"))
	ahead.Source = "audit_json.log"
	alice := func(i int) *Event { return failedLogin("alice", "81.2.69.142", tAt(fmt.Sprintf("%dm", i))) }
	tests := []struct {
		name      string
		min       bool
		hold      []string
		first     []*Event // processed before the source ahead
		idle      time.Duration
		wantAlert bool
	}{
		{name: "both held, the source ahead read first", min: true, hold: []string{"audit_json.log", "application_json.log"}, wantAlert: true},
		{name: "the source behind gave an event first", min: true, first: []*Event{alice(0)}, wantAlert: true},
		{name: "held source idle for longer than lateness", min: true, hold: []string{"audit_json.log", "application_json.log"}, idle: 3 * time.Minute},
		{name: "highest source (detect: inputs merged in time order)", hold: []string{"audit_json.log", "application_json.log"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
			var alerts []*Alert
			e, err := New(Config{Only: []string{"sentinel.bruteforce"}, MinWatermark: tt.min,
				Now: func() time.Time { return now }, Emit: func(a *Alert) { alerts = append(alerts, a) }})
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range tt.hold {
				e.Hold(h)
			}
			for _, ev := range tt.first {
				e.Process(ev)
			}
			now = now.Add(tt.idle)
			e.Process(ahead)
			if tt.idle > 0 && e.Watermark().IsZero() {
				t.Fatal("a source held but idle for longer than lateness still holds the watermark")
			}
			for i := len(tt.first); i < 12; i++ {
				e.Process(alice(i))
			}
			got := 0
			for _, a := range alerts {
				if a.Get("Username") == "alice" {
					got++
				}
			}
			if want := map[bool]int{true: 1, false: 0}[tt.wantAlert]; got != want {
				t.Errorf("%d alerts for alice's 12 failed logins, want %d (watermark %v, late dropped %d)",
					got, want, e.Watermark(), e.Stats().Rules["sentinel.bruteforce"].LateDrop)
			}
		})
	}
}

// TestFutureStateDiscarded: a state saved with a watermark far after the
// clock (by a version that let a far-future event move it, or on a host
// whose clock was wrong) is not restored: kept, it made every later event
// late and sentinel.bruteforce silent for good.
func TestFutureStateDiscarded(t *testing.T) {
	dir := t.TempDir()
	run := func(now time.Time, evs ...*Event) int {
		t.Helper()
		n := 0
		e, err := New(Config{Only: []string{"sentinel.bruteforce"}, StateDir: dir,
			Now: func() time.Time { return now }, Emit: func(*Alert) { n++ }})
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range evs {
			e.Process(ev)
		}
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// Saved when the clock said 2100: 2099 was not in the future then.
	run(time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC), failedLogin("alice", "81.2.69.142", time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)))
	var evs []*Event
	for i := range 12 {
		evs = append(evs, failedLogin("alice", "81.2.69.142", tAt(fmt.Sprintf("%dm", i))))
	}
	if n := run(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), evs...); n != 1 {
		t.Errorf("%d alerts for 12 failed logins after restoring a state from 2099, want 1", n)
	}
}

// TestMinWatermarkCacheAgrees runs random event sequences (several
// sources, events out of order, without time, far in the future or past
// (some beyond the years int64 Unix ns hold, see nanos), held
// sources, idle gaps and a wall clock that jumps and sometimes goes back)
// through an engine with MinWatermark and checks after every event that
// the answer of sourcesNewest, which scans the sources only when it may
// have changed, is the one a scan of every source gives (the definition),
// and that the watermark is the one that answer gives. A second engine
// gets the same events through ProcessBatch, a batch ending whenever the
// clock moves: its watermark and alerts must be the first one's.
func TestMinWatermarkCacheAgrees(t *testing.T) {
	const late = 2 * time.Minute
	names := []string{"audit_json.log", "application_json.log", "auth.log", "production_json.log"}
	totalAlerts, progress := 0, 0
	for seed := int64(1); seed <= 40; seed++ {
		rng := rand.New(rand.NewSource(seed))
		now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
		var alerts, batchAlerts []string
		engine := func(out *[]string) *Engine {
			e, err := New(Config{Only: []string{"sentinel.bruteforce"}, MinWatermark: true, Lateness: late,
				Now: func() time.Time { return now }, Emit: func(a *Alert) { *out = append(*out, a.ID) }})
			if err != nil {
				t.Fatal(err)
			}
			return e
		}
		e, eb := engine(&alerts), engine(&batchAlerts)
		var batch []*Event
		flush := func(step int) {
			eb.ProcessBatch(batch)
			batch = batch[:0]
			if got, want := eb.Watermark(), e.Watermark(); got != want {
				t.Fatalf("seed %d step %d: watermark %v after ProcessBatch, %v after Process", seed, step, got, want)
			}
			if !slices.Equal(batchAlerts, alerts) {
				t.Fatalf("seed %d step %d: alerts %v after ProcessBatch, %v after Process", seed, step, batchAlerts, alerts)
			}
		}
		evTime := map[string]time.Time{}
		var wm time.Time // the reference watermark
		hits := 0
		for step := 0; step < 3000; step++ {
			var move time.Duration
			switch r := rng.Intn(100); {
			case r < 70:
				move = time.Duration(rng.Intn(2000)) * time.Millisecond
			case r < 80:
				move = late + time.Duration(rng.Intn(4000)-2000)*time.Millisecond
			case r < 83:
				move = -time.Duration(rng.Intn(90)) * time.Second
			}
			if move != 0 {
				flush(step) // the batch so far was given at the clock before the move
				now = now.Add(move)
			}
			src := names[rng.Intn(1+rng.Intn(len(names)))]
			switch r := rng.Intn(200); {
			case r < 3:
				flush(step)
				e.Hold(src)
				eb.Hold(src)
				continue
			case r < 5:
				flush(step)
				at := now.Add(-time.Duration(rng.Intn(600)) * time.Second)
				e.Advance(at)
				eb.Advance(at)
				if at.After(wm) && at.Year() >= 1971 {
					wm = at
				}
				continue
			}
			when := evTime[src]
			if when.IsZero() {
				when = now.Add(-time.Duration(rng.Intn(4)) * time.Hour)
				if src == "auth.log" && seed%4 == 0 { // a source in another century, or near 1970
					when = farStarts[int(seed/4)%len(farStarts)]
				}
			}
			switch r := rng.Intn(100); {
			case r < 1: // one event far from the others, with or without exact Unix ns
				when = time.Date(1100+rng.Intn(1300), 1, 1, 0, 0, 0, rng.Intn(1e9), time.UTC)
			case r < 75:
				when = when.Add(time.Duration(rng.Intn(3000)) * time.Millisecond)
				evTime[src] = when
			case r < 90:
				when = when.Add(-time.Duration(rng.Intn(300)) * time.Second) // out of order
			case r < 95:
				when = time.Time{}
			case r < 97:
				when = now.Add(25 * time.Hour) // beyond MaxFuture
			default:
				when = when.In(time.FixedZone("X", 3600)) // same instants, another zone
			}
			scans := e.low.scans
			if rng.Intn(10) == 0 && !when.IsZero() { // lines no rule wants (see Progress)
				flush(step)
				e.Progress(src, "", 0, when)
				eb.Progress(src, "", 0, when)
				progress++
			} else {
				user := []string{"alice", "bob"}[rng.Intn(2)]
				ev := failedLogin(user, "203.0.113.9", when)
				ev.Source = src
				evb := failedLogin(user, "203.0.113.9", when)
				evb.Source = src
				batch = append(batch, evb)
				e.Process(ev)
			}
			if e.low.scans == scans {
				hits++
			}
			want := refSourcesNewest(e, now.UnixNano(), late)
			if got := e.low.low; got != want {
				t.Fatalf("seed %d step %d: sourcesNewest %v, a scan of every source %v", seed, step, got, want)
			}
			if x := want.Add(-late); x.After(wm) && x.Year() >= 1971 {
				wm = x
			}
			if got := e.Watermark(); got != wm {
				t.Fatalf("seed %d step %d: watermark %v, want %v", seed, step, got, wm)
			}
		}
		flush(3000)
		totalAlerts += len(alerts)
		if hits < 1000 {
			t.Errorf("seed %d: %d of 3000 steps answered without a scan: the sequence does not test the cache", seed, hits)
		}
	}
	if totalAlerts < 40 {
		t.Errorf("%d alerts in 40 sequences: they do not test ProcessBatch's alerts", totalAlerts)
	}
	if progress < 4000 {
		t.Errorf("%d Progress calls in 40 sequences: they do not test it", progress)
	}
}

// farStarts are the first event times of a source far from the others in
// TestMinWatermarkCacheAgrees: outside the years whose Unix ns an int64
// holds (see nanos), at its edges, and around 1970.
var farStarts = []time.Time{
	time.Date(1300, 5, 1, 0, 0, 0, 0, time.UTC),
	time.Date(1677, 9, 21, 0, 0, 0, 0, time.UTC),
	time.Date(1969, 12, 31, 23, 59, 0, 0, time.UTC),
	time.Date(1970, 1, 1, 0, 1, 0, 5, time.FixedZone("X", -3600)),
	time.Date(1971, 12, 31, 23, 59, 59, 0, time.UTC),
	time.Date(2261, 1, 1, 0, 0, 0, 0, time.UTC),
	time.Date(2263, 1, 1, 0, 0, 0, 0, time.UTC),
	time.Date(2400, 1, 1, 0, 0, 0, 0, time.UTC),
	time.Date(2029, 12, 31, 23, 0, 0, 0, time.UTC),
	time.Date(1500, 1, 1, 0, 0, 0, 0, time.UTC),
}

// refSourcesNewest is sourcesNewest's answer by definition: a scan of
// every source at wall clock now (Unix ns).
func refSourcesNewest(e *Engine, now int64, late time.Duration) time.Time {
	var low time.Time
	for _, s := range e.srcList {
		if now-s.seen > int64(late) {
			continue
		}
		if s.newest.IsZero() {
			return time.Time{}
		}
		if low.IsZero() || s.newest.Before(low) {
			low = s.newest
		}
	}
	return low
}

// advanceRule records the watermarks the engine advances it to.
type advanceRule struct{ got *[]time.Time }

func (r *advanceRule) Info() Info {
	return Info{ID: "test.advance", Name: "advance", Kind: KindWindow, Severity: SeverityLow}
}
func (r *advanceRule) Wants() []Key                 { return []Key{EventName("login")} }
func (r *advanceRule) Observe(*Event, Clock, Emit)  {}
func (r *advanceRule) Advance(wm time.Time, _ Emit) { *r.got = append(*r.got, wm) }
func (r *advanceRule) Close(Emit)                   {}

// TestAdvanceEverySecond: the rules are advanced, to the watermark
// itself, exactly when the watermark passes into a new second, whether an
// event (in order, out of order, late, from a source behind, with a time
// near 1970 or outside the years int64 ns hold) or Engine.Advance moved
// it, and otherwise only (with MinWatermark, the agent's) once, to it
// again, when Lateness of wall-clock time passed since an event behind
// the watermark without such an advance (recheckLate): a window must
// close as soon as the watermark passes its end, not a second later or
// never. The reference is the definition: after each call, the
// watermark's Unix second against the last one the rules were advanced
// to, and the wall clock against the first late event since.
func TestAdvanceEverySecond(t *testing.T) {
	total, rechecks := 0, 0
	for seed := int64(1); seed <= 30; seed++ {
		for _, minWM := range []bool{false, true} {
			rng := rand.New(rand.NewSource(seed))
			var got []time.Time
			spec := Spec{Info: (&advanceRule{}).Info(), Default: true,
				New: func(*Params, *Env) (Rule, error) { return &advanceRule{got: &got}, nil }}
			now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
			e, err := New(Config{Specs: []Spec{spec}, MinWatermark: minWM, Lateness: 2 * time.Minute,
				Now: func() time.Time { return now }})
			if err != nil {
				t.Fatal(err)
			}
			srcs := []string{"a", "b"}
			evTime := map[string]time.Time{"a": now.Add(-time.Hour), "b": now.Add(-time.Hour - time.Duration(rng.Intn(600))*time.Second)}
			if seed%5 == 0 {
				evTime["b"] = farStarts[int(seed/5)%len(farStarts)]
			}
			lastSec := int64(math.MinInt64)
			var lateAt time.Time // the wall clock at the first late event since the last advance
			for step := range 2000 {
				now = now.Add(time.Duration(rng.Intn(300)) * time.Millisecond)
				src := srcs[rng.Intn(2)]
				when := evTime[src]
				n := len(got)
				wmBefore, lateBefore := e.Watermark(), lateAt
				switch r := rng.Intn(100); {
				case r < 2:
					low := min(evTime["a"].UnixNano(), evTime["b"].UnixNano()) // as the idle agent would
					e.Advance(time.Unix(0, low).Add(-2*time.Minute + time.Duration(rng.Intn(5000)-1000)*time.Millisecond))
					when = time.Time{}
				case r < 80:
					when = when.Add(time.Duration(rng.Intn(1500)) * time.Millisecond)
					evTime[src] = when
				case r < 95:
					when = when.Add(-time.Duration(rng.Intn(400)) * time.Second)
				default:
					when = time.Date(1969+rng.Intn(3), 12, 31, 23, 59, rng.Intn(60), rng.Intn(1e9), time.UTC)
				}
				if !when.IsZero() {
					e.Process(&Event{Type: parser.TypeAudit, Time: when, Source: src,
						Columns: []Column{{parser.ColEventName, "login"}}})
				}
				wm := e.Watermark()
				if minWM && !when.IsZero() && !wmBefore.IsZero() && when.Before(wmBefore) && lateAt.IsZero() {
					lateAt = now
				}
				switch {
				case !wm.IsZero() && wm.Unix() > lastSec:
					if len(got) != n+1 || got[n] != wm {
						t.Fatalf("seed %d minWM %v step %d: watermark %v passed into a new second: advanced to %v, want once to it",
							seed, minWM, step, wm, got[n:])
					}
					lastSec, lateAt = wm.Unix(), time.Time{}
				case !lateBefore.IsZero() && !now.Before(lateBefore.Add(2*time.Minute)):
					if len(got) != n+1 || got[n] != wm {
						t.Fatalf("seed %d minWM %v step %d: Lateness after a late event: advanced to %v, want once to the watermark %v",
							seed, minWM, step, got[n:], wm)
					}
					lateAt = time.Time{}
					rechecks++
				case len(got) != n:
					t.Fatalf("seed %d minWM %v step %d: advanced to %v within the second of the last advance (watermark %v)",
						seed, minWM, step, got[n:], wm)
				}
			}
			total += len(got)
		}
	}
	if total < 10000 || rechecks < 10 {
		t.Errorf("%d advances in 60 sequences, %d of them after late events: they do not test them", total, rechecks)
	}
}

// TestRestoredWatermarkClosesWindows: a state saved after the watermark
// moved past some events' windows (the end of a run --once) is restored
// with those windows closed, so that events of a later run dated before
// them (old logs fed in two parts) are dropped as late and counted, as
// in the run that saved it, rather than folded into fresh windows.
func TestRestoredWatermarkClosesWindows(t *testing.T) {
	for _, c := range []struct {
		id string
		ev func(i int, when time.Time) *Event
	}{
		{"sentinel.bruteforce", func(_ int, when time.Time) *Event { return failedLogin("alice", "81.2.69.142", when) }},
		{"gitlab.password_spray", func(i int, when time.Time) *Event {
			return failedLogin(fmt.Sprintf("u%d", i), "81.2.69.142", when)
		}},
		{"gitlab.distributed_guessing", func(i int, when time.Time) *Event {
			return failedLogin("alice", fmt.Sprintf("81.2.69.%d", i), when)
		}},
		{"sentinel.repo_deletion", func(i int, when time.Time) *Event {
			return auditEv("a", when, parser.ColEventName, "project_destroyed", parser.ColEventID, fmt.Sprint(i))
		}},
	} {
		t.Run(c.id, func(t *testing.T) {
			dir := t.TempDir()
			var alerts []*Alert
			open := func() *Engine {
				e, err := New(Config{Only: []string{c.id}, StateDir: dir, Emit: func(a *Alert) { alerts = append(alerts, a) }})
				if err != nil {
					t.Fatal(err)
				}
				return e
			}
			e := open()
			e.Process(c.ev(0, tAt("0m")))
			e.Advance(tAt("10h")) // as run --once does at its end
			if err := e.Close(); err != nil {
				t.Fatal(err)
			}
			e = open()
			for i := 1; i <= 12; i++ {
				e.Process(c.ev(i, tAt(fmt.Sprintf("%dm", i))))
			}
			if len(alerts) != 0 {
				t.Errorf("%d alerts from events dated before the restored watermark, want 0 (their windows are closed)", len(alerts))
			}
			if got := e.Stats().Rules[c.id].LateDrop; got != 12 {
				t.Errorf("LateDrop = %d, want 12", got)
			}
		})
	}
}

// adminLogin is an application-log admin password sign-in of root
// without a second factor, of correlation id cid, at when, from src.
func adminLogin(cid string, when time.Time, src string) *Event {
	ev := appLogin("root", "198.51.100.4", when)
	ev.Source = src
	ev.Columns = append(ev.Columns, Column{parser.ColAuthenticationType, "standard"},
		Column{parser.ColAdmin, "true"}, Column{parser.ColCorrelationID, cid})
	return ev
}

// localAuthEngine returns an agent's engine (MinWatermark, Lateness 2m)
// running sentinel.local_auth_no_mfa alone at the wall clock now, whose
// alerts go to alerts, with the sources held (Hold).
func localAuthEngine(t *testing.T, now time.Time, alerts *[]*Alert, held ...string) *Engine {
	t.Helper()
	e, err := New(Config{Only: []string{"sentinel.local_auth_no_mfa"}, MinWatermark: true, Lateness: 2 * time.Minute,
		Now: func() time.Time { return now }, Emit: func(a *Alert) { *alerts = append(*alerts, a) }})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range held {
		e.Hold(s)
	}
	return e
}

// TestCaughtMovesWatermark: once every source is read to its end
// (Caught), the watermark follows the oldest newest time of those that
// gave an event, less Lateness, so a join's alert goes out then, not
// Lateness of wall-clock time later (advanceIdle). A source that gives no
// event (an access log no running rule reads) does not keep it back once
// read to its end, but does while it is read (Hold); a source read to its
// end whose newest event is older does.
func TestCaughtMovesWatermark(t *testing.T) {
	for _, tc := range []struct {
		name   string
		caught []string
		alerts int
		wm     time.Time // zero: not moved
	}{
		{"every source read to its end", []string{"a", "b", "access"}, 1, tAt("58m")},
		{"the access log still read", []string{"a", "b"}, 0, time.Time{}},
		{"the other node's newest event counts", []string{"a", "b", "access", "old"}, 0, tAt("-2m")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var alerts []*Alert
			e := localAuthEngine(t, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), &alerts, "a", "b", "access")
			if slices.Contains(tc.caught, "old") { // a node whose newest event is older
				e.Hold("old")
				e.Process(adminLogin("01OLD", tAt(""), "old"))
			}
			e.Process(adminLogin("01FIRST", tAt(""), "a"))
			e.Process(adminLogin("01SECOND", tAt("1h"), "a"))
			e.Process(adminLogin("01THIRD", tAt("90m"), "b"))
			if len(alerts) != 0 {
				t.Fatalf("%d alerts before the sources are read to their end, want 0", len(alerts))
			}
			e.Caught(tc.caught)
			if len(alerts) != tc.alerts {
				t.Errorf("%d alerts once %v are read to their end, want %d", len(alerts), tc.caught, tc.alerts)
			}
			if got := e.Watermark(); !got.Equal(tc.wm) && !(tc.wm.IsZero() && got.Before(tAt(""))) {
				t.Errorf("watermark %v, want %v", got, tc.wm)
			}
		})
	}
}

// TestProgressMovesWatermark: the lines of a batch no rule wants still
// move their source's newest time (Engine.Progress), so that a source
// whose last wanted line is old (an application log whose admin sign-in
// is followed by lines no rule takes; fresh-user trial 127) or that gives
// the rules no line at all (an access log held at start) does not hold the
// watermark, and a join's alert, for Lateness of wall-clock time. A time
// older than the source's newest, or beyond MaxFuture, does not move it; a
// source read to its end (Caught) is counted again by its progress.
func TestProgressMovesWatermark(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	type progress struct {
		src  string
		when time.Time
	}
	for _, tc := range []struct {
		name     string
		caught   []string // read to their end before the progress
		progress []progress
		alerts   int
		wm       time.Time // zero: not moved
	}{
		{"no progress: the sign-in's source holds the watermark", nil, nil, 0, time.Time{}},
		{"lines after the sign-in", nil, []progress{{"app", tAt("1h")}, {"access", tAt("2h")}}, 1, tAt("58m")},
		{"the access log gives no line to the rules", nil, []progress{{"app", tAt("1h")}}, 0, time.Time{}},
		{"progress older than the source's newest", nil, []progress{{"app", tAt("-1h")}, {"access", tAt("2h")}}, 0, time.Time{}},
		{"progress beyond MaxFuture", nil, []progress{{"app", now.Add(MaxFuture + time.Hour)}, {"access", tAt("2h")}}, 0, time.Time{}},
		{"a zero time", nil, []progress{{"app", time.Time{}}, {"access", tAt("2h")}}, 0, time.Time{}},
		{"read to the end, then appended", []string{"app", "audit", "access"},
			[]progress{{"access", tAt("3h")}, {"app", tAt("4h")}, {"audit", tAt("5h")}}, 2, tAt("2h58m")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var alerts []*Alert
			e := localAuthEngine(t, now, &alerts, "app", "audit", "access")
			e.Process(adminLogin("01FIRST", tAt(""), "app"))
			e.Process(adminLogin("01SECOND", tAt("90m"), "audit"))
			if tc.caught != nil {
				e.Caught(tc.caught) // the watermark follows app's sign-in: 0 − 2m
				if len(alerts) != 0 {
					t.Fatalf("%d alerts once read to the end, want 0", len(alerts))
				}
			}
			for _, p := range tc.progress {
				e.Progress(p.src, "1:2", 100, p.when)
			}
			if len(alerts) != tc.alerts {
				t.Errorf("%d alerts after progress %v, want %d", len(alerts), tc.progress, tc.alerts)
			}
			if got := e.Watermark(); !got.Equal(tc.wm) && !(tc.wm.IsZero() && got.Before(tAt(""))) {
				t.Errorf("watermark %v, want %v", got, tc.wm)
			}
		})
	}
}

// TestLateJoinDecided: in the agent (MinWatermark), an admin's password
// sign-in read after a line dated ten minutes ahead (a process whose
// clock runs ahead, within MaxAhead) is behind the watermark that line
// set; its alert, held for the audit line of the same request, goes out
// once Lateness of wall-clock time passed, at the next batch or idle
// Advance, not once the watermark passes the line ahead (fresh-user
// trial 282: ten minutes late). The audit line of the request, read
// within that Lateness, still joins it: the alert then goes out at once,
// enriched, and once only.
func TestLateJoinDecided(t *testing.T) {
	for _, tc := range []struct {
		name   string
		audit  bool // the audit sign-in of the request comes within Lateness
		by     func(e *Engine, now time.Time)
		enrich bool
	}{
		{"idle: Advance", false, func(e *Engine, now time.Time) { e.Advance(now.Add(-2 * time.Minute)) }, false},
		{"busy: the next batch", false, func(e *Engine, now time.Time) { e.ProcessBatch(nil) }, false},
		{"the audit line first", true, func(e *Engine, now time.Time) { e.Advance(now.Add(-2 * time.Minute)) }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now := tAt("")
			var alerts []*Alert
			e, err := New(Config{Only: []string{"sentinel.local_auth_no_mfa"}, MinWatermark: true, Lateness: 2 * time.Minute,
				Now: func() time.Time { return now }, Emit: func(a *Alert) { alerts = append(alerts, a) }})
			if err != nil {
				t.Fatal(err)
			}
			ahead := failedLogin("zz", "81.2.69.250", now.Add(10*time.Minute))
			e.Process(ahead)
			now = now.Add(7 * time.Second) // more than the 5 s the agent holds a line ahead
			e.Process(adminLogin("01LATE", now, "application_json.log"))
			if tc.audit {
				side := &Event{Type: parser.TypeAudit, Time: now, Source: "audit_json.log", Origin: OriginFile,
					Columns: []Column{{parser.ColCorrelationID, "01LATE"}, {parser.ColAuthenticationType, "standard"},
						{parser.ColAuthorID, "1"}, {parser.ColAuthorName, "Administrator"}}}
				e.Process(side)
			}
			if want := map[bool]int{true: 1}[tc.audit]; len(alerts) != want { // joined: out at once
				t.Fatalf("%d alerts at once, want %d", len(alerts), want)
			}
			now = now.Add(2*time.Minute + time.Second)
			tc.by(e, now)
			if len(alerts) != 1 {
				t.Fatalf("%d alerts once Lateness passed, want 1 (watermark %v)", len(alerts), e.Watermark())
			}
			if got := alerts[0].Get(parser.ColAuthorName) == "Administrator"; got != tc.enrich {
				t.Errorf("enriched by the audit line: %v, want %v (%v)", got, tc.enrich, alerts[0].Columns)
			}
		})
	}
}
