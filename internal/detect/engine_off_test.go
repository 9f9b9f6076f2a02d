package detect

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
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

// TestEngineRulesOffForTheirLogs: with Config.Types, a rule is off when
// no log it alerts on is among them: the join rules alert on the
// application log alone (their audit lines only enrich), the others on
// every log their keys name. Off says which logs (OffError.Logs); nil
// Types (detect) runs every rule.
func TestEngineRulesOffForTheirLogs(t *testing.T) {
	ti := filepath.Join(t.TempDir(), "ti.txt")
	if err := os.WriteFile(ti, []byte("203.0.113.0/24\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	params := map[string]string{"ti_file": ti, "allowed_domains": "example.com"}
	app, access := []parser.Type{parser.TypeApplication}, []parser.Type{parser.TypeAccess}
	for _, tc := range []struct {
		name  string
		types []parser.Type
		off   map[string][]parser.Type // the rules off for their logs
	}{
		{"any log", nil, map[string][]parser.Type{}},
		{"audit only", []parser.Type{parser.TypeAudit}, map[string][]parser.Type{
			"sentinel.local_auth_no_mfa": app, "sentinel.external_user": app, "sentinel.bruteforce": app,
			"gitlab.password_spray": app, "gitlab.distributed_guessing": app, "sentinel.ti_malicious_ip": access}},
		{"audit and application", []parser.Type{parser.TypeAudit, parser.TypeApplication}, map[string][]parser.Type{
			"sentinel.ti_malicious_ip": access}},
		{"application only: the join rules run", app, map[string][]parser.Type{
			"sentinel.ti_malicious_ip": access, "sentinel.repo_public": {parser.TypeAudit}, "falco.pat_created": {parser.TypeAudit}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := New(Config{Params: params, Types: tc.types})
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			got := map[string][]parser.Type{}
			for _, o := range e.Off() {
				if o.Logs != nil {
					got[o.Rule] = o.Logs
				}
			}
			for id, logs := range tc.off {
				if !slices.Equal(got[id], logs) {
					t.Errorf("%s off for logs %v, want %v", id, got[id], logs)
				}
			}
			running := map[string]bool{}
			for _, in := range e.Rules() {
				running[in.ID] = true
			}
			for id := range tc.off {
				if running[id] {
					t.Errorf("%s runs", id)
				}
			}
			for _, id := range []string{"sentinel.local_auth_no_mfa", "sentinel.external_user", "sentinel.ti_malicious_ip", "falco.pat_created"} {
				if _, off := tc.off[id]; !off && !running[id] {
					t.Errorf("%s does not run (off: %v)", id, e.Off())
				}
			}
		})
	}
}
