package detect

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// patEv returns a personal access token creation by Alice on alice at
// when, with EventID id ("" for none).
func patEv(id string, when time.Time) *Event {
	cols := []string{parser.ColEventName, "personal_access_token_created",
		parser.ColAuthorName, "Alice", parser.ColEntityPath, "alice",
		parser.ColCustomMessage, "Created personal access token with id 1"}
	if id != "" {
		cols = append(cols, parser.ColEventID, id)
	}
	return auditEv("audit_json.log", when, cols...)
}

// TestPATEventIDs checks that a sentinel.pat_over_time alert lists the
// EventIDs of the creations it counted, in event-time order, the most
// recent MaxEventIDs when it counted more, and none for creations without
// one or repeated.
func TestPATEventIDs(t *testing.T) {
	ids := func(from, to int) []string {
		var out []string
		for i := from; i <= to; i++ {
			out = append(out, strconv.Itoa(i))
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		params map[string]string
		evs    []*Event
		count  int
		want   []string
	}{
		{"both counted", nil, []*Event{patEv("11", tAt("1h")), patEv("12", tAt("2h"))}, 2, []string{"11", "12"}},
		{"out of order", nil, []*Event{patEv("12", tAt("2h")), patEv("11", tAt("1h"))}, 2, []string{"11", "12"}},
		{"one without an id", nil, []*Event{patEv("", tAt("1h")), patEv("12", tAt("2h"))}, 2, []string{"12"}},
		{"none with an id", nil, []*Event{patEv("", tAt("1h")), patEv("", tAt("2h"))}, 2, nil},
		{"a repeat is not counted", nil,
			[]*Event{patEv("11", tAt("1h")), patEv("11", tAt("1h")), patEv("12", tAt("2h"))}, 2, []string{"11", "12"}},
		{"the most recent 20 of 26", map[string]string{"min_tokens": "25"}, func() []*Event {
			// 2 to 23, 25, 24, 26, then 1 (a day is open until it ends):
			// 25 goes before 24, and 1 is older than the 20 kept.
			var evs []*Event
			for _, i := range append(ids(2, 23), "25", "24", "26", "1") {
				n, _ := strconv.Atoi(i)
				evs = append(evs, patEv(i, tAt(strconv.Itoa(n)+"m")))
			}
			return evs
		}(), 26, ids(7, 26)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var alerts []*Alert
			e, _ := engineFor(t, "sentinel.pat_over_time", tc.params, &alerts)
			for _, ev := range tc.evs {
				e.Process(ev)
			}
			if len(alerts) != 1 {
				t.Fatalf("%d alerts, want 1", len(alerts))
			}
			if got := alerts[0].EventIDs; alerts[0].Count != tc.count || !slices.Equal(got, tc.want) {
				t.Errorf("count %d, event_ids %q; want %d, %q", alerts[0].Count, got, tc.count, tc.want)
			}
		})
	}
}

// TestPATEventIDsRestart checks that the EventIDs counted before a restart
// are listed by the alert after it.
func TestPATEventIDsRestart(t *testing.T) {
	dir := t.TempDir()
	if alerts := runUntil(t, "sentinel.pat_over_time", nil, nil, dir, []*Event{patEv("11", tAt("1h"))}); len(alerts) != 0 {
		t.Fatalf("%d alerts from one creation", len(alerts))
	}
	alerts, _ := runRule(t, "sentinel.pat_over_time", nil, nil, dir, []*Event{patEv("12", tAt("2h"))})
	if len(alerts) != 1 || !slices.Equal(alerts[0].EventIDs, []string{"11", "12"}) {
		t.Fatalf("alerts %+v, want 1 listing 11 and 12", alerts)
	}
}

// TestPATRestoreWithoutIDs restores a state saved before the rule kept
// EventIDs: the counts hold, and the alert lists the ids it has.
func TestPATRestoreWithoutIDs(t *testing.T) {
	day := dayOf(tAt(""))
	old := `{"oldest_day":` + strconv.FormatInt(day, 10) + `,"counts":[{"author":"Alice","path":"alice","day":` +
		strconv.FormatInt(day, 10) + `,"n":1,"first":` + strconv.FormatInt(tAt("1h").UnixNano(), 10) +
		`,"last":` + strconv.FormatInt(tAt("1h").UnixNano(), 10) + `}]}`
	r, err := patOverTimeSpec().New(NewParams("sentinel.pat_over_time", nil, nil), &Env{})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.(Stateful).Restore([]byte(old)); err != nil {
		t.Fatalf("Restore(state without ids): %v", err)
	}
	var alerts []*Alert
	r.Observe(patEv("12", tAt("2h")), nil, func(a *Alert) { alerts = append(alerts, a) })
	if len(alerts) != 1 || alerts[0].Count != 2 || !slices.Equal(alerts[0].EventIDs, []string{"12"}) {
		t.Fatalf("alerts %+v, want 1 counting 2 and listing 12", alerts)
	}
}

// TestPATNoAllocUncounted checks that an event sentinel.pat_over_time does
// not count (a refused creation, a day already closed), or counts for a
// key that alerted already, costs no allocation.
func TestPATNoAllocUncounted(t *testing.T) {
	r, err := patOverTimeSpec().New(NewParams("sentinel.pat_over_time", nil, nil), &Env{})
	if err != nil {
		t.Fatal(err)
	}
	nop := func(*Alert) {}
	r.Observe(patEv("11", tAt("1h")), nil, nop)
	r.Observe(patEv("12", tAt("2h")), nil, nop)
	r.Advance(tAt("25h"), nop)
	refused := auditEv("audit_json.log", tAt("26h"), parser.ColEventName, "personal_access_token_created",
		parser.ColAuthorName, "Alice", parser.ColEntityPath, "alice", parser.ColEventID, "13",
		parser.ColCustomMessage, "Attempted to create personal access token but failed")
	late := patEv("14", tAt("3h"))
	r.Observe(patEv("15", tAt("26h")), nil, nop)
	r.Observe(patEv("16", tAt("26h1m")), nil, nop) // alerts
	again := patEv("17", tAt("26h2m"))
	for name, ev := range map[string]*Event{"refused": refused, "late": late, "after the alert": again} {
		if n := testing.AllocsPerRun(100, func() { r.Observe(ev, nil, nop) }); n != 0 {
			t.Errorf("%s: %v allocations per event, want 0", name, n)
		}
	}
}
