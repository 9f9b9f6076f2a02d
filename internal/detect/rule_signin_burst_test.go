package detect

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// signinEngine returns an engine running sentinel.signin_burst alone on
// the test GeoIP database with params and lateness, and the alerts it
// emits.
func signinEngine(t *testing.T, params map[string]string, lateness time.Duration) (*Engine, *[]*Alert) {
	t.Helper()
	var alerts []*Alert
	e, err := New(Config{Only: []string{"sentinel.signin_burst"}, Geo: testGeoDB(t), Lateness: lateness,
		Rules: map[string]RuleConfig{"sentinel.signin_burst": {Params: params}},
		Emit:  func(a *Alert) { a.detach(); alerts = append(alerts, a) }})
	if err != nil {
		t.Fatal(err)
	}
	return e, &alerts
}

// appLogin returns an application-log successful_login of user from ip.
func appLogin(user, ip string, when time.Time) *Event {
	return &Event{Type: parser.TypeApplication, Time: when, Source: "application_json.log", Origin: OriginFile,
		Columns: []Column{{parser.ColEventKind, parser.KindSuccessfulLogin}, {parser.ColUsername, user}, {parser.ColIPAddress, ip}}}
}

// TestSigninBurstOutOfOrder: a sign-in that completes a burst but comes
// after a newer one of the user (within the window) gives the alert of
// time order: the window ends at the newest sign-in (window_end not before
// last_event), with the same alert_id, time, window and first and last
// events. Also when the user holds an earlier run (a lateness above the
// window keeps it), where the sign-in is judged with best.
func TestSigninBurstOutOfOrder(t *testing.T) {
	ips := map[string]string{"0m": "81.2.69.142", "100m": "89.160.20.112", "130m": "81.2.69.142", "150m": "175.16.199.10"} // GB, SE, GB, CN
	for _, tc := range []struct {
		name      string
		lateness  time.Duration
		sorted    []string
		reordered []string
	}{
		{"newest first", 0, []string{"100m", "130m"}, []string{"130m", "100m"}},
		{"with an earlier run", 24 * time.Hour, []string{"0m", "100m", "150m"}, []string{"0m", "150m", "100m"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run := func(order []string) *Alert {
				t.Helper()
				e, alerts := signinEngine(t, nil, tc.lateness)
				for _, d := range order {
					e.Process(appLogin("alice", ips[d], tAt(d)))
				}
				if len(*alerts) != 1 {
					t.Fatalf("order %v: %d alerts, want 1", order, len(*alerts))
				}
				return (*alerts)[0]
			}
			newest := tAt(tc.sorted[len(tc.sorted)-1])
			want, got := run(tc.sorted), run(tc.reordered)
			if !want.WindowEnd.Equal(newest) || !want.LastEvent.Equal(newest) {
				t.Fatalf("in order: window_end %s last_event %s, want both %s", ts(want.WindowEnd), ts(want.LastEvent), ts(newest))
			}
			if got.ID != want.ID || got.Count != want.Count || !got.Time.Equal(want.Time) ||
				!got.WindowStart.Equal(want.WindowStart) || !got.WindowEnd.Equal(want.WindowEnd) ||
				!got.FirstEvent.Equal(want.FirstEvent) || !got.LastEvent.Equal(want.LastEvent) || got.Get("Countries") != want.Get("Countries") {
				t.Errorf("order %v: alert %s count %d time %s window %s..%s events %s..%s %s;\nwant %s count %d time %s window %s..%s events %s..%s %s", tc.reordered,
					got.ID, got.Count, ts(got.Time), ts(got.WindowStart), ts(got.WindowEnd), ts(got.FirstEvent), ts(got.LastEvent), got.Get("Countries"),
					want.ID, want.Count, ts(want.Time), ts(want.WindowStart), ts(want.WindowEnd), ts(want.FirstEvent), ts(want.LastEvent), want.Get("Countries"))
			}
		})
	}
}

// TestSigninBurstLegacyRemoteIP: GitLab's legacy audit sign-in lines
// (`with`, no EventName) carry their address only in meta.remote_ip; the
// rule takes it when the line has no IPAddress, looks its country up and
// names it as the alert's IPAddress. A line with an IPAddress is judged by
// it, whatever its meta.remote_ip.
func TestSigninBurstLegacyRemoteIP(t *testing.T) {
	e, alerts := signinEngine(t, nil, 0)
	legacy := func(when, user string, cols ...string) *Event {
		return auditEv("audit_json.log", tAt(when), append([]string{parser.ColAuthenticationType, "standard",
			"meta.user", user, parser.ColEntityType, "User"}, cols...)...)
	}
	e.Process(legacy("0m", "alice", colMetaRemoteIP, "81.2.69.142"))                                     // GB
	e.Process(legacy("10m", "bob", colMetaRemoteIP, "81.2.69.142"))                                      // GB
	e.Process(legacy("20m", "bob", parser.ColIPAddress, "81.2.69.10", colMetaRemoteIP, "175.16.199.10")) // GB by IPAddress
	e.Process(legacy("30m", "alice", colMetaRemoteIP, "175.16.199.10"))                                  // CN: burst
	if len(*alerts) != 1 {
		t.Fatalf("%d alerts, want 1 (alice GB then CN by meta.remote_ip)", len(*alerts))
	}
	a := (*alerts)[0]
	if a.Get(parser.ColUsername) != "alice" || a.Get("Countries") != "GB,CN" || a.Get(parser.ColIPAddress) != "175.16.199.10" ||
		a.Get("CountryISOCode") != "CN" {
		t.Errorf("alert %v, want alice GB,CN from 175.16.199.10 (CN)", a.Columns)
	}
	if n := e.Stats().Rules["sentinel.signin_burst"].Skipped; n != 0 {
		t.Errorf("Skipped = %d, want 0", n)
	}
}

// TestSigninNewCountryDormant: with new_country_days 30, a user whose
// countries all expired (dormant for more than 30 days, forgotten by
// Advance) still has a sign-in history, also across a restart: a sign-in
// from a country not seen in the last 30 days alerts as new, while the
// first sign-in of a user never seen does not. The look-back is exactly
// 30×24 h: a country last seen 720 h earlier is known, one seen 720 h and
// 1 s earlier is new (not whole UTC days: both are 30 days on by date).
func TestSigninNewCountryDormant(t *testing.T) {
	params := map[string]string{"new_country_days": "30"}
	dir := t.TempDir()
	var alerts []*Alert
	engine := func() *Engine {
		e, err := New(Config{Only: []string{"sentinel.signin_burst"}, Geo: testGeoDB(t), StateDir: dir,
			Rules: map[string]RuleConfig{"sentinel.signin_burst": {Params: params}},
			Emit:  func(a *Alert) { a.detach(); alerts = append(alerts, a) }})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	gb, cn := "81.2.69.142", "175.16.199.10"
	e := engine()
	e.Process(appLogin("alice", gb, tAt("0h")))
	e.Process(appLogin("carol", gb, tAt("0h")))
	e.Process(appLogin("erin", gb, tAt("1h")))
	e.Process(appLogin("fred", gb, tAt("1h")))
	e.Process(appLogin("erin", gb, tAt("721h")))   // GB seen exactly 720 h ago: known
	e.Process(appLogin("fred", gb, tAt("721h1s"))) // GB seen 720 h 1 s ago: new
	// 40 days on: alice and carol are forgotten but remembered.
	e.Process(appLogin("zed", gb, tAt("960h")))
	if err := e.Save(); err != nil {
		t.Fatal(err)
	}
	e.Close()
	e = engine()                                  // a restart: the remembered users come back from the state
	e.Process(appLogin("alice", cn, tAt("961h"))) // dormant, CN never seen: new
	e.Process(appLogin("carol", gb, tAt("961h"))) // dormant, GB not seen in 30 days: new
	e.Process(appLogin("bob", cn, tAt("961h")))   // never seen: a first sign-in, not alerted
	if n := e.Stats().Rules["sentinel.signin_burst"].Keys; n != 6 {
		t.Errorf("Keys = %d, want 6 (alice, bob, carol, erin, fred and zed, held or remembered)", n)
	}
	e.Close()
	var got []string
	for _, a := range alerts {
		got = append(got, a.Get(parser.ColUsername)+":"+a.Get("CountryISOCode")+":"+a.Get("NewCountry"))
	}
	want := []string{"fred:GB:true", "alice:CN:true", "carol:GB:true"}
	if !slices.Equal(got, want) {
		t.Errorf("alerts %v, want %v", got, want)
	}
}

// TestSigninStateCompat: a state file written before the remembered users
// and known_at (countries by UTC day under "known") still loads: a day d
// keeps its country known through the end of day d+N, as it did; the
// state written now round-trips, remembered users included.
func TestSigninStateCompat(t *testing.T) {
	params := map[string]string{"new_country_days": "30"}
	e, alerts := signinEngine(t, params, 0)
	r := e.byID["sentinel.signin_burst"].rule.(*signinBurst)
	day := dayOf(tAt("0h")) // 2024-06-10
	old := `[{"u":"alice","recent":{"seen":[{"v":"GB","t":` + strconv.FormatInt(tAt("0h").UnixNano(), 10) + `}],"first":` +
		strconv.FormatInt(tAt("0h").UnixNano(), 10) + `},"known":{"GB":` + strconv.FormatInt(day, 10) + `}}]`
	if err := r.Restore([]byte(old)); err != nil {
		t.Fatal(err)
	}
	// 2024-07-10 23:00 is day+30: GB still known, as before.
	e.Process(appLogin("alice", "81.2.69.142", tAt("734h")))
	e.Process(appLogin("alice", "89.160.20.112", tAt("735h"))) // SE: new
	if len(*alerts) != 1 || (*alerts)[0].Get("CountryISOCode") != "SE" {
		t.Fatalf("%d alerts, want 1 for SE", len(*alerts))
	}
	r.past.touch("bob")
	*r.past.touch("bob") = tAt("1h").UnixNano()
	snap, err := r.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(snap), `"known"`) || !strings.Contains(string(snap), `"known_at"`) ||
		!strings.Contains(string(snap), `{"u":"bob","past":`) {
		t.Errorf("snapshot %s: want known_at and bob remembered", snap)
	}
	e2, _ := signinEngine(t, params, 0)
	r2 := e2.byID["sentinel.signin_burst"].rule.(*signinBurst)
	if err := r2.Restore(snap); err != nil {
		t.Fatal(err)
	}
	if snap2, _ := r2.Snapshot(); string(snap2) != string(snap) {
		t.Errorf("round trip:\n%s\n%s", snap, snap2)
	}
}

// TestSigninPastBounded: the users held and those remembered count
// together against max_keys; a new user evicts the oldest remembered one
// first, counted as Evicted.
func TestSigninPastBounded(t *testing.T) {
	e, _ := signinEngine(t, map[string]string{"new_country_days": "1", "max_keys": "3"}, 0)
	r := e.byID["sentinel.signin_burst"].rule.(*signinBurst)
	for i, u := range []string{"u1", "u2", "u3"} {
		e.Process(appLogin(u, "81.2.69.142", tAt(strconv.Itoa(i)+"m")))
	}
	e.Process(appLogin("u4", "81.2.69.142", tAt("72h"))) // u1..u3 forgotten, remembered as far as there is room
	e.Process(appLogin("u5", "81.2.69.142", tAt("73h"))) // the oldest remembered goes for u5
	st := e.Stats().Rules["sentinel.signin_burst"]
	var past []string
	r.past.each(func(k string, _ *int64) bool { past = append(past, k); return true })
	if st.Keys != 3 || st.Evicted != 2 || r.users.len() != 2 || !slices.Equal(past, []string{"u3"}) {
		t.Errorf("Keys %d Evicted %d held %d remembered %v, want 3, 2, 2, [u3]", st.Keys, st.Evicted, r.users.len(), past)
	}
}
