package detect

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

// TestEngineRuleOffLogged: New logs "detection rule off" with the rule and
// the reason for a rule its configuration sets enabled: false (the log of
// a start or a SIGHUP names it), as for a rule off for want of a
// parameter; not for one left out by Only (detect --rule). A rule set
// enabled: false used to go unnamed in the agent's log.
func TestEngineRuleOffLogged(t *testing.T) {
	off := false
	const ti = "sentinel.ti_malicious_ip"
	for _, tc := range []struct {
		name string
		cfg  Config
		want string // "": no line for ti
	}{
		{"enabled: false", Config{Rules: map[string]RuleConfig{ti: {Enabled: &off}}}, `reason="enabled: false"`},
		{"no ti_file", Config{}, `reason="no ti_file`},
		{"left out by Only", Config{Rules: map[string]RuleConfig{ti: {Enabled: &off}}, Only: []string{"sentinel.bruteforce"}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			tc.cfg.Log = slog.New(slog.NewTextHandler(&logs, nil))
			if _, err := New(tc.cfg); err != nil {
				t.Fatal(err)
			}
			var line string
			for _, l := range strings.Split(logs.String(), "\n") {
				if strings.Contains(l, `msg="detection rule off" rule=`+ti+" ") {
					line = l
				}
			}
			if tc.want == "" && line != "" || tc.want != "" && !strings.Contains(line, tc.want) {
				t.Errorf("log line for %s: %q, want %q\n%s", ti, line, tc.want, logs.String())
			}
		})
	}
}
