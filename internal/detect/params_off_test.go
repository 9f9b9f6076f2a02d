package detect

import (
	"strings"
	"testing"
)

// TestCheckOffRules: the rules a configuration leaves off have their own
// parameters and severity checked as New checks those of the rules it
// builds, values given for every rule included; good values, rules that
// run, rules off for lack of data, and an off rule's missing files (not
// opened: they must not stop an agent that only ships logs) are not
// errors. Before, nothing checked an off rule: its mistake surfaced only
// when it was turned on.
func TestCheckOffRules(t *testing.T) {
	off := false
	for _, tc := range []struct {
		name string
		cfg  Config
		want []string // "" entries none: nil error
	}{
		{"enabled: false, bad window", Config{Rules: map[string]RuleConfig{"sentinel.bruteforce": {Enabled: &off, Params: map[string]string{"window": "0"}}}},
			[]string{`rule sentinel.bruteforce: parameter window="0": want a duration above 0`}},
		{"detections off, bad day count", Config{Disabled: true, Rules: map[string]RuleConfig{"sentinel.pat_over_time": {Params: map[string]string{"anomaly_days": "4000"}}}},
			[]string{`rule sentinel.pat_over_time: parameter anomaly_days="4000": too large (at most 3650 days, 10 years)`}},
		{"not among --rule, bad severity", Config{Only: []string{"falco.pat_created"}, Rules: map[string]RuleConfig{"sentinel.bruteforce": {Severity: "urgent"}}},
			[]string{`rule sentinel.bruteforce: unknown severity "urgent"`}},
		{"off, good values", Config{Rules: map[string]RuleConfig{"sentinel.bruteforce": {Enabled: &off, Severity: "High", Params: map[string]string{"window": "2h", "min_count": "20"}}}}, nil},
		{"running rule: New's to check", Config{Rules: map[string]RuleConfig{"sentinel.bruteforce": {Params: map[string]string{"window": "0"}}}}, nil},
		{"global value read by off rules", Config{Disabled: true, Params: map[string]string{"window": "0"}, Rules: map[string]RuleConfig{"sentinel.bruteforce": {Params: map[string]string{"min_count": "5"}}}},
			[]string{`rule sentinel.bruteforce: parameter window="0"`, `rule sentinel.signin_burst: parameter window="0"`}},
		{"global value, engine off, no rule configured", Config{Disabled: true, Params: map[string]string{"min_countries": "-4"}},
			[]string{`rule sentinel.signin_burst: parameter min_countries="-4"`}},
		{"missing ti_file of an off rule: not opened", Config{Rules: map[string]RuleConfig{"sentinel.ti_malicious_ip": {Enabled: &off, Params: map[string]string{"ti_file": "/nonexistent/ti.txt"}}}}, nil},
		{"missing ti_file given for every rule, engine off", Config{Disabled: true, Params: map[string]string{"ti_file": "/nonexistent/ti.txt"}}, nil},
		{"off for lack of an allow-list", Config{Rules: map[string]RuleConfig{"sentinel.external_user": {Enabled: &off, Params: map[string]string{"suppress": "1h"}}}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckOffRules(tc.cfg)
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("CheckOffRules: %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatal("CheckOffRules: nil, want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %v\nlacks %q", err, w)
				}
			}
		})
	}
}
