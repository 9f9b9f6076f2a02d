package detect

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
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
