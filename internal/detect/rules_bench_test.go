package detect

import (
	"strconv"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// benchFailedLogins returns n failed logins of 1000 users from 100
// addresses, one second apart.
func benchFailedLogins(n int) []*Event {
	evs := make([]*Event, n)
	start := time.Date(2024, 6, 10, 9, 0, 0, 0, time.UTC)
	for i := range evs {
		evs[i] = failedLogin("user"+strconv.Itoa(i%1000), "81.2.69."+strconv.Itoa(i%100), start.Add(time.Duration(i)*time.Second))
	}
	return evs
}

// BenchmarkObserveFailedLogin measures the rules fed by every failed login
// on keys already held: the steady state under a slow brute force.
func BenchmarkObserveFailedLogin(b *testing.B) {
	evs := benchFailedLogins(100_000)
	for _, spec := range []Spec{bruteforceSpec(), passwordSpraySpec(), distributedGuessingSpec()} {
		b.Run(spec.Info.ID, func(b *testing.B) {
			r, err := spec.New(NewParams(spec.Info.ID, nil, nil), &Env{})
			if err != nil {
				b.Fatal(err)
			}
			emit := func(*Alert) {}
			for _, ev := range evs[:10_000] { // warm: every key held
				r.Observe(ev, nil, emit)
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				r.Observe(evs[i%len(evs)], nil, emit)
				i++
			}
		})
	}
}

// BenchmarkImpersonationAction measures an audit action of a user without
// a session: held until the watermark passes it, then evaluated.
func BenchmarkImpersonationAction(b *testing.B) {
	r, err := impersonationSpec().New(NewParams("sentinel.impersonation", nil, nil), &Env{})
	if err != nil {
		b.Fatal(err)
	}
	emit := func(*Alert) {}
	evs := make([]*Event, 1000)
	for i := range evs {
		evs[i] = impActionEv("audit_json.log", tAt(strconv.Itoa(i)+"s"), i)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		ev := evs[i%len(evs)]
		r.Observe(ev, nil, emit)
		r.Advance(ev.Time.Add(time.Second), emit)
		i++
		if i%len(evs) == 0 {
			r.(*impersonation).wm = time.Time{} // replay the same times
		}
	}
}

// BenchmarkImpersonationAdvance measures a minute of watermark of
// sentinel.impersonation holding about n sessions: each step starts and
// stops (30 minutes later) n/1440 sessions of users not held, so that as
// many sessions end as start, and advances the watermark by a minute,
// which folds the starts and stops it passed, and sweeps and resyncs the
// watch.
func BenchmarkImpersonationAdvance(b *testing.B) {
	for _, n := range []int{1000, 10_000} {
		b.Run("sessions="+strconv.Itoa(n), func(b *testing.B) {
			r, err := impersonationSpec().New(NewParams("sentinel.impersonation", nil, nil), &Env{})
			if err != nil {
				b.Fatal(err)
			}
			emit := func(*Alert) {}
			per := max(n/1440, 1)
			ids := make([]string, 4*n)
			for i := range ids {
				ids[i] = strconv.Itoa(1000 + i)
			}
			start, stop := impStartEv("audit_json.log", tAt("")), impStopEv("audit_json.log", tAt(""))
			target := func(ev *Event) *string {
				for i := range ev.Columns {
					if ev.Columns[i].Name == parser.ColTargetID {
						return &ev.Columns[i].Value
					}
				}
				b.Fatal("no TargetID")
				return nil
			}
			startID, stopID := target(start), target(stop)
			wm, next := tAt(""), 0
			step := func() {
				for range per {
					*startID, *stopID = ids[next%len(ids)], ids[next%len(ids)]
					next++
					start.Time, stop.Time = wm, wm.Add(30*time.Minute)
					r.Observe(start, nil, emit)
					r.Observe(stop, nil, emit)
				}
				wm = wm.Add(time.Minute)
				r.Advance(wm, emit)
			}
			for range 1440 + 60 { // warm: sessions of the last max_session, and their stops
				step()
			}
			b.ReportMetric(float64(r.(*impersonation).Keys()), "users")
			b.ReportAllocs()
			for b.Loop() {
				step()
			}
		})
	}
}
