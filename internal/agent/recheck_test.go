package agent

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/container"
	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
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
	w2.encodeSlot(later)
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
	w1.encodeSlot(earlier)
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

// TestRecheckKeepsOrder checks that recheck adds the lines a new watch
// wants to the events the worker made, in file order, and parses no
// other line into an event: a batch holds a legacy action of user 3, the
// start of user 5's impersonation (wanted by its worker), a line of user
// 4, a blank line and another action of user 3; the start of user 3's
// impersonation reaches the engine meanwhile through the other worker.
func TestRecheckKeepsOrder(t *testing.T) {
	const (
		start   = `{"severity":"INFO","time":"2021-12-06T14:40:27.519Z","author_id":1,"entity_id":1,"entity_type":"User","custom_message":"Started Impersonation","target_id":%d,"target_type":"User","target_details":"u%d","author_name":"Administrator","ip_address":"81.2.69.142","entity_path":"root"}`
		action  = `{"severity":"INFO","time":"2021-12-06T14:41:0%d.519Z","author_id":%d,"entity_id":7,"entity_type":"Project","add":"user_access","as":"Maintainer","target_id":9,"target_type":"User","target_details":"eve","author_name":"U","ip_address":"81.2.69.142","entity_path":"g/p"}`
		wantSeq = "action 3 @0, start 5, action 3 @4"
	)
	for _, sums := range []bool{true, false} {
		t.Run(fmt.Sprintf("sums=%v", sums), func(t *testing.T) {
			e, err := detect.New(detect.Config{})
			if err != nil {
				t.Fatal(err)
			}
			lines := []string{fmt.Sprintf(action, 1, 3), fmt.Sprintf(start, 5, 5), fmt.Sprintf(action, 2, 4), "  ", fmt.Sprintf(action, 4, 3)}
			tb := &tailer.Batch{}
			for _, l := range lines {
				tb.Data = append(tb.Data, l...)
				tb.Ends = append(tb.Ends, len(tb.Data))
				tb.Offsets = append(tb.Offsets, int64(len(tb.Data)+len(tb.Ends)))
			}
			w1, w2 := detectionWorker(t, e), detectionWorker(t, e)
			s := &source{workers: []*worker{w1, w2}, rescan: detectionWorker(t, e)}
			later := &slot{tb: tb, wantEpoch: e.WantEpoch()}
			w2.encodeSlot(later)
			if !sums {
				later.sums.reset(nil, 0) // as for an engine without hint columns: recheck searches the lines
			}
			later.doneEpoch = e.WantEpoch()
			if len(later.events) != 1 {
				t.Fatalf("before user 3's start the worker made %d events, want 1 (user 5's start)", len(later.events))
			}
			first := &tailer.Batch{}
			first.Data = fmt.Appendf(nil, start, 3, 3)
			first.Ends, first.Offsets = []int{len(first.Data)}, []int64{0}
			earlier := &slot{tb: first, wantEpoch: e.WantEpoch()}
			w1.encodeSlot(earlier)
			earlier.doneEpoch = e.WantEpoch()
			s.recheck(earlier)
			s.recheck(later)
			var got []string
			for _, ev := range later.events {
				switch {
				case ev.Get("CustomMessage") == "Started Impersonation":
					got = append(got, "start "+ev.Get("TargetID"))
				default:
					got = append(got, fmt.Sprintf("action %s @%d", ev.Get("AuthorID"), slices.Index(tb.Offsets, ev.Offset)))
				}
			}
			if strings.Join(got, ", ") != wantSeq {
				t.Errorf("after recheck: %s; want %s", strings.Join(got, ", "), wantSeq)
			}
		})
	}
}

// TestRecheckContainer checks recheck on a source in a container format:
// the later batch holds user 3's legacy action as two CRI records (P, F)
// after a line of another user, and starts with a P part the batch before
// left pending; once the start of user 3's impersonation reaches the
// engine through the other worker, recheck unwraps the records again in
// order and adds the action, joined, as the worker would have.
func TestRecheckContainer(t *testing.T) {
	const (
		start  = `{"severity":"INFO","time":"2021-12-06T14:40:27.519Z","author_id":1,"entity_id":1,"entity_type":"User","custom_message":"Started Impersonation","target_id":3,"target_type":"User","target_details":"jdoe","author_name":"Administrator","ip_address":"81.2.69.142","entity_path":"root"}`
		other  = `{"severity":"INFO","time":"2021-12-06T14:41:00.519Z","author_id":4,"entity_id":7,"entity_type":"Project","add":"user_access","as":"Maintainer","target_id":9,"target_type":"User","target_details":"eve","author_name":"U","ip_address":"81.2.69.142","entity_path":"g/p"}`
		action = `{"severity":"INFO","time":"2021-12-06T14:41:05.519Z","author_id":3,"entity_id":7,"entity_type":"Project","add":"user_access","as":"Maintainer","target_id":9,"target_type":"User","target_details":"eve","author_name":"John Doe","ip_address":"81.2.69.142","entity_path":"jdoe/secret-project"}`
		head   = "2024-05-01T12:00:00.123456789Z stdout "
	)
	e, err := detect.New(detect.Config{})
	if err != nil {
		t.Fatal(err)
	}
	cri := func(w *worker) *worker {
		w.uw = newUnwrapper(container.CRI, parser.TypeAudit, "", false, "/var/log/containers/x.log", 1<<20, "")
		return w
	}
	batch := func(records ...string) *tailer.Batch {
		tb := &tailer.Batch{}
		for _, r := range records {
			tb.Data = append(tb.Data, r...)
			tb.Ends = append(tb.Ends, len(tb.Data))
			tb.Offsets = append(tb.Offsets, int64(len(tb.Data)+len(tb.Ends)))
		}
		return tb
	}
	w1, w2 := cri(detectionWorker(t, e)), cri(detectionWorker(t, e))
	s := &source{workers: []*worker{w1, w2}, rescan: cri(detectionWorker(t, e))}

	// The batch before left `{"severity":"INFO",` of the other user's line pending.
	var carry container.Carry
	prev := batch(head + "P " + other[:20])
	dec := container.Decoder{Format: container.CRI, MaxLineBytes: 1 << 20}
	dec.Decode(prev.Line(0))
	dec.AppendCarry(&carry)

	later := &slot{tb: batch(head+"F "+other[20:], head+"P "+action[:50], head+"F "+action[50:]), wantEpoch: e.WantEpoch(), carry: carry}
	w2.encodeSlot(later)
	later.doneEpoch = e.WantEpoch()
	if len(later.events) != 0 {
		t.Fatalf("the action was wanted before any start: %d events", len(later.events))
	}
	if later.fb.Len() != 2 {
		t.Fatalf("the worker sent %d messages, want the 2 joined lines", later.fb.Len())
	}
	earlier := &slot{tb: batch(head + "F " + start), wantEpoch: e.WantEpoch()}
	w1.encodeSlot(earlier)
	earlier.doneEpoch = e.WantEpoch()
	if len(earlier.events) != 1 {
		t.Fatalf("the start was not wanted: %d events", len(earlier.events))
	}
	s.prevDone = later.doneEpoch
	s.recheck(earlier)
	s.recheck(later)
	if len(later.events) != 1 {
		t.Fatalf("after the start, recheck made %d events, want user 3's action", len(later.events))
	}
	ev := later.events[0]
	if ev.Get("AuthorID") != "3" || ev.Offset != later.tb.Offsets[2] {
		t.Errorf("recheck's event: AuthorID %q at offset %d; want 3 at %d (the F record)", ev.Get("AuthorID"), ev.Offset, later.tb.Offsets[2])
	}
}

// TestRecheckSumCollision checks recheck's hash path when a line's hint
// sum matches a hint by collision: user 14365's action has the sum of
// user 22656 (their detect.HintSum collide), whose impersonation starts
// meanwhile. The colliding line is parsed again and not wanted; user
// 22656's action is.
func TestRecheckSumCollision(t *testing.T) {
	const (
		start  = `{"severity":"INFO","time":"2021-12-06T14:40:27.519Z","author_id":1,"entity_id":1,"entity_type":"User","custom_message":"Started Impersonation","target_id":22656,"target_type":"User","target_details":"jdoe","author_name":"Administrator","ip_address":"81.2.69.142","entity_path":"root"}`
		action = `{"severity":"INFO","time":"2021-12-06T14:41:0%d.519Z","author_id":%s,"entity_id":7,"entity_type":"Project","add":"user_access","as":"Maintainer","target_id":9,"target_type":"User","target_details":"eve","author_name":"U","ip_address":"81.2.69.142","entity_path":"g/p"}`
	)
	if detect.HintSum("14365") != detect.HintSum("22656") {
		t.Fatal("the test's user ids no longer collide: find two that do")
	}
	e, err := detect.New(detect.Config{})
	if err != nil {
		t.Fatal(err)
	}
	tb := &tailer.Batch{}
	for i, id := range []string{"14365", "22656"} {
		tb.Data = fmt.Appendf(tb.Data, action, i, id)
		tb.Ends = append(tb.Ends, len(tb.Data))
		tb.Offsets = append(tb.Offsets, int64(len(tb.Data)+len(tb.Ends)))
	}
	w1, w2 := detectionWorker(t, e), detectionWorker(t, e)
	s := &source{workers: []*worker{w1, w2}, rescan: detectionWorker(t, e)}
	later := &slot{tb: tb}
	w2.encodeSlot(later)
	if len(later.events) != 0 || !later.sums.on {
		t.Fatalf("before the start: %d events, sums recorded %v; want none, and sums", len(later.events), later.sums.on)
	}
	first := &tailer.Batch{Data: []byte(start), Ends: []int{len(start)}, Offsets: []int64{0}}
	earlier := &slot{tb: first}
	w1.encodeSlot(earlier)
	s.recheck(earlier)
	if !later.sums.matches(0, []uint32{detect.HintSum("22656")}) {
		t.Fatal("the colliding line's sum does not match the hint")
	}
	s.recheck(later)
	if len(later.events) != 1 || later.events[0].Get("AuthorID") != "22656" {
		var got []string
		for _, ev := range later.events {
			got = append(got, ev.Get("AuthorID"))
		}
		t.Fatalf("after the start, recheck made events of authors %v, want [22656]", got)
	}
}
