package detect

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// deletionEv returns a project_destroyed of acme/<path> at when with
// EventID id, or, for id "", a legacy `remove: project` line (no EventID).
func deletionEv(id, path string, when time.Time) *Event {
	if id == "" {
		return auditEv("audit_json.log", when, parser.ColRemoveAction, "project", parser.ColAuthorName, "eve",
			parser.ColEntityPath, "acme/"+path)
	}
	return auditEv("audit_json.log", when, parser.ColEventName, "project_destroyed", parser.ColRemoveAction, "project",
		parser.ColAuthorName, "eve", parser.ColEntityPath, "acme/"+path, parser.ColEventID, id)
}

// deletions returns deletions of p<i> with EventID <i> at start + i
// minutes, for i from first to last.
func deletions(first, last int, start string) []*Event {
	var evs []*Event
	for i := first; i <= last; i++ {
		evs = append(evs, deletionEv(strconv.Itoa(i), "p"+strconv.Itoa(i), tAt(start).Add(time.Duration(i)*time.Minute)))
	}
	return evs
}

// seq returns prefix+i for i from first to last.
func seq(prefix string, first, last int) []string {
	var out []string
	for i := first; i <= last; i++ {
		out = append(out, prefix+strconv.Itoa(i))
	}
	return out
}

// TestRepoDeletionEventIDsAndPaths checks that a sentinel.repo_deletion
// alert lists the EventIDs (in event-time order) and the EntityPaths of
// the deletions it counted: at most 20 of each, the most recent, none of
// a deletion that left the window, and no id for a line without one.
func TestRepoDeletionEventIDsAndPaths(t *testing.T) {
	for _, tc := range []struct {
		name   string
		params map[string]string
		evs    []*Event
		count  int
		ids    []string
		paths  []string
	}{
		{"11 deletions", nil, deletions(0, 10, ""), 11, seq("", 0, 10), seq("acme/p", 0, 10)},
		{"newest first, as a replayed backlog", nil, func() []*Event {
			var evs []*Event
			for i := 10; i >= 0; i-- { // within the lateness
				evs = append(evs, deletionEv(strconv.Itoa(i), "p"+strconv.Itoa(i), tAt(strconv.Itoa(10*i)+"s")))
			}
			return evs
		}(), 11, seq("", 0, 10), seq("acme/p", 0, 10)},
		{"lines without an id", nil, append(deletions(0, 5, ""), deletionEv("", "legacy1", tAt("6m")),
			deletionEv("", "legacy2", tAt("7m")), deletionEv("", "legacy3", tAt("8m")), deletionEv("", "legacy4", tAt("9m")),
			deletionEv("", "legacy5", tAt("10m"))), 11, seq("", 0, 5),
			append(seq("acme/p", 0, 5), seq("acme/legacy", 1, 5)...)},
		{"the same project twice", nil, append(deletions(0, 9, ""), deletionEv("99", "p3", tAt("10m"))), 11,
			append(seq("", 0, 9), "99"), append(append(seq("acme/p", 0, 2), seq("acme/p", 4, 9)...), "acme/p3")},
		{"the most recent 20 of 25", map[string]string{"min_count": "24"}, deletions(0, 24, ""), 25,
			seq("", 5, 24), seq("acme/p", 5, 24)},
		{"deletions that left the window", nil, append(deletions(0, 4, ""), deletions(100, 110, "")...), 11,
			seq("", 100, 110), seq("acme/p", 100, 110)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var alerts []*Alert
			e, _ := engineFor(t, "sentinel.repo_deletion", tc.params, &alerts)
			for _, ev := range tc.evs {
				e.Process(ev)
			}
			if len(alerts) != 1 {
				t.Fatalf("%d alerts, want 1", len(alerts))
			}
			a := alerts[0]
			if a.Count != tc.count || !slices.Equal(a.EventIDs, tc.ids) || a.Get("EntityPaths") != strings.Join(tc.paths, ",") {
				t.Errorf("count %d, event_ids %q, EntityPaths %q; want %d, %q, %q",
					a.Count, a.EventIDs, a.Get("EntityPaths"), tc.count, tc.ids, strings.Join(tc.paths, ","))
			}
		})
	}
}

// TestRepoDeletionEventIDsRestart checks that the EventIDs and paths of
// deletions counted before a restart are listed by the alert after it.
func TestRepoDeletionEventIDsRestart(t *testing.T) {
	dir := t.TempDir()
	evs := deletions(0, 10, "")
	if alerts := runUntil(t, "sentinel.repo_deletion", nil, nil, dir, evs[:6]); len(alerts) != 0 {
		t.Fatalf("%d alerts from 6 deletions", len(alerts))
	}
	alerts, _ := runRule(t, "sentinel.repo_deletion", nil, nil, dir, evs[6:])
	if len(alerts) != 1 || !slices.Equal(alerts[0].EventIDs, seq("", 0, 10)) ||
		alerts[0].Get("EntityPaths") != strings.Join(seq("acme/p", 0, 10), ",") {
		t.Fatalf("alerts %+v, want 1 listing deletions 0 to 10", alerts)
	}
}

// TestRepoDeletionRestoreWithoutIDs restores a state saved before the rule
// kept EventIDs and paths: the window's count holds, and the alert lists
// the ids and paths it has.
func TestRepoDeletionRestoreWithoutIDs(t *testing.T) {
	r, err := repoDeletionSpec().New(NewParams("sentinel.repo_deletion", nil, nil), &Env{})
	if err != nil {
		t.Fatal(err)
	}
	// Ten deletions in the window, as the previous version saved them.
	at := tAt("").UnixNano()
	span := r.(*repoDeletion).span
	old := `{"learn_from":` + strconv.FormatInt(hourOf(tAt("")), 10) + `,"slots":[{"i":` +
		strconv.FormatInt(floorDiv(at, span.bucket), 10) + `,"n":10,"f":` + strconv.FormatInt(at, 10) + `,"l":` +
		strconv.FormatInt(at, 10) + `}],"hours":[{"h":` + strconv.FormatInt(hourOf(tAt("")), 10) +
		`,"n":10}],"authors":[{"v":"eve","t":` + strconv.FormatInt(at, 10) + `}]}`
	if err := r.(Stateful).Restore([]byte(old)); err != nil {
		t.Fatalf("Restore(state without ids and paths): %v", err)
	}
	var alerts []*Alert
	r.Observe(deletionEv("11", "p11", tAt("1m")), nil, func(a *Alert) { alerts = append(alerts, a) })
	if len(alerts) != 1 || alerts[0].Count != 11 || !slices.Equal(alerts[0].EventIDs, []string{"11"}) ||
		alerts[0].Get("EntityPaths") != "acme/p11" {
		t.Fatalf("alerts %+v, want 1 counting 11 and listing 11 and acme/p11", alerts)
	}
}

// TestRepoDeletionIDsBounded feeds a flood of deletions of distinct
// projects into one window and checks that the rule keeps at most
// MaxEventIDs ids and MaxListed paths.
func TestRepoDeletionIDsBounded(t *testing.T) {
	r, err := repoDeletionSpec().New(NewParams("sentinel.repo_deletion", nil, nil), &Env{})
	if err != nil {
		t.Fatal(err)
	}
	nop := func(*Alert) {}
	for i := range 10_000 {
		r.Observe(deletionEv(strconv.Itoa(i), "p"+strconv.Itoa(i), tAt("").Add(time.Duration(i)*time.Millisecond)), nil, nop)
	}
	rd := r.(*repoDeletion)
	if len(rd.ids) > MaxEventIDs || cap(rd.ids) > MaxEventIDs || len(rd.paths.Seen) > MaxListed {
		t.Errorf("%d ids (cap %d), %d paths held; want at most %d and %d", len(rd.ids), cap(rd.ids),
			len(rd.paths.Seen), MaxEventIDs, MaxListed)
	}
	if rd.paths.vals != nil && cap(rd.paths.vals.b) > 2*(MaxListed+1)*len("acme/p9999") {
		t.Errorf("paths buffer of %d bytes", cap(rd.paths.vals.b))
	}
}

// TestRepoDeletionNoAllocUncounted checks that an event
// sentinel.repo_deletion does not count (an audit line that is not a
// project removal, a deletion whose window closed) costs no allocation.
func TestRepoDeletionNoAllocUncounted(t *testing.T) {
	r, err := repoDeletionSpec().New(NewParams("sentinel.repo_deletion", nil, nil), &Env{})
	if err != nil {
		t.Fatal(err)
	}
	nop := func(*Alert) {}
	r.Observe(deletionEv("1", "p1", tAt("3h")), nil, nop)
	r.Advance(tAt("3h"), nop)
	other := auditEv("audit_json.log", tAt("3h"), parser.ColRemoveAction, "user_access", parser.ColEntityPath, "acme")
	late := deletionEv("2", "p2", tAt("1h"))
	for name, ev := range map[string]*Event{"not a project removal": other, "late": late} {
		if n := testing.AllocsPerRun(100, func() { r.Observe(ev, nil, nop) }); n != 0 {
			t.Errorf("%s: %v allocations per event, want 0", name, n)
		}
	}
}

// projectEv returns a project_deletion_marked (marked) or project_destroyed
// of the project with id pid at when, with EventID id.
func projectEv(id, pid string, marked bool, when time.Time) *Event {
	name := "project_destroyed"
	if marked {
		name = "project_deletion_marked"
	}
	return auditEv("audit_json.log", when, parser.ColEventName, name, parser.ColAuthorName, "eve",
		parser.ColEntityID, pid, parser.ColEntityType, "Project", parser.ColEntityPath, "acme/p"+pid, parser.ColEventID, id)
}

// TestRepoDeletionProjectOnce checks that with count_marked a project
// counts once per window whichever of its events are seen, across a
// restart too: ten projects marked, then destroyed, are 10 deletions, not
// 20; an eleventh project alerts with a count of 11; a project destroyed
// more than a window after it was marked counts again.
func TestRepoDeletionProjectOnce(t *testing.T) {
	params := map[string]string{"count_marked": "true"}
	var marks, destroys []*Event
	for i := range 10 {
		pid := strconv.Itoa(100 + i)
		marks = append(marks, projectEv("m"+pid, pid, true, tAt(strconv.Itoa(i)+"m")))
		destroys = append(destroys, projectEv("d"+pid, pid, false, tAt(strconv.Itoa(20+i)+"m")))
	}
	dir := t.TempDir()
	if alerts := runUntil(t, "sentinel.repo_deletion", params, nil, dir, marks); len(alerts) != 0 {
		t.Fatalf("%d alerts from 10 marked projects", len(alerts))
	}
	alerts, _ := runRule(t, "sentinel.repo_deletion", params, nil, dir, destroys)
	if len(alerts) != 0 {
		t.Fatalf("10 projects marked and destroyed (a restart between) gave %d alerts (count %d), want 0: each project counts once",
			len(alerts), alerts[0].Count)
	}
	alerts, _ = runRule(t, "sentinel.repo_deletion", params, nil, t.TempDir(),
		append(append(slices.Clone(marks), destroys...), projectEv("d110", "110", false, tAt("30m"))))
	if len(alerts) != 1 || alerts[0].Count != 11 {
		t.Fatalf("alerts %+v, want 1 counting 11 projects", alerts)
	}
	later := []*Event{projectEv("m1", "1", true, tAt(""))}
	for i := range 10 {
		pid := strconv.Itoa(200 + i)
		later = append(later, projectEv("d"+pid, pid, false, tAt("2h").Add(time.Duration(i)*time.Minute)))
	}
	later = append(later, projectEv("d1", "1", false, tAt("2h15m")))
	alerts, _ = runRule(t, "sentinel.repo_deletion", params, nil, t.TempDir(), later)
	if len(alerts) != 1 || alerts[0].Count != 11 {
		t.Fatalf("alerts %+v, want 1 counting 11: project 1 destroyed 2 h after it was marked counts again", alerts)
	}
}

// TestProjectSeenBounded: the projects remembered stay at most
// maxSeenProjects under a flood of distinct ids, the oldest forgotten
// first (so counted again), the newest still remembered.
func TestProjectSeenBounded(t *testing.T) {
	var s projectSeen
	window := int64(time.Hour)
	for i := range maxSeenProjects + 10 {
		if s.seen(strconv.Itoa(i), int64(i), window) {
			t.Fatalf("project %d seen before it was counted", i)
		}
	}
	if n := s.len(); n != maxSeenProjects {
		t.Errorf("%d projects held, want %d", n, maxSeenProjects)
	}
	if s.seen("0", maxSeenProjects+20, window) {
		t.Error("the oldest project is still held")
	}
	if !s.seen(strconv.Itoa(maxSeenProjects+9), maxSeenProjects+20, window) {
		t.Error("the newest project was forgotten")
	}
}
