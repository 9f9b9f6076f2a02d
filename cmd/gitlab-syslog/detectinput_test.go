package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/gziptest"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

func TestParseDetectInput(t *testing.T) {
	tests := []struct {
		arg    string
		path   string
		typ    parser.Type
		stream bool
	}{
		{"audit:/tmp/x.log", "/tmp/x.log", parser.TypeAudit, false},
		{"application:app.txt", "app.txt", parser.TypeApplication, false},
		{"access:-", "-", parser.TypeAccess, false},
		{"stream:/var/spool/events.log", "/var/spool/events.log", parser.TypeAudit, true},
		{"/var/log/gitlab/gitlab-rails/audit_json.log", "/var/log/gitlab/gitlab-rails/audit_json.log", parser.TypeAudit, false},
		{"audit_json.log.1", "audit_json.log.1", parser.TypeAudit, false},
		{"audit_json.log.2.gz", "audit_json.log.2.gz", parser.TypeAudit, false},
		{"application_json.log-20250301.gz", "application_json.log-20250301.gz", parser.TypeApplication, false},
		{"application.log.3", "application.log.3", parser.TypeApplication, false},
		{"nginx/gitlab_access.log.1", "nginx/gitlab_access.log.1", parser.TypeAccess, false},
		{"mixed.log", "mixed.log", parser.TypeUnknown, false},
		{"-", "-", parser.TypeUnknown, false},
		{"other:file.log", "other:file.log", parser.TypeUnknown, false}, // not a TYPE: a file name with a colon
		{"gitlab-rails/auth_json.log.2.gz", "gitlab-rails/auth_json.log.2.gz", parser.TypeAuth, false},
		{"gitlab_access.log.bak", "gitlab_access.log.bak", parser.TypeUnknown, false},
	}
	for _, tt := range tests {
		in, err := parseDetectInput(tt.arg)
		if err != nil || in.path != tt.path || in.typ != tt.typ || in.stream != tt.stream {
			t.Errorf("parseDetectInput(%q) = %+v, %v; want path %q type %v stream %v", tt.arg, in, err, tt.path, tt.typ, tt.stream)
		}
	}
}

// TestDetectMergesInputsInTimeOrder feeds the lines of one rule split over
// three inputs (a gzip file, stdin and a plain file, with rotation suffix
// and auto-detection) and expects the alerts in event-time order.
func TestDetectMergesInputsInTimeOrder(t *testing.T) {
	dir := t.TempDir()
	line := func(id, when string) string {
		return `{"id":` + id + `,"author_id":9,"entity_id":9,"entity_type":"User","author_name":"Bob","entity_path":"bob","created_at":"` + when +
			`","target_type":"User","target_id":9,"details":{"custom_message":"User access locked"},"event_type":"user_access_locked"}` + "\n"
	}
	gzPath := filepath.Join(dir, "audit_json.log.2.gz")
	if err := os.WriteFile(gzPath, gziptest.Compress(t, []byte(line("1", "2025-03-03T09:00:00Z")+line("4", "2025-03-03T09:03:00Z"))), 0o600); err != nil {
		t.Fatal(err)
	}
	plain := filepath.Join(dir, "spool.jsonl")
	if err := os.WriteFile(plain, []byte(line("2", "2025-03-03T09:01:00Z")+line("5", "2025-03-03T09:04:00Z")), 0o600); err != nil {
		t.Fatal(err)
	}
	stdin := strings.NewReader(line("3", "2025-03-03T09:02:00Z"))
	var out, errOut bytes.Buffer
	o := &detectOptions{rules: []string{"falco.user_locked"}, format: "json"}
	if err := runDetect(context.Background(), o, []string{gzPath, "stream:-", plain}, stdin, &out, &errOut); err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	var ids []string
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		i := strings.Index(l, `"EventID":"`)
		if i < 0 {
			t.Fatalf("alert without EventID: %s", l)
		}
		ids = append(ids, l[i+11:i+12])
	}
	if strings.Join(ids, "") != "12345" {
		t.Errorf("alerts in order %v, want 1 2 3 4 5\n%s", ids, errOut.String())
	}
	if !strings.Contains(errOut.String(), "read 5 lines (0 not parsed), 5 events for the rules") ||
		!strings.Contains(errOut.String(), "falco.user_locked") {
		t.Errorf("summary:\n%s", errOut.String())
	}
}

func TestDetectErrors(t *testing.T) {
	dir := t.TempDir()
	ok := filepath.Join(dir, "audit_json.log")
	if err := os.WriteFile(ok, []byte(`{"id":1,"created_at":"2025-03-03T09:00:00Z","event_type":"user_access_locked"}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		o    detectOptions
		args []string
		want string
	}{
		{"unreadable input", detectOptions{format: "json"}, []string{ok, filepath.Join(dir, "missing.log")}, "missing.log: no such file"},
		{"bad format", detectOptions{format: "xml"}, []string{ok}, `--format "xml"`},
		{"bad param", detectOptions{format: "json", params: []string{"novalue"}}, []string{ok}, `--param "novalue": want NAME=VALUE`},
		{"unknown rule", detectOptions{format: "json", rules: []string{"falco.nope"}}, []string{ok}, `unknown rule "falco.nope"`},
		{"stdin twice", detectOptions{format: "json"}, []string{"-", "audit:-"}, "detect: standard input (-) given 2 times; it can be read once: give - once, or the files by name"},
		{"unknown param typo", detectOptions{format: "json", params: []string{"min_cont=3"}}, []string{ok},
			`--param min_cont: no rule reads a parameter "min_cont" (did you mean "min_count"?)`},
		{"unknown param", detectOptions{format: "json", params: []string{"zzzzzz=1"}}, []string{ok},
			`--param zzzzzz: no rule reads a parameter "zzzzzz" (detect --list`},
		{"param twice", detectOptions{format: "json", params: []string{"allowed_domains=corp.example", "allowed_domains=example.org"}}, []string{ok},
			`--param allowed_domains given twice ("corp.example", then "example.org"): give it once, a list's items comma-separated (allowed_domains=corp.example,example.org)`},
		{"one-value param twice", detectOptions{format: "json", params: []string{"max_keys=5", "max_keys=6"}}, []string{ok},
			`--param max_keys given twice ("5", then "6"): it takes one value; give it once`},
		{"severity as a param", detectOptions{format: "json", params: []string{"severity=high"}}, []string{ok},
			`--param severity: no rule reads a parameter "severity" (severity is a rule's setting, not a parameter: set it in a --config file, under detections.rules.<id>, as severity: High)`},
		{"lateness as a param", detectOptions{format: "json", params: []string{"lateness=5m"}}, []string{ok},
			`--param lateness: no rule reads a parameter "lateness" (lateness is a key of the detections block, not a rule's parameter: set detections.lateness in a --config file)`},
		{"unknown rule typo", detectOptions{format: "json", rules: []string{"falco.pat_creatd"}}, []string{ok},
			`--rule falco.pat_creatd: unknown rule "falco.pat_creatd" (did you mean "falco.pat_created"?)`},
		{"allowed_domains as a URL", detectOptions{format: "json", params: []string{"allowed_domains=corp.example,https://example.org"}}, []string{ok},
			`--param allowed_domains=corp.example,https://example.org: rule sentinel.external_user: "https://example.org" is a URL, which no e-mail address has: write the domain, example.org (`},
		{"rules comma-separated", detectOptions{format: "json", rules: []string{"sentinel.bruteforce,falco.pat_created"}}, []string{ok},
			`--rule sentinel.bruteforce,falco.pat_created: --rule takes one rule id; repeat the flag for more (--rule sentinel.bruteforce --rule falco.pat_created)`},
		{"format in capitals is a format", detectOptions{format: "RFC5424", rules: []string{"falco.nope"}}, []string{ok}, `unknown rule "falco.nope"`},
		{"every rule off", detectOptions{format: "json", rules: []string{"sentinel.ti_malicious_ip"}}, []string{ok},
			`every rule given with --rule is off (sentinel.ti_malicious_ip: no ti_file`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := runDetect(context.Background(), &tt.o, tt.args, strings.NewReader(""), &out, &errOut)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// TestDetectConfigGeoIP checks that detect --config opens the config's
// geoip.city_db for the rules that need it, as run does: the rule that is
// off without a database runs.
func TestDetectConfigGeoIP(t *testing.T) {
	city, err := filepath.Abs(filepath.Join(samples, "geoip", "GeoIP2-City-Test.mmdb"))
	if err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(cfgPath, []byte("geoip:\n  city_db: "+city+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(samples, "application_json.log")
	for _, tc := range []struct {
		name, config string
		wantErr      string // "": runs
	}{
		{"with city_db", cfgPath, ""},
		{"without", "", "every rule given with --rule is off (sentinel.signin_burst: needs a GeoIP"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			o := detectOptions{format: "json", config: tc.config, rules: []string{"sentinel.signin_burst"}}
			err := runDetect(context.Background(), &o, []string{in}, strings.NewReader(""), &out, &errOut)
			if tc.wantErr == "" {
				if err != nil || strings.Contains(errOut.String(), "is off") || !strings.Contains(errOut.String(), "from 1 rule") {
					t.Errorf("err %v, stderr:\n%s", err, errOut.String())
				}
			} else if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("err = %v, want it to contain %q", err, tc.wantErr)
			} else if strings.Contains(errOut.String(), "sentinel.signin_burst is off") {
				t.Errorf("the reason is printed besides the error:\n%s", errOut.String())
			}
		})
	}
}

func TestDetectList(t *testing.T) {
	var out bytes.Buffer
	if err := listRules(&out); err != nil {
		t.Fatal(err)
	}
	for _, s := range detect.Catalogue() {
		if !strings.Contains(out.String(), "\n"+s.Info.ID+" ") {
			t.Errorf("--list lacks %s", s.Info.ID)
		}
	}
	if !strings.Contains(out.String(), "sentinel.ti_malicious_ip") || !strings.Contains(out.String(), "ti_file,all_logs") ||
		!strings.Contains(out.String(), "Every rule also takes suppress") {
		t.Errorf("--list:\n%s", out.String())
	}
}

// TestDetectUnreadableInputsAllNamed: every input that cannot be read is
// named in the error, once each and in argument order (not only the
// first), a missing "WORD:FILE" says that WORD is not an input type (and
// which one it likely is), a missing FILE of TYPE:FILE beside a file
// named TYPE:FILE says how to name that file (fresh-user trial 120),
// TYPE:TYPE:FILE says TYPE was given twice (trial 233), TYPE:PATTERN that
// the shell left as it is says why and how to give its files (trial
// 234), and nothing is processed: no alert of the
// readable inputs, no summary, as the inputs are checked before any is
// read.
func TestDetectUnreadableInputsAllNamed(t *testing.T) {
	dir := t.TempDir()
	ok := filepath.Join(dir, "audit_json.log")
	if err := os.WriteFile(ok, []byte(`{"id":1,"created_at":"2025-03-03T09:00:00Z","event_type":"user_access_locked"}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	badGzip := filepath.Join(dir, "audit_json.log.2.gz") // gzip's magic, then not a gzip header
	if err := os.WriteFile(badGzip, []byte("\x1f\x8b\x00\x00 not gzip at all\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.log")
	if err := os.WriteFile(filepath.Join(sub, "audit_json.log.1"), nil, 0o600); err != nil { // a rotated copy, without its live file
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "audit:x.log"), nil, 0o600); err != nil { // a file named like TYPE:FILE
		t.Fatal(err)
	}
	t.Chdir(dir)
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"a file named TYPE:FILE", []string{"audit:x.log"}, []string{"open x.log: no such file or directory (audit:x.log was taken as TYPE:FILE, FILE x.log; a file named audit:x.log exists: to read it, write ./audit:x.log)"}},
		{"TYPE given twice", []string{"audit:audit:audit_json.log"}, []string{`open audit:audit_json.log: no such file or directory (audit:audit:audit_json.log gives TYPE twice: give it once, audit:audit_json.log)`}},
		{"TYPE:PATTERN", []string{"audit:audit_json.lo?"}, []string{`open audit_json.lo?: no such file or directory (the shell does not expand a pattern after TYPE:, as audit:audit_json.lo? is one word to it, and audit_json.lo? matches 1 file: give them each with their TYPE, e.g. $(for f in audit_json.lo?; do printf 'audit:%s ' "$f"; done), or by name alone, which gives GitLab's logs their type)`}},
		{"missing alone", []string{"missing.log"}, []string{"open missing.log: no such file or directory (is the path right?)"}},
		{"missing after a readable file", []string{ok, missing}, []string{"open " + missing + ": no such file or directory (is the path right?)"}},
		{"missing before a readable file", []string{missing, ok}, []string{"open " + missing + ": no such file or directory (is the path right?)"}},
		{"typo of a file there", []string{"audit_jsn.log"}, []string{"open audit_jsn.log: no such file or directory (did you mean audit_json.log?)"}},
		{"typo of a file there, absolute", []string{filepath.Join(dir, "audit_json.lg")}, []string{"open " + filepath.Join(dir, "audit_json.lg") + ": no such file or directory (did you mean " + ok + "?)"}},
		{"another log's name is no typo", []string{"auth_json.log"}, []string{"open auth_json.log: no such file or directory (is the path right?)"}},
		{"a rotated copy is no typo", []string{filepath.Join(sub, "audit_json.log")}, []string{"open " + filepath.Join(sub, "audit_json.log") + ": no such file or directory (is the path right?)"}},
		{"missing directory", []string{filepath.Join(dir, "gitlab", "nginx", "a.log")}, []string{"open " + filepath.Join(dir, "gitlab", "nginx", "a.log") + ": no such file or directory (directory " + filepath.Join(dir, "gitlab") + " does not exist: is the path right?)"}},
		{"all named", []string{sub, ok, "adit:audit_json.log", "audit:", badGzip, missing}, []string{
			sub + " is a directory, not a log file; give the log files in it (e.g. " + filepath.Join(sub, "*.log*") + ")",
			`open adit:audit_json.log: no such file or directory ("adit" is not an input type: TYPE:FILE takes audit, application, access, auth or stream (did you mean "audit"?))`,
			`open audit:: no such file or directory ("audit:" names no file: give TYPE:FILE, e.g. audit:/var/log/gitlab/gitlab-rails/audit_json.log)`,
			badGzip + ": starts with gzip's magic number but is not gzip data (gzip: invalid header): the file is damaged, or holds other data; check it with gzip -t " + badGzip + ", or copy it again from its source",
			"open " + missing + ": no such file or directory (is the path right?)",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			o := detectOptions{format: "json", rules: []string{"falco.user_locked"}}
			err := runDetect(context.Background(), &o, tc.args, strings.NewReader(""), &out, &errOut)
			if err == nil {
				t.Fatal("detect succeeded with unreadable inputs")
			}
			if want := "detect: " + strings.Join(tc.want, "\n"); err.Error() != want {
				t.Errorf("error:\n%v\nwant:\n%s", err, want)
			}
			if out.Len() > 0 || errOut.Len() > 0 {
				t.Errorf("processed before failing: stdout %q, stderr %q", out.String(), errOut.String())
			}
		})
	}
}

// TestDetectBadParamValue: a bad --param value is reported once, naming
// the flag and its value, not once per rule that reads the parameter
// (with --rule, only the rules it runs, fresh-user trial 209); a
// bad value of the --config file (a rule's or the global params) is
// reported with the file's name and line, as check reports it.
func TestDetectBadParamValue(t *testing.T) {
	dir := t.TempDir()
	ok := filepath.Join(dir, "audit_json.log")
	if err := os.WriteFile(ok, []byte(`{"id":1,"created_at":"2025-03-03T09:00:00Z","event_type":"user_access_locked"}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte("detections:\n  rules:\n    sentinel.repo_deletion:\n      window: soon\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	global := filepath.Join(dir, "global.yaml")
	if err := os.WriteFile(global, []byte("detections:\n  params:\n    max_keys: 0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const above0 = `want a duration above 0, at most 87600h (10 years), such as "90s", "60m" or "24h" (a bare number is seconds)`
	for _, tc := range []struct {
		name string
		o    detectOptions
		want string // the whole error
	}{
		{"duration", detectOptions{format: "json", params: []string{"window=abc"}},
			`detect: --param window=abc: rules sentinel.bruteforce, gitlab.password_spray, gitlab.distributed_guessing and 2 more: ` + above0},
		{"negative session", detectOptions{format: "json", params: []string{"max_session=-1h"}},
			`detect: --param max_session=-1h: rule sentinel.impersonation: ` + above0},
		{"window too long to hold", detectOptions{format: "json", params: []string{"window=99999999999h"}},
			`detect: --param window=99999999999h: rules sentinel.bruteforce, gitlab.password_spray, gitlab.distributed_guessing and 2 more: too large; ` + above0},
		{"window whose start would overflow", detectOptions{format: "json", params: []string{"window=2562047h"}},
			`detect: --param window=2562047h: rules sentinel.bruteforce, gitlab.password_spray, gitlab.distributed_guessing and 2 more: too large; ` + above0},
		{"suppression whose end would overflow", detectOptions{format: "json", params: []string{"suppress=2562047h"}},
			`detect: --param suppress=2562047h: rules sentinel.repo_public, sentinel.local_auth_no_mfa, falco.failed_login_standard and 32 more: too large; want a duration from 0 to 87600h (10 years), such as "90s", "60m" or "24h" (a bare number is seconds)`},
		{"count too large to hold", detectOptions{format: "json", params: []string{"min_tokens=99999999999999999999"}},
			`detect: --param min_tokens=99999999999999999999: rule sentinel.pat_over_time: too large (the largest whole number is 9223372036854775807); want a whole number, 0 or more`},
		{"rules --rule runs alone", detectOptions{format: "json", params: []string{"min_count=-3"}, rules: []string{"sentinel.bruteforce"}},
			`detect: --param min_count=-3: rule sentinel.bruteforce: want a whole number, 0 or more`},
		{"count", detectOptions{format: "json", params: []string{"max_keys=0"}},
			`detect: --param max_keys=0: rules sentinel.local_auth_no_mfa, sentinel.external_user, sentinel.bruteforce and 5 more: want a whole number, at least 1`},
		{"config file", detectOptions{format: "json", config: cfg},
			"detect: " + cfg + `:4: detections.rules.sentinel.repo_deletion.window: "soon": ` + above0},
		{"config file's params", detectOptions{format: "json", config: global},
			"detect: " + global + `:3: detections.params.max_keys: "0": rules sentinel.local_auth_no_mfa, sentinel.external_user, sentinel.bruteforce and 5 more: want a whole number, at least 1`},
		// --param window sets the window of every rule, the file's
		// sentinel.repo_deletion too: its "soon" is not used.
		{"flag over the file's rule", detectOptions{format: "json", config: cfg, params: []string{"window=abc"}},
			`detect: --param window=abc: rules sentinel.bruteforce, gitlab.password_spray, gitlab.distributed_guessing and 2 more: ` + above0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := runDetect(context.Background(), &tc.o, []string{ok}, strings.NewReader(""), &out, &errOut)
			if err == nil || err.Error() != tc.want {
				t.Errorf("err =\n%v\nwant\n%s", err, tc.want)
			}
		})
	}
}

// TestDetectWarnsUnparsedInput: an input of which no line parses (a wrong
// TYPE: prefix, not a GitLab log) is named in a warning, instead of
// passing as "0 alerts", with the type its lines look like when most
// look like one; an input with some parsed lines is not.
func TestDetectWarnsUnparsedInput(t *testing.T) {
	access := filepath.Join(samples, "gitlab_access.log")
	for _, tc := range []struct {
		name string
		args []string
		want string // "": no warning
	}{
		{"wrong prefix", []string{"audit:" + access},
			"detect: WARNING: none of the 18 lines of " + access + " parsed as audit: 18 of them look like access lines: give access:" + access + "\n"},
		{"wrong prefix, lines of no known type", []string{"audit:" + filepath.Join(samples, "..", "LICENSE")},
			"parsed as audit: is the TYPE: prefix (or the file name) right, or is it another log?\n"},
		{"not a GitLab log", []string{filepath.Join(samples, "..", "LICENSE")},
			"parsed as any GitLab log type: is it a GitLab log?"},
		{"right type", []string{access}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			o := detectOptions{format: "json"}
			if err := runDetect(context.Background(), &o, tc.args, strings.NewReader(""), &out, &errOut); err != nil {
				t.Fatal(err)
			}
			got := strings.Contains(errOut.String(), " parsed as ") // the sample's line in another zone is warned of apart (warnOutlierInputs)
			if tc.want == "" && got || tc.want != "" && !strings.Contains(errOut.String(), tc.want) {
				t.Errorf("detect %v summary:\n%s\nwant warning %q", tc.args, errOut.String(), tc.want)
			}
		})
	}
}

// TestDetectFormatAnyCase checks that --format takes its values in any
// case (RFC5424 as the RFC writes it): the output is the same.
func TestDetectFormatAnyCase(t *testing.T) {
	in := filepath.Join(t.TempDir(), "audit_json.log")
	if err := os.WriteFile(in, []byte(`{"severity":"INFO","time":"2025-07-01T10:00:00.000Z","author_id":1,"entity_id":1,"entity_type":"User","custom_message":"Started Impersonation","target_id":3,"target_type":"User","target_details":"jdoe","author_name":"Administrator","entity_path":"root"}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Date(2025, 7, 2, 0, 0, 0, 0, time.UTC) }
	var want string
	for _, f := range []string{"rfc5424", "RFC5424", "Rfc5424"} {
		var out, errOut bytes.Buffer
		o := detectOptions{format: f, rules: []string{"falco.admin_impersonation"}, now: now}
		if err := runDetect(context.Background(), &o, []string{in}, strings.NewReader(""), &out, &errOut); err != nil {
			t.Fatalf("--format %s: %v", f, err)
		}
		if !strings.HasPrefix(out.String(), "<") {
			t.Fatalf("--format %s: not syslog: %q", f, out.String())
		}
		if want == "" {
			want = out.String()
		} else if out.String() != want {
			t.Errorf("--format %s printed\n%s\nwant\n%s", f, out.String(), want)
		}
	}
}

// TestDetectConfigEngineOff: a config with detections.enabled: false (a
// node agent's, as examples/node.yaml) still hunts with detect: the rules
// it turns on run, and a note says that the setting is for run (before,
// detect ran no rule and said nothing of why).
func TestDetectConfigEngineOff(t *testing.T) {
	cfgPath := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(cfgPath, []byte("detections:\n  enabled: false\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	o := detectOptions{format: "json", config: cfgPath}
	if err := runDetect(context.Background(), &o, []string{filepath.Join(samples, "audit_json.log")}, strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errOut.String(), cfgPath+" sets detections.enabled: false") {
		t.Errorf("no note on detections.enabled: false; stderr:\n%s", errOut.String())
	}
	if strings.Contains(errOut.String(), "from 0 rules") || !strings.Contains(out.String(), `"rule":"falco.pat_created"`) {
		t.Errorf("the rules did not run; stderr:\n%s\nstdout:\n%s", errOut.String(), out.String())
	}
}

// TestDetectMistypedInput: an input whose TYPE: prefix names another log
// than its lines are gets a warning naming the type its lines look like
// (before, application:audit_json.log passed as "0 alerts" in silence); a
// rightly typed input and one none of whose lines parsed (warned about
// otherwise: warnUnparsedInputs, which names the type then) get none.
func TestDetectMistypedInput(t *testing.T) {
	audit, app := filepath.Join(samples, "audit_json.log"), filepath.Join(samples, "application_json.log")
	for _, tc := range []struct {
		arg  string
		want string // "": no such warning
	}{
		{"application:" + audit, "25 of the 25 lines of " + audit + " look like audit lines but were read as application"},
		{"auth:" + audit, "look like audit lines but were read as auth"},
		{"audit:" + app, ""}, // not audit events, none parsed: warnUnparsedInputs's case
		{"audit:" + audit, ""},
		{audit, ""},
		{"access:" + audit, ""}, // none parsed: warnUnparsedInputs's case
		{"stream:" + app, ""},
		{"stream:" + filepath.Join("..", "..", "testdata", "detections", "sentinel.impersonation", "stream-action", "events.log"), ""},
	} {
		var out, errOut bytes.Buffer
		o := detectOptions{format: "json"}
		if err := runDetect(context.Background(), &o, []string{tc.arg}, strings.NewReader(""), &out, &errOut); err != nil {
			t.Fatalf("%s: %v", tc.arg, err)
		}
		got := errOut.String()
		if tc.want == "" && strings.Contains(got, "but were read as") || tc.want != "" && !strings.Contains(got, tc.want) {
			t.Errorf("%s: stderr:\n%s\nwant the warning %q", tc.arg, got, tc.want)
		}
	}
}

// TestDetectSummaryGeoSkipped: the summary says how many events a GeoIP
// rule passed over for an address without a country (a private one here),
// which before were counted but shown nowhere (fresh-user trial 69).
func TestDetectSummaryGeoSkipped(t *testing.T) {
	city, err := filepath.Abs(filepath.Join(samples, "geoip", "GeoIP2-City-Test.mmdb"))
	if err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(t.TempDir(), "application_json.log")
	var lines strings.Builder
	for i, ip := range []string{"10.1.2.3", "192.168.65.1", "81.2.69.142"} {
		fmt.Fprintf(&lines, `{"severity":"INFO","time":"2024-05-31T18:3%d:33.869Z","meta.caller_id":"SessionsController#create","meta.remote_ip":%q,"meta.user":"root","message":"Successful Login: username=root ip=%s method=standard admin=true"}`+"\n", i, ip, ip)
	}
	if err := os.WriteFile(in, []byte(lines.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	o := detectOptions{format: "json", rules: []string{"sentinel.signin_burst"}, params: []string{"geoip_db=" + city}, now: func() time.Time { return detectedAt }}
	if err := runDetect(context.Background(), &o, []string{in}, strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if want := ", 2 passed over (address without a country: private, reserved or not in the GeoIP database)"; !strings.Contains(errOut.String(), want) {
		t.Errorf("summary lacks %q:\n%s", want, errOut.String())
	}
}
