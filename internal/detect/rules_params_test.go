package detect

import (
	"strings"
	"testing"
)

// TestStatefulRuleParams checks that the stateful rules refuse values they
// cannot use, naming rule and parameter, and are off (not failing) without
// the external data they need.
func TestStatefulRuleParams(t *testing.T) {
	geo := testGeoDB(t)
	tests := []struct {
		rule   string
		params map[string]string
		geo    bool
		err    string // substring of the error; "off" for an *OffError; "" for none
	}{
		{"sentinel.bruteforce", nil, false, ""},
		{"sentinel.bruteforce", map[string]string{"window": "0"}, false, "parameter window="},
		{"sentinel.bruteforce", map[string]string{"learning_period": "30m"}, false, "parameter learning_period="},
		{"sentinel.bruteforce", map[string]string{"max_keys": "0"}, false, "parameter max_keys="},
		{"sentinel.bruteforce", map[string]string{"sd_factor": "x"}, false, "parameter sd_factor="},
		{"gitlab.password_spray", map[string]string{"min_users": "0"}, false, "parameter min_users="},
		{"gitlab.distributed_guessing", map[string]string{"min_addresses": "-3"}, false, "parameter min_addresses="},
		{"sentinel.repo_deletion", map[string]string{"bucket": "0s"}, false, "parameter bucket="},
		{"sentinel.repo_deletion", map[string]string{"bucket": "2h"}, false, "parameter bucket="},
		{"sentinel.bruteforce", map[string]string{"window": "30m", "bucket": "31m"}, false, "parameter bucket="},
		{"sentinel.bruteforce", map[string]string{"window": "30m", "bucket": "30m"}, false, ""},
		{"sentinel.bruteforce", map[string]string{"window": "2m"}, false, ""},
		{"sentinel.bruteforce", map[string]string{"window": "61m"}, false, ""},
		// A bucket that does not divide the window (trial 273).
		{"sentinel.bruteforce", map[string]string{"window": "5m", "bucket": "4m"}, false, `parameter bucket="4m": want a bucket that divides the window (5m), which is made of whole buckets: with 4m it would cover 8m; give 15s, or another divisor`},
		{"sentinel.repo_deletion", map[string]string{"window": "60m", "bucket": "7m"}, false, "with 7m it would cover 1h3m; give 5m,"},
		{"sentinel.repo_deletion", map[string]string{"window": "61m", "bucket": "5m"}, false, "give 1m,"},
		{"sentinel.repo_deletion", map[string]string{"window": "60m", "bucket": "700ms"}, false, "with 700ms it would cover 1h0m0.1s; give 5m,"},
		{"sentinel.pat_over_time", map[string]string{"min_tokens": "two"}, false, "parameter min_tokens="},
		{"sentinel.pat_over_time", map[string]string{"anomaly": "true", "anomaly_days": "2"}, false, "parameter anomaly_days="},
		{"sentinel.pat_over_time", map[string]string{"anomaly": "yes"}, false, "parameter anomaly="},
		{"sentinel.impersonation", map[string]string{"max_session": "0"}, false, "parameter max_session="},
		{"sentinel.impersonation", map[string]string{"max_pending": "0"}, false, "parameter max_pending="},
		{"sentinel.impersonation", map[string]string{"max_lookback": "-1"}, false, "parameter max_lookback="},
		{"sentinel.impersonation", map[string]string{"max_lookback_bytes": "-1"}, false, "parameter max_lookback_bytes="},
		{"sentinel.impersonation", map[string]string{"max_lookback": "0", "max_lookback_bytes": "0"}, false, ""},
		{"sentinel.impersonation", map[string]string{"max_lookback": "1000", "max_lookback_bytes": "128MiB"}, false, ""},
		{"sentinel.impersonation", map[string]string{"max_lookback_bytes": "64 mb"}, false, ""},
		{"sentinel.impersonation", map[string]string{"max_lookback_bytes": "12 parsecs"}, false, "parameter max_lookback_bytes="},
		{"sentinel.signin_burst", nil, false, "off"},
		{"sentinel.signin_burst", nil, true, ""},
		{"sentinel.signin_burst", map[string]string{"min_countries": "1"}, true, "parameter min_countries="},
		{"sentinel.signin_burst", map[string]string{"geoip_db": "/nonexistent/City.mmdb"}, false, "/nonexistent/City.mmdb"},
		{"sentinel.signin_burst", map[string]string{"geoip_db": geoFixture}, false, ""},
		{"falco.git_op_unknown_country", nil, true, "off"},
		{"falco.git_op_unknown_country", map[string]string{"known_countries": "DE,IE"}, false, "off"},
		{"falco.git_op_unknown_country", map[string]string{"known_countries": "de, ie"}, true, ""},
		{"falco.git_op_unknown_country", map[string]string{"known_countries": "Germany"}, true, "ISO 3166-1 alpha-2"},
		{"falco.git_op_unknown_country", map[string]string{"known_countries": "DE,germany"}, true, `(got "germany": a country name`},
		{"falco.git_op_unknown_country", map[string]string{"known_countries": "DE,uk"}, true, `(got "uk": the United Kingdom is GB)`},
		{"falco.admin_mode_unknown_country", map[string]string{"known_countries": "EL"}, true, `(got "EL": Greece is GR)`},
		{"falco.admin_mode_unknown_country", map[string]string{"known_countries": "GB,GR"}, true, ""},
		// Codes no country has, which GeoIP2 never gives: with them the
		// rule would alert on every address of the countries meant.
		{"falco.admin_mode_unknown_country", map[string]string{"known_countries": "DE,XX"}, true, `(got "XX": a user-assigned code (AA, QM to QZ, XA to XZ, ZZ), which no country has`},
		{"falco.admin_mode_unknown_country", map[string]string{"known_countries": "zz"}, true, `(got "zz": a user-assigned code`},
		{"falco.admin_mode_unknown_country", map[string]string{"known_countries": "AA"}, true, `(got "AA": a user-assigned code`},
		{"falco.admin_mode_unknown_country", map[string]string{"known_countries": "QM"}, true, `(got "QM": a user-assigned code`},
		{"falco.admin_mode_unknown_country", map[string]string{"known_countries": "QZ"}, true, `(got "QZ": a user-assigned code`},
		{"falco.admin_mode_unknown_country", map[string]string{"known_countries": "XA"}, true, `(got "XA": a user-assigned code`},
		{"falco.git_op_unknown_country", map[string]string{"known_countries": "EU"}, true, `(got "EU": a region (GeoIP Legacy's Europe or Asia/Pacific), not a country`},
		{"falco.git_op_unknown_country", map[string]string{"known_countries": "AP"}, true, `(got "AP": a region`},
		{"falco.git_op_unknown_country", map[string]string{"known_countries": "QB"}, true, `(got "QB": not an assigned ISO 3166-1 code)`},
		{"falco.git_op_unknown_country", map[string]string{"known_countries": "XK,QA,AX,SS,BQ"}, true, ""}, // Kosovo as GeoIP2 gives it, Qatar, Åland, South Sudan, Bonaire
		{"falco.admin_mode_unknown_country", map[string]string{"known_countries": "DE", "geoip_db": geoFixture}, false, ""},
		// Both mistakes at once (fresh-user trial 273: only the first).
		{"falco.git_op_unknown_country", map[string]string{"known_countries": "uk", "geoip_db": "/nonexistent/City.mmdb"}, false, "/nonexistent/City.mmdb"},
		{"falco.git_op_unknown_country", map[string]string{"known_countries": "uk", "geoip_db": "/nonexistent/City.mmdb"}, false, "the United Kingdom is GB"},
		{"falco.admin_mode_unknown_country", map[string]string{"known_countries": "DE", "suppress": "-1s", "geoip_db": "/nonexistent/City.mmdb"}, false, "/nonexistent/City.mmdb"},
		{"falco.git_op_unknown_country", map[string]string{"known_countries": "uk"}, false, "the United Kingdom is GB"},
	}
	specs := map[string]Spec{}
	for _, s := range statefulSpecs() {
		specs[s.Info.ID] = s
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			env := &Env{}
			if tt.geo {
				env.Geo = geo
			}
			p := NewParams(tt.rule, nil, tt.params)
			r, err := specs[tt.rule].New(p, env)
			if err == nil {
				err = p.Err()
			}
			switch {
			case tt.err == "" && err != nil:
				t.Fatalf("params %v: %v", tt.params, err)
			case tt.err == "off" && !IsOff(err):
				t.Fatalf("params %v: got %v, want the rule off", tt.params, err)
			case tt.err != "" && tt.err != "off" && (err == nil || !strings.Contains(err.Error(), tt.err)):
				t.Fatalf("params %v: got %v, want an error containing %q", tt.params, err, tt.err)
			}
			if err == nil {
				if r.Info().ID != tt.rule {
					t.Errorf("Info().ID = %q", r.Info().ID)
				}
				r.Close(func(*Alert) {})
			}
		})
	}
}

// TestISOCountries: the list holds the 249 assigned ISO 3166-1 alpha-2
// codes and XK, each two upper-case letters, none in a user-assigned
// range.
func TestISOCountries(t *testing.T) {
	if len(isoCountries) != 250 {
		t.Errorf("%d codes, want 249 assigned and XK", len(isoCountries))
	}
	for c := range isoCountries {
		if len(c) != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z' {
			t.Errorf("%q is not two upper-case letters", c)
		}
		if c != "XK" && (c == "AA" || c == "ZZ" || c[0] == 'X' || c[0] == 'Q' && c[1] >= 'M') {
			t.Errorf("%q is user-assigned", c)
		}
	}
}
