package agent

import (
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
	"github.com/gitlab-syslog/gitlab-syslog/internal/container"
	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
	"github.com/gitlab-syslog/gitlab-syslog/tailer"
)

// TestRuleSetAfterImpersonationStart checks a line the worker wanted for
// another rule: a password sign-in of user 3 (wanted by
// sentinel.local_auth_no_mfa, not by sentinel.impersonation) was checked
// before the start of user 3's impersonation reached the engine through
// the other worker. The worker's rule set (detect.RuleSet) lacks the
// impersonation rule; processed after the start, the event must reach it
// too, as the engine (Config.WantFirst, as the agent runs it) dispatches
// the line once the start is processed, with or without the sender's
// recheck of the batch (which leaves the lines already wanted as they are).
func TestRuleSetAfterImpersonationStart(t *testing.T) {
	const (
		start  = `{"severity":"INFO","time":"2021-12-06T14:40:27.519Z","author_id":1,"entity_id":1,"entity_type":"User","custom_message":"Started Impersonation","target_id":3,"target_type":"User","target_details":"jdoe","author_name":"Administrator","ip_address":"81.2.69.142","entity_path":"root"}`
		signin = `{"severity":"INFO","time":"2021-12-06T14:41:05.519Z","author_id":3,"author_name":"jdoe","entity_id":3,"entity_type":"User","with":"standard","target_id":3,"target_type":"User","target_details":"jdoe","ip_address":"81.2.69.142"}`
	)
	for _, recheck := range []bool{false, true} {
		e, err := detect.New(detect.Config{Only: []string{"sentinel.impersonation", "sentinel.local_auth_no_mfa"}, WantFirst: true})
		if err != nil {
			t.Fatal(err)
		}
		batch := func(line string) *tailer.Batch {
			return &tailer.Batch{Data: []byte(line), Ends: []int{len(line)}, Offsets: []int64{0}}
		}
		w1, w2 := detectionWorker(t, e), detectionWorker(t, e)
		s := &source{workers: []*worker{w1, w2}, rescan: detectionWorker(t, e)}
		later := &slot{tb: batch(signin), wantEpoch: e.WantEpoch()}
		w2.encode(later.tb, &later.fb, &later.events, &container.Carry{})
		later.doneEpoch = e.WantEpoch()
		if len(later.events) != 1 {
			t.Fatalf("the sign-in was not wanted: %d events", len(later.events))
		}
		earlier := &slot{tb: batch(start), wantEpoch: e.WantEpoch()}
		w1.encode(earlier.tb, &earlier.fb, &earlier.events, &container.Carry{})
		earlier.doneEpoch = e.WantEpoch()
		if recheck {
			s.recheck(earlier)
			s.recheck(later)
		}
		for _, ev := range append(earlier.events, later.events...) {
			e.Process(ev)
		}
		st := e.Stats().Rules
		if got := st["sentinel.impersonation"].Evaluated; got != 2 || st["sentinel.local_auth_no_mfa"].Evaluated != 1 {
			t.Errorf("recheck %v: impersonation evaluated %d events (want 2: the start and the sign-in), local auth %d (want 1)",
				recheck, got, st["sentinel.local_auth_no_mfa"].Evaluated)
		}
	}
}

// TestWorkerRuleSetFollowsEngine checks that a worker's events carry the
// rule set of the engine the worker has now: after a reload replaced the
// engine (attachDetector gives the workers the new one), the worker's
// Wanter is made again for it, and the new engine's Process runs the set
// without asking the filters again.
func TestWorkerRuleSetFollowsEngine(t *testing.T) {
	const signin = `{"severity":"INFO","time":"2021-12-06T14:41:05.519Z","author_id":3,"author_name":"jdoe","entity_id":3,"entity_type":"User","with":"standard","target_id":3,"target_type":"User","target_details":"jdoe","ip_address":"81.2.69.142"}`
	tb := &tailer.Batch{Data: []byte(signin), Ends: []int{len(signin)}, Offsets: []int64{0}}
	var engines []*detect.Engine
	for _, only := range [][]string{{"sentinel.local_auth_no_mfa"}, {"sentinel.impersonation", "sentinel.local_auth_no_mfa"}} {
		e, err := detect.New(detect.Config{Only: only, WantFirst: true})
		if err != nil {
			t.Fatal(err)
		}
		engines = append(engines, e)
	}
	w := detectionWorker(t, engines[0])
	for _, e := range engines {
		w.det = e
		var evs []*detect.Event
		w.encode(tb, &forwarder.Batch{}, &evs, &container.Carry{})
		if len(evs) != 1 {
			t.Fatalf("the sign-in was not wanted: %d events", len(evs))
		}
		if want := e.WantRules(w.rec.Type, &w.rec); evs[0].Rules != want {
			t.Errorf("the event carries %+v, want the engine's set %+v", evs[0].Rules, want)
		}
	}
}
