package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDetectRuleConfigOff: --rule ID with a --config file that turns ID
// off (the rule's enabled: false, the block's, or both) runs it and says
// so on standard error in one note per setting, naming the file and the
// setting. Before,
// the rule ran with no note.
func TestDetectRuleConfigOff(t *testing.T) {
	audit := filepath.Join("..", "..", "testdata", "audit_json.log")
	dir := t.TempDir()
	conf := func(name, body string) string {
		return writeFile(t, filepath.Join(dir, name), body)
	}
	ruleOff := conf("rule_off.yml", "detections:\n  rules:\n    falco.pat_created:\n      enabled: false\n")
	twoOff := conf("two_off.yml", "detections:\n  rules:\n    falco.pat_created:\n      enabled: false\n    falco.admin_impersonation:\n      enabled: false\n")
	blockOff := conf("block_off.yml", "detections:\n  enabled: false\n")
	bothOff := conf("both_off.yml", "detections:\n  enabled: false\n  rules:\n    falco.pat_created:\n      enabled: false\n")
	ruleOn := conf("rule_on.yml", "detections:\n  rules:\n    falco.pat_created:\n      enabled: true\n")
	for _, tc := range []struct {
		name   string
		config string
		rules  []string
		want   string // the note; "" for none
	}{
		{"rule off", ruleOff, []string{"falco.pat_created"},
			"detect: " + ruleOff + " sets detections.rules.falco.pat_created.enabled: false, which turns the rule off in run; --rule runs it anyway\n"},
		{"two rules off", twoOff, []string{"falco.pat_created", "falco.admin_impersonation"},
			"detect: " + twoOff + " sets enabled: false for falco.pat_created, falco.admin_impersonation (detections.rules.ID.enabled), which turns them off in run; --rule runs them anyway\n"},
		{"block off", blockOff, []string{"falco.pat_created"},
			"detect: " + blockOff + " sets detections.enabled: false, which turns detection off in run; --rule runs falco.pat_created anyway\n"},
		// Both settings: turning the block on again would still leave
		// the rule off in run.
		{"block and rule off", bothOff, []string{"falco.pat_created"},
			"detect: " + bothOff + " sets detections.enabled: false, which turns detection off in run; --rule runs falco.pat_created anyway\n" +
				"detect: " + bothOff + " sets detections.rules.falco.pat_created.enabled: false, which turns the rule off in run; --rule runs it anyway\n"},
		{"another rule off", twoOff, []string{"sentinel.repo_public"}, ""},
		{"rule on", ruleOn, []string{"falco.pat_created"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := &detectOptions{format: "json", rules: tc.rules, config: tc.config, now: func() time.Time { return detectedAt }}
			var stdout, stderr bytes.Buffer
			if err := runDetect(context.Background(), o, []string{audit}, strings.NewReader(""), &stdout, &stderr); err != nil {
				t.Fatal(err)
			}
			if stdout.Len() == 0 {
				t.Errorf("no alert: the rule did not run")
			}
			got := stderr.String()
			if tc.want == "" {
				if strings.Contains(got, "anyway") {
					t.Errorf("a note for a rule the config does not turn off:\n%s", got)
				}
				return
			}
			if strings.Count(got, tc.want) != 1 {
				t.Errorf("stderr has not exactly one %q:\n%s", tc.want, got)
			}
			if strings.Count(got, "anyway") != strings.Count(tc.want, "anyway") {
				t.Errorf("more notes than wanted:\n%s", got)
			}
		})
	}
}

// TestDetectParamNotRead: a --param no rule that runs reads is a usage
// error naming the parameter, the rules that run and those that read it;
// a parameter a running rule reads (suppress is read by every rule) is
// not. Before, --rule falco.pat_created --param window=2h was silently
// accepted. An empty value that leaves its reader off says it is empty
// (trial 52: it read as if the flag were not given).
func TestDetectParamNotRead(t *testing.T) {
	audit := filepath.Join("..", "..", "testdata", "audit_json.log")
	for _, tc := range []struct {
		name   string
		rules  []string
		params []string
		want   []string // in the error; none: no error
	}{
		{"window for a per-event rule", []string{"falco.pat_created"}, []string{"window=2h"},
			[]string{"--param window: no rule that runs reads it (the rule that runs is falco.pat_created); the rules that read it are sentinel.bruteforce,", "run them with --rule, or leave --param window out"}},
		{"ti_file without its rule", []string{"falco.pat_created", "sentinel.repo_public"}, []string{"ti_file=x.txt"},
			[]string{"--param ti_file: no rule that runs reads it (the rules that run are sentinel.repo_public, falco.pat_created); the rule that reads it is sentinel.ti_malicious_ip: run it with --rule"}},
		{"reader off for want of data", nil, []string{"known_countries=DE"},
			[]string{"--param known_countries: no rule that runs reads it", "falco.git_op_unknown_country is off: needs a GeoIP", "give them what they need, or leave --param known_countries out"}},
		{"empty value of a rule's need", nil, []string{"allowed_domains="},
			[]string{"--param allowed_domains is empty, so sentinel.external_user, which needs it, is off: give it a value", "or leave --param allowed_domains out"}},
		// A list of empty items is empty too (fresh-user trial 63).
		{"list of empty items", nil, []string{"allowed_domains=, ,"},
			[]string{"--param allowed_domains is empty, so sentinel.external_user, which needs it, is off"}},
		{"two names, each named", []string{"falco.pat_created"}, []string{"window=2h", "min_tokens=3"},
			[]string{"--param window:", "--param min_tokens:"}},
		{"suppress is read by every rule", []string{"falco.pat_created"}, []string{"suppress=1h"}, nil},
		{"window for its rule", []string{"sentinel.bruteforce"}, []string{"window=2h"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := &detectOptions{format: "json", rules: tc.rules, params: tc.params}
			var stdout, stderr bytes.Buffer
			err := runDetect(context.Background(), o, []string{audit}, strings.NewReader(""), &stdout, &stderr)
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error; stderr:\n%s", stderr.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if stdout.Len() > 0 || strings.Contains(stderr.String(), "alerts from") {
				t.Errorf("the run started:\nstdout %s\nstderr %s", stdout.String(), stderr.String())
			}
		})
	}
}

// TestDetectOffRulesNamedOnce: each rule left off is one line with one
// prefix ("detect: rule ID is off: why"), not the engine's own
// "detections:" prefix after detect's.
func TestDetectOffRulesNamedOnce(t *testing.T) {
	audit := filepath.Join("..", "..", "testdata", "audit_json.log")
	var stdout, stderr bytes.Buffer
	if err := runDetect(context.Background(), &detectOptions{format: "json"}, []string{audit}, strings.NewReader(""), &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr.String(), "\ndetect: rule sentinel.signin_burst is off: needs a GeoIP") && !strings.HasPrefix(stderr.String(), "detect: rule sentinel.signin_burst is off: needs a GeoIP") {
		t.Errorf("no line for the GeoIP rule off:\n%s", stderr.String())
	}
	if strings.Contains(stderr.String(), "detect: detections:") {
		t.Errorf("a doubled prefix:\n%s", stderr.String())
	}
}

// TestDetectMissingTIFileAdvice: a ti_file of --config that does not
// exist stops detect with what to do in detect (--param ti_file, --rule),
// not with what run would do.
func TestDetectMissingTIFileAdvice(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "detections:\n  rules:\n    sentinel.ti_malicious_ip: {ti_file: "+filepath.Join(dir, "nope.txt")+"}\n")
	audit := filepath.Join("..", "..", "testdata", "audit_json.log")
	var stdout, stderr bytes.Buffer
	err := runDetect(context.Background(), &detectOptions{format: "json", config: cfg}, []string{audit}, strings.NewReader(""), &stdout, &stderr)
	if err == nil {
		t.Fatalf("detect ran; stderr:\n%s", stderr.String())
	}
	for _, w := range []string{"c.yaml:3: detections.rules.sentinel.ti_malicious_ip.ti_file:", "no such file or directory: restore the file, give another with --param ti_file=FILE, or leave the rule out (--rule"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q:\n%v", w, err)
		}
	}
	if strings.Contains(err.Error(), "run starts without the file") {
		t.Errorf("run's advice in detect's error:\n%v", err)
	}
}

// TestDetectFileParamHint: a --param ti_file or geoip_db that cannot be
// read says what to do, as an input file does: a likely typo, the
// directory that does not exist, or the file to give in a directory
// (fresh-user trial 32, F9, and trial 30, F5: a raw stat or open error).
func TestDetectFileParamHint(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "indicators.txt"), "203.0.113.7\n")
	writeFile(t, filepath.Join(dir, "City.mmdb"), "")
	access := filepath.Join("..", "..", "testdata", "gitlab_access.log")
	const geoRules = "rules sentinel.signin_burst, falco.git_op_unknown_country, falco.admin_mode_unknown_country: "
	for _, tc := range []struct{ name, param, path, rules, want string }{
		{"missing", "ti_file", filepath.Join(dir, "missing.txt"), "rule sentinel.ti_malicious_ip: ", ": no such file or directory (is the path right?)"},
		{"typo", "ti_file", filepath.Join(dir, "indicator.txt"), "rule sentinel.ti_malicious_ip: ", ": no such file or directory (did you mean " + filepath.Join(dir, "indicators.txt") + "?)"},
		{"no directory", "ti_file", filepath.Join(dir, "feeds", "ti.txt"), "rule sentinel.ti_malicious_ip: ", ": no such file or directory (directory " + filepath.Join(dir, "feeds") + " does not exist: is the path right?)"},
		{"directory", "ti_file", dir, "rule sentinel.ti_malicious_ip: ", ": is a directory (ti_file is the indicator file (one IP address or CIDR per line), not its directory; give the file's path)"},
		{"geoip_db typo", "geoip_db", filepath.Join(dir, "city.mmdb"), geoRules, ": no such file or directory (did you mean " + filepath.Join(dir, "City.mmdb") + "?)"},
		{"geoip_db directory", "geoip_db", dir, geoRules, ": is a directory (geoip_db is the database file (a GeoIP2 or GeoLite2 City or Country .mmdb), not its directory; give the file's path)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			o := &detectOptions{format: "json", params: []string{tc.param + "=" + tc.path, "known_countries=DE"}}
			err := runDetect(context.Background(), o, []string{access}, strings.NewReader(""), &stdout, &stderr)
			if err == nil {
				t.Fatalf("detect ran; stderr:\n%s", stderr.String())
			}
			want := "detect: --param " + tc.param + "=" + tc.path + ": " + tc.rules
			if !strings.HasPrefix(err.Error(), want) || !strings.HasSuffix(err.Error(), tc.want) {
				t.Errorf("error is\n%v\nwant %q ... %q", err, want, tc.want)
			}
		})
	}
}

// TestDetectNamesFlagAndInputMistakes: a mistake of the flags (an unknown
// --rule) and a missing input are both named in one run, so that fixing
// one does not reveal the other (fresh-user trial 33, F10: only the
// missing input was named).
func TestDetectNamesFlagAndInputMistakes(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.log")
	o := &detectOptions{format: "json", rules: []string{"falco.pat_create"}}
	var stdout, stderr bytes.Buffer
	err := runDetect(context.Background(), o, []string{missing}, strings.NewReader(""), &stdout, &stderr)
	for _, want := range []string{`--rule falco.pat_create: unknown rule "falco.pat_create" (did you mean "falco.pat_created"?)`, "open " + missing + ": no such file or directory"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v, want it to name %q", err, want)
		}
	}
}

// TestDetectConfigShorthand: detect takes -c for --config, as run and
// check do (fresh-user trial 90: "unknown shorthand flag: 'c'").
func TestDetectConfigShorthand(t *testing.T) {
	cfg := writeFile(t, filepath.Join(t.TempDir(), "c.yaml"), "detections:\n  rules:\n    sentinel.bruteforce:\n      min_count: 25\n")
	out, err := execute(t, "detect", "-c", cfg, "--list")
	if err != nil || !strings.Contains(out, "min_count=25") {
		t.Errorf("detect -c %s --list: %v\n%s\nwant the file's min_count=25", cfg, err, out)
	}
}
