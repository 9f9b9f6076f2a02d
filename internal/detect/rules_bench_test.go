package detect

import (
	"strconv"
	"testing"
	"time"
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
