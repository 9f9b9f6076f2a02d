package geoip

import (
	"strings"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// TestFieldNamesAreSDNames checks that the GeoIP columns reach the wire
// under their own names, in the main STRUCTURED-DATA element.
func TestFieldNamesAreSDNames(t *testing.T) {
	for _, n := range []string{FieldCity, FieldCountry, FieldCountryISOCode, FieldContinent, FieldASN, FieldASOrganization} {
		if !parser.ValidSDName(n) || strings.HasPrefix(n, parser.MetaPrefix) {
			t.Errorf("GeoIP column %q is not a valid SD-NAME outside meta.*", n)
		}
	}
}
