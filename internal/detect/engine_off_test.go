package detect

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

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

// TestSpecLogsAgreeWithWants: the logs a spec says its rule alerts on
// (Spec.Logs) are among those its Wants keys name, under the defaults
// and the parameters that change them, so that no rule is left off for a
// log it does not read.
func TestSpecLogsAgreeWithWants(t *testing.T) {
	ti := filepath.Join(t.TempDir(), "ti.txt")
	if err := os.WriteFile(ti, []byte("203.0.113.0/24\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := &Env{Log: slog.New(slog.DiscardHandler), Geo: testGeoDB(t), Now: time.Now}
	base := map[string]string{"ti_file": ti, "allowed_domains": "example.com", "known_countries": "DE"}
	variants := []map[string]string{{}, {"all_logs": "true"}, {"access_log": "false"}}
	n := 0
	for _, s := range Catalogue() {
		if s.Logs == nil {
			continue
		}
		n++
		for _, v := range variants {
			p := NewParams(s.Info.ID, base, v)
			r, err := s.New(p, env)
			if err != nil {
				t.Fatalf("%s %v: %v", s.Info.ID, v, err)
			}
			var read []parser.Type
			for _, k := range r.Wants() {
				read = append(read, k.Type)
			}
			logs := s.Logs(NewParams(s.Info.ID, base, v))
			for _, l := range logs {
				if !slices.Contains(read, l) {
					t.Errorf("%s %v: Logs %v, but its Wants read %v", s.Info.ID, v, logs, read)
				}
			}
			if len(logs) == 0 {
				t.Errorf("%s %v: Logs names no log", s.Info.ID, v)
			}
			r.Close(func(*Alert) {})
		}
	}
	if n < 6 {
		t.Errorf("%d specs with Logs, want the 6 that need data or join", n)
	}
}

// TestJumpFurthest: of two lines that move the watermark more than the
// lateness ahead, Stats.Jump names the one furthest ahead of the newest
// line before it, whichever came last (the bundled audit sample named a
// jump of 3 minutes after one of years).
func TestJumpFurthest(t *testing.T) {
	e, err := New(Config{Specs: []Spec{testSpec()}})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	t0 := time.Date(2024, 5, 10, 17, 0, 0, 0, time.UTC)
	for i, at := range []time.Time{t0, t0.Add(365 * 24 * time.Hour), t0.Add(365*24*time.Hour + 5*time.Minute), t0.Add(10 * time.Minute)} {
		e.Process(auditEvent(strconv.Itoa(i), "login", "u", at, "audit_json.log", int64(i+1)))
	}
	if j := e.Stats().Jump; j.Offset != 2 || !j.Prev.Equal(t0) {
		t.Errorf("Jump at line %d (after %s), want line 2, a year after %s", j.Offset, j.Prev, t0)
	}
}

// TestEngineRuleOffReasonNamesEveryCause: a rule that lacks two things is
// off with a reason naming both, in Off and in the "detection rule off"
// line New logs alike: what its settings lack, then the log no source
// reads (Types), or known_countries, then the GeoIP database. With one
// given, the reason names the other alone (fresh-user trial 32, F8: run
// logged only the log no source reads, and the country rules only
// known_countries, so that giving it revealed the next cause); a geoip_db
// given that does not open is such a second cause. The TI
// rule's says all_logs turns it on too, unless it is set (trial 29, F3).
func TestEngineRuleOffReasonNamesEveryCause(t *testing.T) {
	const (
		noTI      = "no ti_file (an indicator file: one IP address or CIDR per line)"
		noAccess  = "it alerts on lines of the access log (nginx/gitlab_access.log) and no source reads it: add a source of type access to turn it on, or set all_logs: true to match the addresses of audit and application lines too"
		noLog     = "it alerts on lines of the access or audit or application log (nginx/gitlab_access.log; gitlab-rails/audit_json.log; gitlab-rails/application_json.log or application.log) and no source reads it: add a source of type access or audit or application to turn it on"
		noKnown   = "needs known_countries (ISO codes, e.g. DE,IE,PT)"
		noGeoBase = "needs a GeoIP City or Country database (geoip: city_db in the agent config, or the geoip_db parameter)"
	)
	ti := filepath.Join(t.TempDir(), "ti.txt")
	if err := os.WriteFile(ti, []byte("203.0.113.0/24\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	audit := []parser.Type{parser.TypeAudit}
	db, absent := filepath.Join(t.TempDir(), "City.mmdb"), filepath.Join(t.TempDir(), "absent.mmdb")
	writeGeoDB(t, db)
	for _, tc := range []struct {
		name, rule string
		cfg        Config
		want       string
		logs       bool // OffError.Logs set: off for the sources alone
	}{
		{"no ti_file, no access log", "sentinel.ti_malicious_ip", Config{Types: audit}, noTI + "; also, " + noAccess, false},
		{"no access log", "sentinel.ti_malicious_ip", Config{Types: audit, Params: map[string]string{"ti_file": ti}}, noAccess, true},
		{"no ti_file", "sentinel.ti_malicious_ip", Config{}, noTI, false},
		{"all_logs: no log of the three", "sentinel.ti_malicious_ip", Config{Types: []parser.Type{parser.TypeAuth}, Params: map[string]string{"ti_file": ti, "all_logs": "true"}}, noLog, true},
		{"no known_countries, no GeoIP", "falco.git_op_unknown_country", Config{}, noKnown + "; also, " + noGeoBase, false},
		{"no known_countries", "falco.git_op_unknown_country", Config{Rules: map[string]RuleConfig{
			"falco.git_op_unknown_country": {Params: map[string]string{"geoip_db": db}}}}, noKnown, false},
		// Named with the lack, not once it is given (fresh-user trial
		// 281: the rule's reason named known_countries alone).
		{"no known_countries, a geoip_db that does not open", "falco.git_op_unknown_country", Config{Rules: map[string]RuleConfig{
			"falco.git_op_unknown_country": {Params: map[string]string{"geoip_db": absent}}}},
			noKnown + "; also, its geoip_db cannot be read: open city_db " + absent + " (want a GeoIP2/GeoLite2 City or Country database): open " + absent + ": no such file or directory", false},
		{"no GeoIP", "falco.git_op_unknown_country", Config{Params: map[string]string{"known_countries": "DE"}}, noGeoBase, false},
		{"admin mode: no known_countries, no GeoIP", "falco.admin_mode_unknown_country", Config{Types: audit}, noKnown + "; also, " + noGeoBase, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			tc.cfg.Log = slog.New(slog.NewJSONHandler(&logs, nil))
			e, err := New(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			i := slices.IndexFunc(e.Off(), func(o *OffError) bool { return o.Rule == tc.rule })
			if i < 0 {
				t.Fatalf("%s is not off: %v", tc.rule, e.Off())
			}
			if o := e.Off()[i]; o.Reason != tc.want || (o.Logs != nil) != tc.logs {
				t.Errorf("Off: %q (Logs %v), want %q (Logs set: %v)", o.Reason, o.Logs, tc.want, tc.logs)
			}
			want := `"msg":"detection rule off","rule":"` + tc.rule + `","reason":` + strconv.Quote(tc.want) + "}"
			if !strings.Contains(logs.String(), want) {
				t.Errorf("log lacks %s\n%s", want, logs.String())
			}
		})
	}
}

// TestEngineStreamOnly: falco.git_op_unknown_country alerts on the
// repository_git_operation audit events, which GitLab only streams: with
// Config.NoStream (an agent whose audit log comes from files alone) the
// audit log does not count for it, and it is off unless a source reads
// the access log (access_log: true), the reason saying that streaming
// turns it on too; with streaming, or in detect (NoStream false), an audit
// source is enough (fresh-user trial 30, F4: the rule showed on with an
// audit_json.log source, where it can never alert).
func TestEngineStreamOnly(t *testing.T) {
	const (
		id       = "falco.git_op_unknown_country"
		noStream = "it alerts on repository_git_operation audit events, which GitLab sends only by Audit Event Streaming, never to audit_json.log, and the agent receives none: configure streaming: to turn it on"
		noAccess = "it alerts on lines of the access log (nginx/gitlab_access.log) and no source reads it: add a source of type access to turn it on, or configure streaming: (Audit Event Streaming sends the repository_git_operation audit events it alerts on too, which never reach audit_json.log)"
	)
	db := filepath.Join(t.TempDir(), "City.mmdb")
	writeGeoDB(t, db)
	audit, access := []parser.Type{parser.TypeAudit}, []parser.Type{parser.TypeAccess}
	params := func(accessLog string) map[string]string {
		return map[string]string{"known_countries": "DE", "geoip_db": db, "access_log": accessLog}
	}
	for _, tc := range []struct {
		name string
		cfg  Config
		want string // the reason it is off; "" when it runs
	}{
		{"audit files only, access_log false", Config{Types: audit, NoStream: true, Params: params("false")}, noStream},
		{"audit files only", Config{Types: audit, NoStream: true, Params: params("true")}, noAccess},
		{"audit and access files", Config{Types: []parser.Type{parser.TypeAudit, parser.TypeAccess}, NoStream: true, Params: params("true")}, ""},
		{"access files, access_log false", Config{Types: access, NoStream: true, Params: params("false")}, noStream},
		{"streaming", Config{Types: audit, Params: params("false")}, ""},
		{"detect: any log", Config{Params: params("false")}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Only = []string{id}
			e, err := New(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			got := ""
			for _, o := range e.Off() {
				if o.Rule == id {
					got = o.Reason
					if o.Logs == nil {
						t.Errorf("off with Logs nil: %q", o.Reason)
					}
				}
			}
			if got != tc.want {
				t.Errorf("off for %q, want %q", got, tc.want)
			}
			if on := slices.ContainsFunc(e.Rules(), func(in Info) bool { return in.ID == id }); on != (tc.want == "") {
				t.Errorf("runs: %v, want %v", on, tc.want == "")
			}
		})
	}
}
