package detect

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

var updateGeo = flag.Bool("update-geoip", false, "rewrite testdata/geoip/GeoIP2-City-Test.mmdb from testPlaces")

// TestGeoIPFixture checks that the committed test database is the one
// writeGeoDB builds from testPlaces, and that it answers as the golden
// cases assume: a country for public test ranges, none for private ones.
func TestGeoIPFixture(t *testing.T) {
	tmp := filepath.Join(t.TempDir(), "db.mmdb")
	writeGeoDB(t, tmp)
	built, err := os.ReadFile(tmp)
	if err != nil {
		t.Fatal(err)
	}
	if *updateGeo {
		if err := os.WriteFile(geoFixture, built, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	committed, err := os.ReadFile(geoFixture)
	if err != nil {
		t.Fatalf("%v (run go test -run TestGeoIPFixture -update-geoip)", err)
	}
	if !bytes.Equal(built, committed) {
		t.Errorf("%s is not what testPlaces build; run with -update-geoip", geoFixture)
	}
	g := geoLookup{db: testGeoDB(t)}
	for ip, want := range map[string]string{
		"81.2.69.142": "GB", "175.16.199.10": "CN", "175.17.3.9": "CN", "2a02:c7c::9": "PT", "89.160.20.115": "SE",
		"10.2.47.75": "", "127.0.0.1": "", "192.168.1.10": "", "203.0.113.9": "", "8.8.8.8": "",
	} {
		if got := g.lookup(&Event{}, ip).ISO; got != want {
			t.Errorf("country of %s = %q, want %q", ip, got, want)
		}
	}
}

// TestCountryFromAgentEnrichment: in the agent, events may arrive with
// geoip's columns already added by the parse worker; the GeoIP rules use
// them (no second lookup), and look an address up themselves only when the
// event has none (detect, or a worker without enrichment).
func TestCountryFromAgentEnrichment(t *testing.T) {
	var alerts []*Alert
	e, err := New(Config{Only: []string{"falco.admin_mode_unknown_country"}, Geo: testGeoDB(t),
		Rules: map[string]RuleConfig{"falco.admin_mode_unknown_country": {Params: map[string]string{"known_countries": "GB"}}},
		Emit:  func(a *Alert) { alerts = append(alerts, a) }})
	if err != nil {
		t.Fatal(err)
	}
	adminMode := func(id, ip string, extra ...string) *Event {
		cols := []string{"EventName", "user_enable_admin_mode", "EventID", id, "IPAddress", ip}
		return auditEv("stream", tAt(id+"s"), append(cols, extra...)...)
	}
	// Enriched by the agent as Brazil although the database says GB: the
	// enrichment is used.
	e.Process(adminMode("1", "81.2.69.142", "CountryISOCode", "BR", "Country", "Brazil"))
	// Not enriched: looked up, GB is known.
	e.Process(adminMode("2", "81.2.69.142"))
	// Not enriched, China: alert with the looked-up place.
	e.Process(adminMode("3", "175.16.199.10"))
	// A private address has no country: skipped and counted, never alerted (the Falco rule alerts on them: "" is not in its list).
	e.Process(adminMode("4", "10.20.30.40"))
	if len(alerts) != 2 || alerts[0].Get("CountryISOCode") != "BR" || alerts[1].Get("City") != "Changchun" {
		t.Fatalf("alerts %d: want BR from the enrichment, then CN (Changchun) from the lookup", len(alerts))
	}
	if n := e.Stats().Rules["falco.admin_mode_unknown_country"].Skipped; n != 1 {
		t.Errorf("Skipped = %d, want 1", n)
	}
}

// TestSigninNewCountry: with new_country_days, a sign-in from a country
// the user has not signed in from within that many days alerts, once the
// user has a history (also one whose countries all expired); a country
// seen before does not, nor does the first sign-in of a user.
func TestSigninNewCountry(t *testing.T) {
	var alerts []*Alert
	e, err := New(Config{Only: []string{"sentinel.signin_burst"}, Geo: testGeoDB(t),
		Rules: map[string]RuleConfig{"sentinel.signin_burst": {Params: map[string]string{"new_country_days": "30"}}},
		Emit:  func(a *Alert) { alerts = append(alerts, a) }})
	if err != nil {
		t.Fatal(err)
	}
	login := func(when, ip string) {
		e.Process(&Event{Type: parser.TypeApplication, Time: tAt(when), Source: "application_json.log",
			Columns: []Column{{parser.ColEventKind, parser.KindSuccessfulLogin}, {parser.ColUsername, "alice"}, {parser.ColIPAddress, ip}}})
	}
	login("0h", "81.2.69.142")      // first sign-in: GB becomes known
	login("48h", "81.2.69.10")      // GB again
	login("96h", "89.160.20.115")   // SE: new for alice → alert
	login("120h", "89.160.20.116")  // SE again: known
	login("1200h", "175.16.199.10") // 50 days later: GB and SE expired, CN is new for a user with a history → alert
	login("1210h", "81.2.69.142")   // GB: new again after CN → alert
	var got []string
	for _, a := range alerts {
		got = append(got, a.Get("CountryISOCode")+"@"+a.Time.Sub(tAt("")).String()+" new="+a.Get("NewCountry"))
	}
	want := []string{"SE@96h0m0s new=true", "CN@1200h0m0s new=true", "GB@1210h0m0s new=true"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("alerts %v, want %v", got, want)
	}
}
