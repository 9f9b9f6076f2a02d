package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// execute runs the command tree in-process with args and returns stdout
// and the error.
func execute(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := newRootCmd()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(args)
	err := cmd.Execute()
	return out.String(), err
}

func writeFile(t *testing.T, path, data string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	notDir := writeFile(t, filepath.Join(dir, "plainfile"), "x")
	blocked := filepath.Join(dir, "state-blocked") // its detect is a file: run fails to start
	writeFile(t, filepath.Join(blocked, "detect"), "x")
	goodTI := writeFile(t, filepath.Join(dir, "ti-good.txt"), "# indicators\n203.0.113.7\n198.51.100.0/24 # a range\n\n2001:db8::/32\n")
	badTI := writeFile(t, filepath.Join(dir, "ti-bad.txt"), "# indicators\n203.0.113.7\n10.0.0.300\n2001:db8::/32\nnot-an-ip # trailing comment\n192.0.2.0/33\n")
	var feed strings.Builder // a CSV feed: 3,001 lines that are not an address
	feed.WriteString("ip,first_seen,confidence\n")
	for i := range 3000 {
		fmt.Fprintf(&feed, "203.0.%d.%d,2024-01-01,80\n", i/250, i%250+1)
	}
	csvTI := writeFile(t, filepath.Join(dir, "ti-feed.csv"), feed.String())
	emptyTI := writeFile(t, filepath.Join(dir, "ti-empty.txt"), "# indicators: none yet\n")
	internalTI := writeFile(t, filepath.Join(dir, "ti-internal.txt"), "203.0.113.7\n10.0.0.0/8\n192.168.1.5\n")
	utf16TI := writeFile(t, filepath.Join(dir, "ti-windows.txt"), utf16LE("203.0.113.7\r\n198.51.100.0/24\r\n"))
	audit := writeFile(t, filepath.Join(dir, "audit_json.log"), "")
	short := filepath.Dir(writeFile(t, filepath.Join(dir, "short", "a"), "")) // a 1-byte name, 2 edits from any 2-byte one
	tiRule := func(path string) string {
		return "state_dir: " + state + "\nsources:\n  - {type: access, path: /a}\ndetections:\n  rules:\n    sentinel.ti_malicious_ip:\n      ti_file: " + path + "\n"
	}
	tests := []struct {
		name    string
		config  string // "" runs without --config
		args    []string
		wantErr []string
		wantOut []string
	}{
		{
			name:    "bundled samples with flags only",
			args:    []string{"--log-dir", "../../testdata", "--to", "stdout", "--state-dir", state},
			wantOut: []string{"forward:    stdout://", "audit", "../../testdata/audit_json.log", "GitLab-Access-Logs", "ok, readable", "state_dir:  " + state + " (--state-dir): does not exist yet, can be created (run creates it)\n"},
		},
		{
			name:    "state_dir that exists",
			args:    []string{"--log-dir", "../../testdata", "--to", "stdout", "--state-dir", dir},
			wantOut: []string{"state_dir:  " + dir + " (--state-dir): writable\n"},
		},
		{
			name:    "udp: the datagram size, default",
			args:    []string{"--log-dir", "../../testdata", "--to", "udp://127.0.0.1:514", "--state-dir", state},
			wantOut: []string{"forward:    udp://127.0.0.1:514, rfc5424, facility local7, with STRUCTURED-DATA gitlab@32473 (meta.* columns in meta@32473); datagrams cut at 8192 bytes (the default of max_message_bytes)\n"},
		},
		{
			name:    "udp: the datagram size, configured",
			config:  "state_dir: " + state + "\nforward:\n  url: udp://127.0.0.1:514\n  max_message_bytes: 2KiB\nsources:\n  - {type: audit, path: /a}\n",
			wantOut: []string{"; datagrams cut at 2048 bytes (max_message_bytes)\n"},
		},
		{ // fresh-user trial 116: accepted without a word
			name:    "tcp: max_message_bytes does not apply",
			config:  "state_dir: " + state + "\nforward:\n  url: tcp://127.0.0.1:5514\n  max_message_bytes: 1000\nsources:\n  - {type: audit, path: /a}\n",
			wantOut: []string{"; WARNING: max_message_bytes (1000) is ignored: it sizes datagrams (udp://, unix datagram sockets); tcp:// sends each message whole\n"},
		},
		{ // fresh-user trial 270: valid, and every alert went cut
			name:    "udp: max_message_bytes too small for alerts",
			config:  "state_dir: " + state + "\nforward:\n  url: udp://127.0.0.1:514\n  max_message_bytes: 480\nsources:\n  - {type: audit, path: /a}\n",
			wantOut: []string{"; datagrams cut at 480 bytes (max_message_bytes); WARNING: max_message_bytes (480) is below what a detection alert's members that are never shortened take (about 800 bytes): alerts are sent cut, their JSON (MSG) not valid; raise it, or turn detections off\n"},
		},
		{ // fresh-user trial 263: accepted without a word
			name:    "udp: max_stream_message_bytes does not apply",
			config:  "state_dir: " + state + "\nforward:\n  url: udp://127.0.0.1:514\n  max_stream_message_bytes: 64KiB\nsources:\n  - {type: audit, path: /a}\n",
			wantOut: []string{"; datagrams cut at 8192 bytes (the default of max_message_bytes); WARNING: max_stream_message_bytes (65536) is ignored: it bounds messages on stream destinations (tcp://, tls://, relp://, unix stream sockets); udp:// cuts each datagram at max_message_bytes\n"},
		},
		{ // fresh-user trial 116: accepted without a word
			name:    "unix: the socket's directory does not exist",
			config:  "state_dir: " + state + "\nforward:\n  url: unix://" + filepath.Join(dir, "nodir", "log.sock") + "\nsources:\n  - {type: audit, path: /a}\n",
			wantOut: []string{"; WARNING: the socket's directory " + filepath.Join(dir, "nodir") + " does not exist: is the path right?\n"},
		},
		{
			name:    "unix: no socket yet",
			config:  "state_dir: " + state + "\nforward:\n  url: unixgram://" + filepath.Join(dir, "log.sock") + "\nsources:\n  - {type: audit, path: /a}\n",
			wantOut: []string{"; no socket at " + filepath.Join(dir, "log.sock") + " now: run retries until the collector creates it\n"},
		},
		{
			name:    "unix: not a socket",
			config:  "state_dir: " + state + "\nforward:\n  url: unix://" + notDir + "\nsources:\n  - {type: audit, path: /a}\n",
			wantOut: []string{"; WARNING: " + notDir + " is not a socket but a regular file: is the path right?\n"},
		},
		{
			name:    "tcp: no port, check names the default it dials",
			config:  "state_dir: " + state + "\nforward:\n  url: tcp://127.0.0.1\nsources:\n  - {type: audit, path: /a}\n",
			wantOut: []string{"forward:    tcp://127.0.0.1 (no port given, so port 514), rfc5424, "},
		},
		{
			name:    "udp: no port, check names the default it dials",
			args:    []string{"--log-dir", "../../testdata", "--to", "udp://127.0.0.1", "--state-dir", state},
			wantOut: []string{"forward:    udp://127.0.0.1 (no port given, so port 514), rfc5424, "},
		},
		{
			name:    "tls: no port, check names the default it dials",
			config:  "state_dir: " + state + "\nforward:\n  url: tls://127.0.0.1?framing=lf\nsources:\n  - {type: audit, path: /a}\n",
			wantOut: []string{"forward:    tls://127.0.0.1?framing=lf (no port given, so port 6514), rfc5424, "},
		},
		{
			name:    "binary config file",
			config:  "\x7fELF\x02\x01\x01\x00",
			wantErr: []string{"config.yaml:1: this is an executable (ELF), not a YAML configuration: is this the config file?"},
		},
		{
			name:    "source type typo",
			config:  "state_dir: " + state + "\nsources:\n  - {type: acces, path: /a}\n",
			wantErr: []string{`config.yaml:3: sources[0].type: "acces" is not one of audit, application, access, auth (did you mean "access"?)`},
		},
		{
			name:    "typo in a key",
			config:  "state_dir: " + state + "\nsorces: []\n",
			wantErr: []string{`config.yaml:2: unknown key "sorces" (did you mean "sources"?)`},
		},
		{
			name:    "invalid value",
			config:  "state_dir: " + state + "\nforward:\n  url: http://x\n",
			wantErr: []string{`config.yaml:3: forward.url: unsupported scheme`},
		},
		{
			name:    "missing source is only reported",
			config:  "state_dir: " + state + "\nsources:\n  - {type: audit, path: " + filepath.Join(dir, "nope.log") + "}\n",
			wantOut: []string{"does not exist yet: run waits for it"},
		},
		{
			// run reads a file that appears later whole, whatever
			// start_at (fresh-user trial 94: check did not say so).
			name:    "missing source with start_at end",
			config:  "state_dir: " + state + "\nstart_at: end\nsources:\n  - {type: audit, path: " + filepath.Join(dir, "nope.log") + "}\n",
			wantOut: []string{"start_at end  does not exist yet: run waits for it and reads it from its beginning (start_at applies to a file there at start)"},
		},
		{
			name:    "unusable source and state_dir fail",
			config:  "state_dir: " + filepath.Join(notDir, "state") + "\nsources:\n  - {type: audit, path: " + filepath.Join(notDir, "x.log") + "}\n",
			wantErr: []string{"check: 2 problem(s)", "state_dir " + filepath.Join(notDir, "state"), "source " + filepath.Join(notDir, "x.log")},
		},
		{
			name:    "detections: rules listed with why they are on or off",
			config:  "state_dir: " + state + "\nsources:\n  - {type: audit, path: /a}\n  - {type: application, path: /b}\ndetections:\n  rules:\n    falco.pat_created: {enabled: false}\n",
			wantOut: []string{"rules on, lateness 2m0s, state saved every 1m0s to " + filepath.Join(state, "detect"), "off  falco.pat_created ", "disabled at ", "config.yaml:7", "no allowed_domains (the e-mail domains of your users)", "on   sentinel.bruteforce "},
		},
		{
			name: "detections: the rules that alert on a log no source reads are off, settings kept and not an error",
			config: "state_dir: " + state + "\nsources:\n  - {type: audit, path: /a}\ndetections:\n  rules:\n    sentinel.bruteforce: {severity: High}\n    sentinel.local_auth_no_mfa: {enabled: true}\n" +
				"    sentinel.external_user: {enabled: true, allowed_domains: [corp.example]}\n    sentinel.ti_malicious_ip: {severity: High, ti_file: " + filepath.Join(dir, "nope.txt") + "}\n",
			wantOut: []string{
				"off  sentinel.bruteforce               -              it alerts on lines of the application log (gitlab-rails/application_json.log or application.log) and no source reads it: add a source of type application to turn it on",
				"off  sentinel.local_auth_no_mfa        -              it alerts on lines of the application log",
				"config.yaml:7 and runs once a source reads that log",
				"off  sentinel.bruteforce               -              it alerts on lines of the application log (gitlab-rails/application_json.log or application.log) and no source reads it: add a source of type application to turn it on; it is configured at ",
				"off  sentinel.external_user            -              it alerts on lines of the application log",
				"off  sentinel.ti_malicious_ip          -              it alerts on lines of the access log (nginx/gitlab_access.log) and no source reads it",
				"on   sentinel.repo_deletion ", "on   falco.pat_created ", "config.yaml: valid\n",
			},
		},
		{
			name:    "detections: a rule asked for that would lack what it needs with its log too is an error, with both reasons",
			config:  "state_dir: " + state + "\nsources:\n  - {type: audit, path: /a}\ndetections:\n  rules:\n    sentinel.external_user: {enabled: true}\n",
			wantErr: []string{"config.yaml:6: detections.rules.sentinel.external_user: rule sentinel.external_user cannot run: no allowed_domains", "; also, it alerts on lines of the application log"},
		},
		{
			name:    "detections: no rule runs with the sources, a warning",
			config:  "state_dir: " + state + "\nsources:\n  - {type: auth, path: /a}\n",
			wantOut: []string{" 0 of 35 rules on", "WARNING: detections are on and no rule runs with these sources and settings", "config.yaml: valid, with 1 warning(s) above"},
		},
		{
			name:    "detections: a state_dir/detect run cannot write fails",
			config:  "state_dir: " + blocked + "\nsources:\n  - {type: audit, path: /a}\n",
			wantErr: []string{"check: 1 problem(s)", "detections: state directory " + filepath.Join(blocked, "detect") + ": " + filepath.Join(blocked, "detect") + " is not a directory"},
			wantOut: []string{"state_dir:  " + blocked + " (configured): writable", "to " + filepath.Join(blocked, "detect") + " (NOT WRITABLE)"},
		},
		{
			name:    "detections: unknown rule",
			config:  "state_dir: " + state + "\nsources:\n  - {type: audit, path: /a}\ndetections:\n  rules:\n    falco.pat_create: {enabled: false}\n",
			wantErr: []string{`config.yaml:6: detections.rules.falco.pat_create: unknown rule "falco.pat_create" (did you mean "falco.pat_created"?)`},
		},
		{
			name:    "directory as a source fails",
			config:  "state_dir: " + state + "\nsources:\n  - {type: audit, path: " + dir + "}\n",
			wantErr: []string{"check: 1 problem(s)", "config.yaml:3: sources[0].path: source " + dir + ": is a directory; give the path of a log file"},
			wantOut: []string{"NOT A LOG FILE: is a directory"},
		},
		{
			name:    "mistyped source path gets a did-you-mean",
			config:  "state_dir: " + state + "\nsources:\n  - {type: audit, path: " + filepath.Join(dir, "audit_jsn.log") + "}\n",
			wantOut: []string{"does not exist yet: run waits for it; WARNING: did you mean " + audit + "?"},
		},
		{
			name:    "a short missing name gets no did-you-mean of an unrelated short name",
			config:  "state_dir: " + state + "\nsources:\n  - {type: audit, path: " + filepath.Join(short, "42") + "}\n",
			wantOut: []string{"does not exist yet: run waits for it\n"}, // before: (did you mean .../short/a?)
		},
		{
			name:    "detections: a rule with a refused severity says so in its row",
			config:  "state_dir: " + state + "\nsources:\n  - {type: audit, path: /a}\ndetections:\n  rules:\n    falco.pat_created: {severity: Critical}\n",
			wantErr: []string{`config.yaml:6: detections.rules.falco.pat_created.severity: severity "Critical" is above High`},
			wantOut: []string{`its severity "Critical" is wrong (listed with the problems): run would not start`},
		},
		{
			name:    "a source without a path: no did-you-mean of a file in the working directory",
			config:  "state_dir: " + state + "\nsources:\n  - {type: audit}\n",
			wantErr: []string{"config.yaml:3: sources[0]: path is missing"},
			wantOut: []string{"SEE PROBLEMS: no path given\n"},
		},
		{
			// Given, as a boolean (trial 205: the row said "no path given").
			name:    "a source path that YAML reads as a boolean",
			config:  "state_dir: " + state + "\nsources:\n  - {type: audit, path: true}\n",
			wantErr: []string{"config.yaml:3: sources[0].path: want a path, got true, which YAML reads as a boolean"},
			wantOut: []string{"SEE PROBLEMS: path not usable\n"},
		},
		{
			name:    "a missing log is not taken for a misspelling of another log's name",
			config:  "state_dir: " + state + "\nsources:\n  - {type: auth, path: " + filepath.Join(dir, "auth_json.log") + "}\n",
			wantOut: []string{filepath.Join(dir, "auth_json.log") + "  APP-NAME GitLab-Auth-Logs  start_at beginning  does not exist yet: run waits for it (GitLab creates auth_json.log at the first Rack::Attack event)\n"},
		},
		{
			name:    "detections: an indicator file of addresses, CIDRs and comments passes",
			config:  tiRule(goodTI),
			wantOut: []string{"on   sentinel.ti_malicious_ip "},
		},
		{
			// Kept, as run keeps them: a warning, with each entry's line
			// and the range it covers.
			name:   "detections: indicators that cover private addresses are a warning",
			config: tiRule(internalTI),
			wantOut: []string{"on   sentinel.ti_malicious_ip ",
				"/config.yaml:7: detections.rules.sentinel.ti_malicious_ip.ti_file: rule sentinel.ti_malicious_ip: " + internalTI + ": 2 entry(ies) cover private, loopback or link-local addresses, which no threat feed lists, and the rule alerts on them; they are kept:",
				"\n              " + internalTI + `:2: "10.0.0.0/8" lies in or overlaps 10.0.0.0/8, addresses not on the Internet (your own network's clients, proxies, health checks); remove it unless that is meant`,
				"\n              " + internalTI + `:3: "192.168.1.5" lies in or overlaps 192.168.0.0/16`,
				"valid, with 1 warning(s) above"},
		},
		{
			name:   "detections: every bad indicator line is reported with its file, line and cause",
			config: tiRule(badTI),
			// One file to fix: one problem, its lines listed under it.
			wantErr: []string{"check: 1 problem(s)",
				`detections.rules.sentinel.ti_malicious_ip.ti_file: rule sentinel.ti_malicious_ip: ` + badTI + `: run skips 3 line(s) of it:`,
				"\n      " + badTI + `:3: "10.0.0.300" is not an IP address or CIDR`,
				badTI + `:5: "not-an-ip" is not an IP address or CIDR`,
				badTI + `:6: "192.0.2.0/33": prefix length 33 is above 32, the most for an IPv4 CIDR: write 32 or less (192.0.2.0/32 is the one address)` + "\n      correct or remove these lines (run skips them)"},
			wantOut: []string{"sentinel.ti_malicious_ip", "3 line(s) of its file SKIPPED"},
		},
		{
			name:   "detections: a CSV feed lists its first 5 bad lines and counts the rest",
			config: tiRule(csvTI),
			// one file, one problem: what it lacks with the lines skipped
			wantErr: []string{"check: 1 problem(s)",
				`rule sentinel.ti_malicious_ip: ` + csvTI + ` lists no IP address or CIDR (3001 line(s) skipped), so the rule matches nothing: list one IP address or CIDR per line (# starts a comment); run rereads the file when it changes and on SIGHUP; the lines skipped:` + "\n      " + csvTI + `:1: "ip,first_seen,confidence" is not an IP address or CIDR (a CSV row?`,
				csvTI + `:5: "203.0.0.4,2024-01-01,80" is not`,
				"\n      and 2996 more line(s) (only the first 5 are listed)"},
			wantOut: []string{"3001 line(s) of its file SKIPPED"},
		},
		{
			// run starts with it and warns, so check warns too
			name:   "detections: an indicator file without one address (empty) is a warning: the rule would match nothing",
			config: tiRule(emptyTI),
			wantOut: []string{"on   sentinel.ti_malicious_ip ", "MATCHES NOTHING (warning below)",
				"/config.yaml:7: detections.rules.sentinel.ti_malicious_ip.ti_file: rule sentinel.ti_malicious_ip: " + emptyTI + ` lists no IP address or CIDR (0 line(s) skipped), so the rule matches nothing: list one IP address or CIDR per line`,
				"enabled: false turns the rule off", "valid, with 1 warning(s) above"},
		},
		{
			name:   "detections: an indicator file in UTF-16 is named so, with the command that makes it UTF-8",
			config: tiRule(utf16TI),
			wantErr: []string{"check: 1 problem(s)",
				`rule sentinel.ti_malicious_ip: ` + utf16TI + ` is UTF-16LE (it starts with a UTF-16 byte order mark, as Windows tools write), not UTF-8, so the rule matches nothing: convert it with iconv -f UTF-16 -t UTF-8 '` + utf16TI + `' > '` + utf16TI + `.utf8' && mv '` + utf16TI + `.utf8' '` + utf16TI + `'`},
			wantOut: []string{"on   sentinel.ti_malicious_ip ", "MATCHES NOTHING"},
		},
		{
			name:    "--log-dir with explicit sources is refused",
			config:  "state_dir: " + state + "\nsources:\n  - {type: audit, path: /a}\n",
			args:    []string{"--log-dir", "/x"},
			wantErr: []string{"--log-dir only moves the default sources"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"check"}, tt.args...)
			if tt.config != "" {
				args = append(args, "--config", writeFile(t, filepath.Join(t.TempDir(), "config.yaml"), tt.config))
			}
			out, err := execute(t, args...)
			if len(tt.wantErr) == 0 && err != nil {
				t.Fatalf("check failed: %v\n%s", err, out)
			}
			if len(tt.wantErr) > 0 && err == nil {
				t.Fatalf("check passed, want an error\n%s", out)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

// TestCheckReportsAllMistakes: one check lists the mistakes of the whole
// file with their lines, in the order of the lines, the detection rules'
// (an unknown rule id, a parameter no rule reads, a bad value, a rule
// that cannot run) with the others, so that a user fixes them in one
// pass: an invalid detections block, a bad severity, an unknown rule or a
// value of the wrong type (enabled: maybe) hides none of the others.
func TestCheckReportsAllMistakes(t *testing.T) {
	dir := t.TempDir()
	head := "state_dir: " + filepath.Join(dir, "s") + "\nstart_at: middle\nsources:\n  - type: audti\n    path: /tmp/x.log\n"
	rules := "  rules:\n    sentinel.bruteforc:\n      enabled: true\n    sentinel.bruteforce:\n      threshold: 3\n"
	for _, tc := range []struct {
		name, detections string
		want             []string // the lines of the error, in order
	}{
		{"rule mistakes with the others", "detections:\n  lateness: 2m\n" + rules, []string{
			`config.yaml:2: start_at: "middle" is not one of beginning, end`,
			`config.yaml:4: sources[0].type: "audti" is not one of audit, application, access, auth`,
			`config.yaml:9: detections.rules.sentinel.bruteforc: unknown rule "sentinel.bruteforc" (did you mean "sentinel.bruteforce"?)`,
			`config.yaml:12: detections.rules.sentinel.bruteforce.threshold: rule sentinel.bruteforce has no parameter "threshold"`,
		}},
		{"invalid detections block", "detections:\n  lateness: -2m\n" + rules, []string{
			`config.yaml:2: start_at: "middle" is not one of beginning, end`,
			`config.yaml:4: sources[0].type: "audti" is not one of audit, application, access, auth`,
			`config.yaml:7: detections.lateness: -2m0s is out of range`,
			`config.yaml:9: detections.rules.sentinel.bruteforc: unknown rule "sentinel.bruteforc" (did you mean "sentinel.bruteforce"?)`,
			`config.yaml:12: detections.rules.sentinel.bruteforce.threshold: rule sentinel.bruteforce has no parameter "threshold"`,
		}},
		{"values of the wrong type, bad values, bad severity, rule that cannot run", "detections:\n  enabled: maybe\n  rules:\n" +
			"    sentinel.impersonation:\n      severity: Extreme\n    sentinel.bruteforce:\n      enabled: maybe\n      window: banana\n" +
			"    sentinel.pat_over_time:\n      min_tokens: [1]\n    sentinel.ti_malicious_ip:\n      severity: High\n", []string{
			`config.yaml:2: start_at: "middle" is not one of beginning, end`,
			`config.yaml:4: sources[0].type: "audti" is not one of audit, application, access, auth`,
			`config.yaml:7: detections.enabled: want true or false, got "maybe"`,
			`config.yaml:10: detections.rules.sentinel.impersonation.severity: unknown severity "Extreme"`,
			`config.yaml:12: detections.rules.sentinel.bruteforce.enabled: want true or false, got "maybe"`,
			`config.yaml:13: detections.rules.sentinel.bruteforce.window: "banana": want a duration above 0`,
			`config.yaml:15: detections.rules.sentinel.pat_over_time.min_tokens: want a single value, got a list`,
			`config.yaml:16: detections.rules.sentinel.ti_malicious_ip: rule sentinel.ti_malicious_ip cannot run: no ti_file`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := writeFile(t, filepath.Join(t.TempDir(), "config.yaml"), head+tc.detections)
			out, err := execute(t, "check", "--config", cfg)
			if err == nil {
				t.Fatalf("check passed:\n%s", out)
			}
			got := strings.Split(err.Error(), "\n")
			if want := fmt.Sprintf("check: %d problem(s):", len(tc.want)); got[0] != want {
				t.Errorf("check error begins %q, want %q", got[0], want)
			}
			got = got[1:]
			if len(got) != len(tc.want) {
				t.Fatalf("check error has %d lines, want %d:\n%v", len(got), len(tc.want), err)
			}
			if !strings.Contains(out, fmt.Sprintf("\nresult:     %s: %d problem(s)", cfg, len(tc.want))) {
				t.Errorf("check output lacks its verdict:\n%s", out)
			}
			for i, w := range tc.want {
				if !strings.HasPrefix(got[i], "  "+cfg[:len(cfg)-len("config.yaml")]+w) {
					t.Errorf("line %d = %q, want it to start with %q", i+1, got[i], w)
				}
			}
		})
	}
}

// TestCheckConfigStdin: check --config - checks the configuration piped
// in, and says it read standard input.
func TestCheckConfigStdin(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state")
	var out, errOut bytes.Buffer
	in := strings.NewReader("state_dir: " + state + "\nsources:\n  - {type: audit, path: /a}\n")
	if err := runSendCollect(context.Background(), in, &out, &errOut, "check", "--config", "-"); err != nil {
		t.Fatalf("check --config -: %v\n%s", err, errOut.String())
	}
	if !strings.HasPrefix(out.String(), "config:     standard input\nstate_dir:  "+state+" (configured)") ||
		!strings.HasSuffix(out.String(), "\nresult:     standard input: valid\n") {
		t.Errorf("output:\n%s", out.String())
	}
}

// TestCheckEmptyConfigNote: a configuration file that sets nothing (empty,
// comments only, {}) is said to leave every setting at its default, and a
// file without a detections block that the detection settings are
// defaults, with the rules on as always; a file that sets keys gets
// neither note.
func TestCheckEmptyConfigNote(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	const (
		emptyNote      = ": it sets nothing: every setting below is a built-in default\n"
		emptyFlagsNote = ": it sets nothing: every setting below is a built-in default or a flag's\n"
		detNote        = "detections: no detections block, so every detection setting is a default: "
	)
	for _, tc := range []struct {
		name, config string // config "-": no --config
		flags        bool   // --state-dir given
		want, notWnt []string
	}{
		{"empty file", "", false, []string{emptyNote, detNote, " rules on, lateness 2m0s", "on   sentinel.bruteforce"}, nil},
		{"comments only", "# to be written\n", false, []string{emptyNote, detNote}, nil},
		{"empty mapping", "{}\n", false, []string{emptyNote, detNote}, nil},
		{"document start only", "---\n", false, []string{emptyNote, detNote}, []string{"mapping of keys"}},
		{"document start and comments", "# gitlab-syslog\n--- # to be written\n# state_dir: /x\n", false, []string{emptyNote, detNote}, []string{"mapping of keys"}},
		{"document start and end", "---\n...\n", false, []string{emptyNote, detNote}, []string{"mapping of keys"}},
		{"null", "~\n", false, []string{emptyNote, detNote}, []string{"mapping of keys"}},
		{"empty file and a flag", "", true, []string{emptyFlagsNote, detNote}, nil},
		{"no detections block", "state_dir: " + state + "\n", false, []string{detNote}, []string{"sets nothing"}},
		{"detections block", "state_dir: " + state + "\ndetections:\n  lateness: 5m\n", false, []string{"rules on, lateness 5m0s"}, []string{"sets nothing", detNote}},
		// Its only key misspelled (fresh-user trial 257: "it sets nothing" read as a file check had not parsed).
		{"only a misspelled key", "stat_dir: " + state + "\n", false,
			[]string{": it sets nothing it could use (its mistakes are listed with the problems): every setting below is a built-in default\n",
				`unknown key "stat_dir" (did you mean "state_dir"?)`}, nil},
		// The NOTE is there where the package is installed (TestPackagedNote checks its words).
		{"no file", "-", true, []string{"config:     (none: built-in defaults)" + packagedNote("", packagedConfig) + "\n", detNote}, []string{"sets nothing"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"check"}
			if tc.config != "-" {
				args = append(args, "--config", writeFile(t, filepath.Join(t.TempDir(), "config.yaml"), tc.config))
			}
			if tc.flags {
				args = append(args, "--state-dir", state)
			}
			out, _ := execute(t, args...) // the default state_dir may not be writable here: only the output matters
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tc.notWnt {
				if strings.Contains(out, w) {
					t.Errorf("output has %q:\n%s", w, out)
				}
			}
		})
	}
}

// TestCheckHostnameNote: check says when the hostname it shows is the
// OS's, and that hostname: "" means that default, not RFC 5424's nil
// value (an earlier fresh-user trial took "" for no hostname).
func TestCheckHostnameNote(t *testing.T) {
	host, err := os.Hostname()
	if err != nil || host == "" {
		t.Skip("no OS hostname")
	}
	state := filepath.Join(t.TempDir(), "state")
	for _, tc := range []struct {
		name, config string
		args         []string
		want         string
	}{
		{"absent", "state_dir: " + state + "\n", nil, "hostname:   " + host + " (the OS hostname: hostname is not set)\n"},
		{"empty", "state_dir: " + state + "\nhostname: \"\"\n", nil, "hostname:   " + host + ` (the OS hostname: hostname "" at `},
		{"set", "state_dir: " + state + "\nhostname: gl-1\n", nil, "hostname:   gl-1\n"},
		{"flag", "state_dir: " + state + "\n", []string{"--hostname", "gl-2"}, "hostname:   gl-2\n"},
		// A value of megabytes is shown cut, with its length, in the
		// summary and in the error (fresh-user trial 244: twice whole).
		{"huge", "state_dir: " + state + "\nhostname: " + strings.Repeat("h", 2<<20) + "\n", nil,
			"hostname:   " + strings.Repeat("h", 40) + "… (2097152 bytes)\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, filepath.Join(t.TempDir(), "config.yaml"), tc.config)
			out, _ := execute(t, append([]string{"check", "--config", path}, tc.args...)...)
			if !strings.Contains(out, tc.want) {
				t.Errorf("output lacks %q:\n%.2000s", tc.want, out)
			}
			if tc.name == "huge" {
				if want := `hostname: "` + strings.Repeat("h", 40) + `"… is 2097152 bytes; RFC 5424 allows at most 255`; !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%.2000s", want, out)
				}
				if len(out) > 100<<10 {
					t.Errorf("output is %d bytes: the hostname is still printed whole", len(out))
				}
			}
			if tc.name == "empty" && !strings.Contains(out, path+`:2 means the default; "-" sends none, RFC 5424's nil value)`) {
				t.Errorf("output does not name line 2 and the nil value:\n%s", out)
			}
		})
	}
}

// TestCheckForwardURLNote: check says when the forward URL it shows is
// the default: url absent (a misspelt key among them, reported as a
// problem too), or given as "" (fresh-user trial 135 took "" for no
// forwarding).
func TestCheckForwardURLNote(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state")
	src := "sources:\n  - {type: audit, path: /a}\n"
	for _, tc := range []struct {
		name, config string
		args         []string
		want         string
	}{
		{"absent", "state_dir: " + state + "\n" + src, nil, "forward:    tcp://127.0.0.1:514 (the default: forward.url is not set), rfc5424, "},
		{"misspelt", "state_dir: " + state + "\nforward:\n  ulr: tcp://10.0.0.1:514\n" + src, nil, "forward:    tcp://127.0.0.1:514 (the default: forward.url is not set), rfc5424, "},
		{"empty", "state_dir: " + state + "\nforward:\n  url: \"\"\n" + src, nil, `forward:    tcp://127.0.0.1:514 (the default: url "" at `},
		{"set", "state_dir: " + state + "\nforward:\n  url: tcp://127.0.0.1:514\n" + src, nil, "forward:    tcp://127.0.0.1:514, rfc5424, "},
		{"flag", "state_dir: " + state + "\n" + src, []string{"--to", "tcp://127.0.0.1:514"}, "forward:    tcp://127.0.0.1:514, rfc5424, "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, filepath.Join(t.TempDir(), "config.yaml"), tc.config)
			out, _ := execute(t, append([]string{"check", "--config", path}, tc.args...)...)
			if !strings.Contains(out, tc.want) {
				t.Errorf("output lacks %q:\n%s", tc.want, out)
			}
			if tc.name == "empty" && !strings.Contains(out, path+`:3 means the default)`) {
				t.Errorf("output does not name line 3:\n%s", out)
			}
		})
	}
}

// TestCheckListing: check lists everything, then its verdict, last: valid
// (with the number of warnings listed), or the number of problems; an off
// rule is shown without a severity ("-"), as it sends nothing, whatever
// severity it has by default or is configured with; an on rule with the
// severity its alerts carry.
func TestCheckListing(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	notDir := writeFile(t, filepath.Join(dir, "plainfile"), "x")
	for _, tc := range []struct {
		name, config string
		verdict      string // the last line of the output
		severities   map[string]string
	}{
		{"valid", "state_dir: " + state + "\nsources:\n  - {type: audit, path: /a}\n  - {type: application, path: /b}\ndetections:\n  rules:\n" +
			"    falco.pat_created: {enabled: false, severity: High}\n    sentinel.bruteforce: {severity: High}\n",
			"result:     CONFIG: valid",
			map[string]string{"falco.pat_created": "-", "sentinel.bruteforce": "High", "sentinel.ti_malicious_ip": "-", "falco.admin_impersonation": "Informational", "falco.user_locked": "Medium"}},
		{"valid with warnings", "state_dir: " + state + "\nsources:\n  - {type: audit, path: " + filepath.Join(dir, "**", "*") + "}\n",
			"result:     CONFIG: valid, with 2 warning(s) above", nil},
		{"problems", "state_dir: " + filepath.Join(notDir, "s") + "\nsources:\n  - {type: audit, path: /a}\n",
			"result:     CONFIG: 1 problem(s) that stop run: it refuses this configuration (listed above with what to do)", nil},
		// Fresh-user trial 262: a missing ti_file was called a problem
		// that "would stop run", which starts with it.
		{"problems run starts with", "state_dir: " + state + "\nsources:\n  - {type: access, path: /a}\ndetections:\n  rules:\n    sentinel.ti_malicious_ip: {ti_file: " + filepath.Join(dir, "nope.txt") + "}\n",
			"result:     CONFIG: 1 problem(s) that lose data or alerts: run starts with them (listed above with what to do)", nil},
		{"problems of both kinds", "state_dir: " + filepath.Join(notDir, "s") + "\nsources:\n  - {type: access, path: /a}\ndetections:\n  rules:\n    sentinel.ti_malicious_ip: {ti_file: " + filepath.Join(dir, "nope.txt") + "}\n",
			"result:     CONFIG: 2 problem(s) (listed above with what to do): 1 stop run, which refuses this configuration; the other 1 lose data or alerts", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := writeFile(t, filepath.Join(t.TempDir(), "config.yaml"), tc.config)
			out, _ := execute(t, "check", "--config", cfg)
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			if want := strings.ReplaceAll(tc.verdict, "CONFIG", cfg); lines[len(lines)-1] != want {
				t.Errorf("last line %q, want %q:\n%s", lines[len(lines)-1], want, out)
			}
			if !strings.HasPrefix(out, "config:     "+cfg+"\n") {
				t.Errorf("first line is not the config file alone:\n%s", out)
			}
			seen := 0
			for _, l := range lines {
				f := strings.Fields(l)
				if len(f) < 3 || (f[0] != "on" && f[0] != "off") {
					continue
				}
				if f[0] == "off" && f[2] != "-" || f[0] == "on" && f[2] == "-" {
					t.Errorf("%s rule %s shown with severity %q", f[0], f[1], f[2])
				}
				if want, ok := tc.severities[f[1]]; ok {
					seen++
					if f[2] != want {
						t.Errorf("rule %s: severity %q, want %q", f[1], f[2], want)
					}
				}
			}
			if seen != len(tc.severities) {
				t.Errorf("found %d of the %d rules looked for:\n%s", seen, len(tc.severities), out)
			}
		})
	}
}

// TestCheckStateDirProbe: check tries to create a file where run would
// write its state (in state_dir, or the nearest existing parent when
// state_dir does not exist yet) instead of reading permission bits, which
// root passes on /proc and /sys; the problem names the key's line, the
// directory, the system's cause and what to do.
func TestCheckStateDirProbe(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/proc and /sys are Linux's")
	}
	for _, tc := range []struct{ stateDir, want string }{
		{"/proc/gitlab-syslog", "config.yaml:1: state_dir /proc/gitlab-syslog: it does not exist, and creating a file in /proc, where it would be created, failed: no such file or directory; give a directory"},
		{"/proc", "config.yaml:1: state_dir /proc: creating a file in it failed: no such file or directory; give a directory"},
		{"/sys/kernel/gitlab-syslog", "config.yaml:1: state_dir /sys/kernel/gitlab-syslog: it does not exist, and creating a file in /sys/kernel, where it would be created, failed: permission denied; give a directory"},
	} {
		t.Run(tc.stateDir, func(t *testing.T) {
			cfg := writeFile(t, filepath.Join(t.TempDir(), "config.yaml"), "state_dir: "+tc.stateDir+"\nsources:\n  - {type: audit, path: /a}\n")
			out, err := execute(t, "check", "--config", cfg)
			if err == nil {
				t.Fatalf("check passed:\n%s", out)
			}
			if !strings.Contains(err.Error(), filepath.Dir(cfg)+"/"+tc.want) {
				t.Errorf("error %q lacks %q", err, tc.want)
			}
			if !strings.Contains(out, "state_dir:  "+tc.stateDir+" (configured): NOT WRITABLE\n") {
				t.Errorf("output:\n%s", out)
			}
		})
	}
	// A directory that can be written is left as it was.
	state := t.TempDir()
	cfg := writeFile(t, filepath.Join(t.TempDir(), "config.yaml"), "state_dir: "+state+"\nsources:\n  - {type: audit, path: /a}\n")
	if out, err := execute(t, "check", "--config", cfg); err != nil {
		t.Fatalf("check: %v\n%s", err, out)
	}
	if left, _ := os.ReadDir(state); len(left) != 0 {
		t.Errorf("check left %d file(s) in the state directory", len(left))
	}
}
