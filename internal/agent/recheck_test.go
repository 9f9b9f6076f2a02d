package agent

import (
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
	"github.com/gitlab-syslog/gitlab-syslog/tailer"
)

// TestRecheckAfterImpersonationStart checks the sender's recheck: a worker
// checked a batch with a legacy action of user 3 (no ImpersonatedBy)
// before another worker let the start of user 3's impersonation through;
// the action is then wanted, and recheck makes its event.
func TestRecheckAfterImpersonationStart(t *testing.T) {
	const (
		start  = `{"severity":"INFO","time":"2021-12-06T14:40:27.519Z","author_id":1,"entity_id":1,"entity_type":"User","custom_message":"Started Impersonation","target_id":3,"target_type":"User","target_details":"jdoe","author_name":"Administrator","ip_address":"81.2.69.142","entity_path":"root"}`
		action = `{"severity":"INFO","time":"2021-12-06T14:41:05.519Z","author_id":3,"entity_id":7,"entity_type":"Project","add":"user_access","as":"Maintainer","target_id":9,"target_type":"User","target_details":"eve","author_name":"John Doe","ip_address":"81.2.69.142","entity_path":"jdoe/secret-project"}`
	)
	e, err := detect.New(detect.Config{})
	if err != nil {
		t.Fatal(err)
	}
	batch := func(line string) *tailer.Batch {
		return &tailer.Batch{Data: []byte(line), Ends: []int{len(line)}, Offsets: []int64{0}}
	}
	w1, w2 := detectionWorker(t, e), detectionWorker(t, e)
	s := &source{workers: []*worker{w1, w2}, rescan: detectionWorker(t, e)}

	later := &slot{tb: batch(action), wantEpoch: e.WantEpoch()}
	w2.encode(later.tb, &later.fb, &later.events)
	if len(later.events) != 0 {
		t.Fatalf("the action was wanted before any start: %d events", len(later.events))
	}
	later.doneEpoch = e.WantEpoch()
	s.prevDone = e.WantEpoch()
	s.recheck(later)
	if len(later.events) != 0 {
		t.Fatalf("recheck without a new start made %d events", len(later.events))
	}
	// The earlier batch, with the start, was encoded by w1 meanwhile.
	earlier := &slot{tb: batch(start), wantEpoch: e.WantEpoch()}
	w1.encode(earlier.tb, &earlier.fb, &earlier.events)
	earlier.doneEpoch = e.WantEpoch()
	if len(earlier.events) != 1 {
		t.Fatalf("the start was not wanted: %d events", len(earlier.events))
	}
	s.recheck(earlier)
	s.recheck(later)
	if len(later.events) != 1 || later.events[0].Get("AuthorID") != "3" {
		t.Fatalf("after the start, recheck made %d events, want the action of user 3", len(later.events))
	}
}
