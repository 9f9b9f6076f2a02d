package detect

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/geoip"
)

// goldenCase is one input directory of a stateful rule's golden cases:
// testdata/detections/<rule id>/ itself (the case that fires), its
// near-miss/ and its further case directories.
type goldenCase struct {
	rule, name, dir string
}

func statefulCases(t *testing.T) []goldenCase {
	t.Helper()
	var out []goldenCase
	for _, s := range statefulSpecs() {
		root := filepath.Join("..", "..", "testdata", "detections", s.Info.ID)
		ents, err := os.ReadDir(root)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, goldenCase{s.Info.ID, "fires", root})
		for _, de := range ents {
			if de.IsDir() {
				out = append(out, goldenCase{s.Info.ID, de.Name(), filepath.Join(root, de.Name())})
			}
		}
	}
	return out
}

// alertKeys renders alerts as "alert_id time" lines for comparison.
func alertKeys(as []*Alert) []string {
	out := make([]string, 0, len(as))
	for _, a := range as {
		out = append(out, a.ID+" "+ts(a.Time))
	}
	sort.Strings(out)
	return out
}

// TestStatefulRestartSameAlerts stops the engine in the middle of every
// golden case (state saved, engine dropped), starts a new one on the same
// state directory for the rest, and wants exactly the alerts of one
// uninterrupted run: baselines, windows, day counts, sessions and held
// events survive, and nothing alerts twice.
func TestStatefulRestartSameAlerts(t *testing.T) {
	geo := testGeoDB(t)
	for _, c := range statefulCases(t) {
		t.Run(c.rule+"/"+c.name, func(t *testing.T) {
			evs := readEvents(t, c.dir)
			params := readArgs(t, c.dir)
			whole, _ := runRule(t, c.rule, params, geo, "", evs)
			for _, cut := range []int{len(evs) / 3, len(evs) / 2, len(evs) - 1} {
				dir := t.TempDir()
				first := runUntil(t, c.rule, params, geo, dir, evs[:cut])
				second, _ := runRule(t, c.rule, params, geo, dir, evs[cut:])
				got, want := alertKeys(append(first, second...)), alertKeys(whole)
				if !slices.Equal(got, want) {
					t.Errorf("cut at %d of %d: alerts\n%s\nwant\n%s", cut, len(evs),
						strings.Join(got, "\n"), strings.Join(want, "\n"))
				}
			}
		})
	}
}

// runUntil processes evs and saves the state without closing the engine,
// as a stop between two periodic saves would leave it.
func runUntil(t *testing.T, id string, params map[string]string, geo *geoip.DB, dir string, evs []*Event) []*Alert {
	t.Helper()
	var alerts []*Alert
	e, err := New(Config{Only: []string{id}, Rules: map[string]RuleConfig{id: {Params: params}}, Geo: geo,
		StateDir: dir, Emit: func(a *Alert) { alerts = append(alerts, a) }})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		e.Process(ev)
	}
	if err := e.Save(); err != nil {
		t.Fatal(err)
	}
	return alerts
}

// TestStatefulSnapshotRoundTrip restores each rule's snapshot into a fresh
// rule and wants the same snapshot back, in the middle of every golden case.
func TestStatefulSnapshotRoundTrip(t *testing.T) {
	geo := testGeoDB(t)
	specs := map[string]Spec{}
	for _, s := range statefulSpecs() {
		specs[s.Info.ID] = s
	}
	for _, c := range statefulCases(t) {
		t.Run(c.rule+"/"+c.name, func(t *testing.T) {
			s := specs[c.rule]
			env := &Env{Geo: geo}
			r, err := s.New(NewParams(c.rule, nil, readArgs(t, c.dir)), env)
			if err != nil {
				t.Fatal(err)
			}
			st, ok := r.(Stateful)
			if !ok {
				t.Skip("rule keeps no state")
			}
			evs := readEvents(t, c.dir)
			nop := func(*Alert) {}
			for _, ev := range evs[:len(evs)/2] {
				r.Observe(ev, time.Now, nop)
			}
			snap, err := st.Snapshot()
			if err != nil {
				t.Fatal(err)
			}
			r2, _ := s.New(NewParams(c.rule, nil, readArgs(t, c.dir)), env)
			if err := r2.(Stateful).Restore(snap); err != nil {
				t.Fatal(err)
			}
			snap2, err := r2.(Stateful).Snapshot()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(snap, snap2) {
				t.Errorf("snapshot after restore differs:\n%s\n%s", snap, snap2)
			}
			if err := r2.(Stateful).Restore([]byte(`{"not":`)); err == nil {
				t.Error("Restore accepted truncated JSON")
			}
		})
	}
}

// TestStatefulLiveOrderSameAlerts delivers each golden case as a live
// agent would: every file in its own order, the files interleaved with
// per-source delays of up to 90 s (inside the 2 min lateness), and wants
// the alerts of the offline run that merges all inputs in event-time order.
func TestStatefulLiveOrderSameAlerts(t *testing.T) {
	geo := testGeoDB(t)
	for _, c := range statefulCases(t) {
		t.Run(c.rule+"/"+c.name, func(t *testing.T) {
			evs := readEvents(t, c.dir)
			params := readArgs(t, c.dir)
			replay, _ := runRule(t, c.rule, params, geo, "", evs)
			want := alertKeys(replay)
			for seed := uint64(1); seed <= 5; seed++ {
				live := liveOrder(evs, rand.New(rand.NewPCG(seed, 7)))
				got, _ := runRule(t, c.rule, params, geo, "", live)
				if g := alertKeys(got); !slices.Equal(g, want) {
					t.Errorf("seed %d: live alerts\n%s\nwant\n%s", seed, strings.Join(g, "\n"), strings.Join(want, "\n"))
				}
			}
		})
	}
}

// liveOrder returns evs as sources read at different delays deliver them:
// each source keeps its order, sources interleave by event time plus a
// random delay per source below 90 s.
func liveOrder(evs []*Event, rng *rand.Rand) []*Event {
	delay := map[string]time.Duration{}
	for _, ev := range evs {
		if _, ok := delay[ev.Source]; !ok {
			delay[ev.Source] = time.Duration(rng.Int64N(int64(90 * time.Second)))
		}
	}
	// A merge of the sources by the delayed time of their next event, not
	// a sort: a source written out of order stays in its order.
	var srcs []string
	bySrc := map[string][]*Event{}
	for _, ev := range evs {
		if _, ok := bySrc[ev.Source]; !ok {
			srcs = append(srcs, ev.Source)
		}
		bySrc[ev.Source] = append(bySrc[ev.Source], ev)
	}
	out := make([]*Event, 0, len(evs))
	for len(out) < len(evs) {
		next := ""
		for _, s := range srcs {
			q := bySrc[s]
			if len(q) > 0 && (next == "" || q[0].Time.Add(delay[s]).Before(bySrc[next][0].Time.Add(delay[next]))) {
				next = s
			}
		}
		out = append(out, bySrc[next][0])
		bySrc[next] = bySrc[next][1:]
	}
	return out
}
