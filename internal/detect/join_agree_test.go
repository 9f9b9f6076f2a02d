package detect

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// TestJoinAgreesWithReference drives the joiner and the reference joiner
// (integ9's, join_ref_test.go) with the same random audit lines,
// application alerts (CorrelationIDs reused, lines out of order, now and
// then one dated in the far future), watermarks and save/restore cycles,
// under a small max_keys: the alerts emitted (their order, columns and
// EventIDs), the sides held, the evictions counted and the saved state
// (byte for byte) must be the same after every step.
func TestJoinAgreesWithReference(t *testing.T) {
	for seed := range uint64(8) {
		t.Run(strconv.FormatUint(seed, 10), func(t *testing.T) { joinAgree(t, seed) })
	}
}

func joinAgree(t *testing.T, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 7))
	cols := []string{parser.ColAuthorID, parser.ColAuthorName, parser.ColIPAddress}[:1+seed%3]
	maxKeys := 20 + int(seed)*7
	j, ref := newJoiner(maxKeys, cols...), newRefJoiner(maxKeys, cols...)
	var got, want []string
	joined := 0 // alerts emitted with what a side held
	emitTo := func(out *[]string) Emit {
		return func(a *Alert) {
			*out = append(*out, fmt.Sprintf("%v %v %v %v", a.Time, a.Key, a.Columns, a.EventIDs))
			if out == &got && len(a.EventIDs)+len(a.Columns) > 0 {
				joined++
			}
		}
	}
	t0 := time.Date(2024, 5, 31, 14, 0, 0, 0, time.UTC)
	now := t0
	for step := range 6000 {
		now = now.Add(time.Duration(rng.IntN(400)) * time.Millisecond)
		at := now.Add(time.Duration(rng.IntN(40_000)-20_000) * time.Millisecond)
		if rng.IntN(2) == 0 {
			at = at.Truncate(time.Second) // windows that end on a watermark exactly
		}
		if rng.IntN(200) == 0 {
			at = at.AddDate(100, 0, 0) // a clock glitch
		}
		cid := "c" + strconv.Itoa(rng.IntN(400))
		if rng.IntN(30) == 0 {
			cid = ""
		}
		switch r := rng.IntN(100); {
		case r < 60:
			vals := make([]string, maxSideCols)
			for i := range vals {
				if rng.IntN(4) > 0 {
					vals[i] = "v" + strconv.Itoa(step*10+i)
				}
			}
			id := strconv.Itoa(step)
			if rng.IntN(5) == 0 {
				id = ""
			}
			j.side(cid, at, id, vals, emitTo(&got))
			ref.side(cid, at, id, [maxSideCols]string(vals), emitTo(&want))
		case r < 90:
			mk := func() *Alert {
				ev := &Event{Type: parser.TypeApplication, Time: at, Raw: "line " + strconv.Itoa(step)}
				return &Alert{Time: at, Event: ev, Key: []Column{{"I", strconv.Itoa(step)}}}
			}
			j.alert(cid, mk(), emitTo(&got))
			ref.alert(cid, mk(), emitTo(&want))
		case r < 98:
			wm := now.Add(-time.Duration(rng.IntN(90)) * time.Second).Truncate(time.Second)
			j.advance(wm, emitTo(&got))
			ref.advance(wm, emitTo(&want))
		default:
			snap := ref.appendState(nil)
			if s := j.appendState(nil); !bytes.Equal(s, snap) {
				t.Fatalf("step %d: state\n%s\nwant\n%s", step, s, snap)
			}
			mk := maxKeys - rng.IntN(10) // a smaller max_keys drops sides and spills alerts
			j, ref = newJoiner(mk, cols...), newRefJoiner(mk, cols...)
			if err := j.restore(snap); err != nil {
				t.Fatal(err)
			}
			if err := ref.restore(snap); err != nil {
				t.Fatal(err)
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("step %d: emitted\n%v\nwant\n%v", step, got, want)
		}
		got, want = got[:0], want[:0]
		if j.heldSides() != ref.heldSides() || j.sides.evicted != ref.sides.evicted || j.pending.len() != ref.pending.len() {
			t.Fatalf("step %d: %d sides held, %d evicted, %d alerts; want %d, %d, %d", step,
				j.heldSides(), j.sides.evicted, j.pending.len(), ref.heldSides(), ref.sides.evicted, ref.pending.len())
		}
	}
	if joined < 100 {
		t.Errorf("only %d alerts joined: the test joins too little", joined)
	}
	j.close(emitTo(&got))
	ref.close(emitTo(&want))
	if !slices.Equal(got, want) {
		t.Fatalf("at close: emitted %d, want %d", len(got), len(want))
	}
}

// TestJoinSideWindowEdge checks the end of an audit line's window to the
// nanosecond: it is held while the watermark is before its time +
// joinWindow, and let go at that instant, as the reference joiner does.
func TestJoinSideWindowEdge(t *testing.T) {
	t0 := time.Date(2024, 5, 31, 14, 0, 0, 999_999_999, time.UTC)
	emit := func(*Alert) {}
	j, ref := newJoiner(10, parser.ColAuthorID), newRefJoiner(10, parser.ColAuthorID)
	j.side("c", t0, "1", []string{"7"}, emit)
	ref.side("c", t0, "1", [maxSideCols]string{"7"}, emit)
	for _, c := range []struct {
		wm   time.Time
		held int
	}{{t0.Add(joinWindow - 1), 1}, {t0.Add(joinWindow), 0}} {
		j.advance(c.wm, emit)
		ref.advance(c.wm, emit)
		if j.heldSides() != c.held || ref.heldSides() != c.held {
			t.Errorf("watermark %v: %d sides held (reference %d), want %d", c.wm, j.heldSides(), ref.heldSides(), c.held)
		}
	}
}
