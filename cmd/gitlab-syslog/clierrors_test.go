package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestFlagErrors is the table of command lines that must fail, with the
// text the error must contain: bad flag values are refused, not replaced
// by defaults, and the message names the flag and what it wants.
func TestFlagErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"send type typo", "", []string{"send", "--to", "stdout", "--type", "audti"}, `--type "audti": want audit, application, access, auth or auto (did you mean "audit"?)`},
		{"parse type typo", "", []string{"parse", "--type", "applicaton"}, `parse: --type "applicaton": want audit, application, access, auth or auto (did you mean "application"?)`},
		{"send batch 0", "", []string{"send", "--to", "stdout", "--batch", "0"}, "--batch 0: want a number of lines of 1 or more"},
		{"send batch negative", "", []string{"send", "--to", "stdout", "--batch", "-5"}, "--batch -5: want"},
		{"send timeout 0", "x\n", []string{"send", "--to", "stdout", "--timeout", "0s"}, "send: --timeout 0s: want a positive duration, e.g. 5s"},
		{"send timeout negative", "x\n", []string{"send", "--to", "stdout", "--timeout", "-5s"}, "send: --timeout -5s: want a positive duration, e.g. 5s"},
		{"run shutdown-timeout negative", "", []string{"run", "--to", "stdout", "--shutdown-timeout", "-1s"}, "--shutdown-timeout -1s: want a positive duration"},
		{"completion unknown shell", "", []string{"completion", "bogus"}, `unknown command "bogus"`},
		{"parse nothing parsed", "garbage\nmore garbage\n", []string{"parse"}, "no line parsed: all 2 read failed"},
		{"parse max-line-bytes", "", []string{"parse", "--max-line-bytes", "0"}, "--max-line-bytes: want a size"},
		{"run max-line-bytes 0", "", []string{"run", "--once", "--to", "stdout", "--log-dir", "../../testdata", "--max-line-bytes", "0"}, "--max-line-bytes: want a size from 1KiB to 2GiB, got \"0\""},
		{"run empty --state-dir", "", []string{"run", "--once", "--to", "stdout", "--log-dir", "../../testdata", "--state-dir", ""}, "--state-dir: empty value (an unset shell variable?); give a path, or leave the flag out for /var/lib/gitlab-syslog"},
		{"run empty --config", "", []string{"run", "--once", "--to", "stdout", "--config", " "}, "--config: empty value (an unset shell variable?)"},
		{"check empty --log-dir", "", []string{"check", "--log-dir", ""}, "--log-dir: empty value (an unset shell variable?)"},
		{"send empty --to", "x\n", []string{"send", "--to", ""}, "--to: empty value (an unset shell variable?); give a destination URL"},
		{"run empty --to", "", []string{"run", "--once", "--to", " ", "--log-dir", "../../testdata"}, "--to: empty value"},
		{"send empty --hostname", "x\n", []string{"send", "--to", "stdout", "--hostname", ""}, "--hostname: empty value (an unset shell variable?); give a host name such as gitlab01.example.com, - for RFC 5424's nil value (no host name), or leave the flag out for this machine's name"},
		{"run blank --hostname", "", []string{"run", "--once", "--to", "stdout", "--log-dir", "../../testdata", "--hostname", " "}, "--hostname: empty value"},
		{"check empty --hostname", "", []string{"check", "--to", "stdout", "--log-dir", "../../testdata", "--hostname", ""}, "--hostname: empty value"},
		{"send --sd-id without @", "x\n", []string{"send", "--to", "stdout", "--sd-id", "gitlab"}, `--sd-id: "gitlab" has no @: an SD-ID without @ must be registered with IANA (RFC 5424 §6.3.2)`},
		{"check --sd-id IANA-registered", "", []string{"check", "--to", "stdout", "--log-dir", "../../testdata", "--sd-id", "meta"}, `--sd-id: "meta" is an SD-ID registered with IANA`},
		{"run --sd-id without @", "", []string{"run", "--once", "--to", "stdout", "--log-dir", "../../testdata", "--sd-id", "mycompany"}, `--sd-id: "mycompany" has no @`},
		{"send --sd-id with --no-sd", "x\n", []string{"send", "--to", "stdout", "--no-sd", "--sd-id", "gl@32473"}, "--sd-id gl@32473 with --no-sd: --no-sd sends no STRUCTURED-DATA, so no SD-ID is used; give one of them"},
		{"run --sd-id with --rfc3164", "", []string{"run", "--once", "--to", "stdout", "--log-dir", "../../testdata", "--rfc3164", "--sd-id", "gl@32473"}, "--sd-id gl@32473 with --rfc3164: an RFC 3164 message has no STRUCTURED-DATA"},
		{"healthcheck timeout 0", "", []string{"healthcheck", "--timeout", "0s"}, "healthcheck: --timeout 0s: want a positive duration"},
		{"parse TYPE:FILE", "", []string{"parse", "AUDIT:no-such.log"}, "open AUDIT:no-such.log: no such file or directory (TYPE:FILE is detect's syntax; parse takes --type audit no-such.log)"},
		{"send TYPE:FILE", "", []string{"send", "--to", "stdout", "access:/no/such.log"}, "open access:/no/such.log: no such file or directory (TYPE:FILE is detect's syntax; send takes --type access /no/such.log)"},
		{"check missing --config", "", []string{"check", "--config", "/no/such/config.yaml"}, "config: /no/such/config.yaml: no such file: is the path right? the configuration is one YAML file, e.g. /etc/gitlab-syslog/config.yaml; examples/config.yaml is a commented one"},
		{"run --config a directory", "", []string{"run", "--once", "--config", "../../examples"}, "config: ../../examples is a directory: give the configuration file in it; the configuration is one YAML file"},
		{"detect missing --config", "", []string{"detect", "--config", "/no/such.yaml", "../../testdata/audit_json.log"}, "config: /no/such.yaml: no such file: is the path right?"},
		{"parse stdin twice", "x\n", []string{"parse", "-", "-"}, "parse: standard input (-) given 2 times; it can be read once: give - once, or the files by name"},
		{"send stdin twice", "x\n", []string{"send", "--to", "-", "-", "-"}, "send: standard input (-) given 2 times; it can be read once"},
		{"parse nothing parsed, auto", "hello\n", []string{"parse"}, "parse: no line parsed: the 1 line read failed (none was recognised as a GitLab log: audit, application or auth JSON, application text or an NGINX access line; is it one? The _error of each line says why)"},
		{"parse nothing parsed, --type", "hello\n", []string{"parse", "--type", "access"}, "parse: no line parsed: the 1 line read failed (is --type access right? The _error of each line says why)"},
		{"send --batch not a number", "", []string{"send", "--to", "stdout", "--batch", "abc"}, `--batch "abc": want a whole number (gitlab-syslog send --help lists its flags)`},
		{"send --timeout without unit", "", []string{"send", "--to", "stdout", "--timeout", "5"}, `--timeout "5": want a duration with a unit, e.g. 5s, 250ms, 2m (gitlab-syslog send --help lists its flags)`},
		{"run --once not a bool", "", []string{"run", "--once=maybe"}, `--once "maybe": want true or false (or the flag alone for true) (gitlab-syslog run --help lists its flags)`},
		{"parse unknown flag, a typo", "", []string{"parse", "--typ", "audit"}, "unknown flag --typ (did you mean --type?) (gitlab-syslog parse --help lists its flags)"},
		{"detect unknown flag", "", []string{"detect", "--bogus"}, "unknown flag --bogus (gitlab-syslog detect --help lists its flags)"},
		{"send --to without a value", "", []string{"send", "--to"}, "--to needs a value: destination URL: "},
		{"check an argument", "", []string{"check", "extra"}, `check takes no arguments, got "extra": gitlab-syslog check --help lists its flags`},
		{"check the config as an argument", "", []string{"check", "../../examples/config.yaml"}, `check takes no arguments, got "../../examples/config.yaml": a configuration file is given with --config ../../examples/config.yaml`},
		{"run the log dir as an argument", "", []string{"run", "--once", "../../testdata"}, `run takes no arguments, got "../../testdata": GitLab's log directory is given with --log-dir ../../testdata`},
		{"collect the URL as an argument", "", []string{"collect", "tcp://127.0.0.1:5514"}, `collect takes no arguments, got "tcp://127.0.0.1:5514": the address to listen on is given with --listen tcp://127.0.0.1:5514`},
		{"send --ca-file missing", "x\n", []string{"send", "--to", "tls://127.0.0.1:1", "--ca-file", "/no/ca.pem"}, "send: --ca-file: open /no/ca.pem: no such file or directory; give the PEM file of the CA(s) that signed the collector's certificate"},
		{"send --ca-file not PEM", "x\n", []string{"send", "--to", "tls://127.0.0.1:1", "--ca-file", "../../testdata/audit_json.log"}, "send: --ca-file: ../../testdata/audit_json.log holds no PEM certificate"},
		{"run --ca-file missing", "", []string{"run", "--once", "--log-dir", "../../testdata", "--to", "tls://127.0.0.1:1", "--ca-file", "/no/ca.pem"}, "--ca-file: open /no/ca.pem: no such file or directory; give the PEM file"},
		{"send --app-name with a space", "x\n", []string{"send", "--to", "stdout", "--app-name", "GitLab Audit"}, `send: --app-name: "GitLab Audit" has a space or non-ASCII byte at 6; RFC 5424 allows printable ASCII only`},
		{"check --config - from stdin, an error", "state_dir: /s\nsorces: []\n", []string{"check", "--config", "-"}, `stdin:2: unknown key "sorces" (did you mean "sources"?)`},
		{"run --config -", "state_dir: /s\n", []string{"run", "--once", "--config", "-"}, "config: - (standard input) is read as the configuration by check --config - only: write it to a file, e.g. config.yaml, and give that"},
		{"send WORD:FILE not a type", "", []string{"send", "--to", "stdout", "stream:/no/such.log"}, "open stream:/no/such.log: no such file or directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := runSendCollect(context.Background(), strings.NewReader(tc.stdin), &out, &errOut, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

// TestCompletionShell checks that the completion command still prints a
// script for a known shell.
func TestCompletionShell(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := runSendCollect(context.Background(), nil, &out, &errOut, "completion", "bash"); err != nil || !strings.Contains(out.String(), "bash completion") {
		t.Errorf("completion bash: %v, %d bytes", err, out.Len())
	}
}

// TestFlagValueCompletion: the agent flags that take one of a few words
// complete them (fresh-user trial 61: --log-format completed nothing).
func TestFlagValueCompletion(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"__complete", "run", "--log-format", ""}, []string{"text", "json"}},
		{[]string{"__complete", "check", "--start-at", ""}, []string{"beginning", "end"}},
		{[]string{"__complete", "run", "--log-level", ""}, []string{"debug", "info", "warn", "error"}},
	} {
		var out, errOut bytes.Buffer
		if err := runSendCollect(context.Background(), nil, &out, &errOut, tc.args...); err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		got := strings.Split(strings.TrimSpace(out.String()), "\n")
		if len(got) != len(tc.want)+1 || !slices.Equal(got[:len(tc.want)], tc.want) {
			t.Errorf("%v completes %q, want %q and the directive", tc.args, got, tc.want)
		}
	}
}

// TestDetectSummarySingular checks the summary says "1 alert" and "1 rule".
func TestDetectSummarySingular(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit_json.log")
	if err := os.WriteFile(path, []byte(`{"id":1,"author_id":1,"entity_id":1,"entity_type":"User","created_at":"2025-03-03T09:00:00Z","event_type":"user_access_locked"}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	o := detectOptions{format: "json", rules: []string{"falco.user_locked"}}
	if err := runDetect(context.Background(), &o, []string{path}, strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"detect: 1 alert from 1 rule running\n", " 1 alert (0 suppressed), 1 event matched\n"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("summary:\n%s\nwant it to contain %q", errOut.String(), want)
		}
	}
}

// TestDefaultPortNote checks that a connection error for a URL without a
// port names the address dialed, and says nothing when the URL has one.
func TestDefaultPortNote(t *testing.T) {
	addr := freePort(t, "tcp") // nothing listens there
	_, err := net.Dial("tcp", addr)
	if err == nil {
		t.Fatal("dial to a free port succeeded")
	}
	host, _, _ := net.SplitHostPort(addr)
	for _, tc := range []struct{ url, want string }{
		{"tcp://" + host, " (no port given, so " + addr + ")"},
		{"tcp://" + addr, ""},
		{"stdout", ""},
	} {
		if got := defaultPortNote(tc.url, err); got != tc.want {
			t.Errorf("defaultPortNote(%q) = %q, want %q", tc.url, got, tc.want)
		}
	}
}

// TestParseNoneParsedByName: when no line parsed and auto typed the
// inputs by their names, the error names the type each was read as,
// instead of asking whether the input is a GitLab log at all (trial 202);
// the inputs typed line by line keep that question.
func TestParseNoneParsedByName(t *testing.T) {
	dir := t.TempDir()
	named, other := filepath.Join(dir, "audit_json.log"), filepath.Join(dir, "notes.txt")
	for _, f := range []string{named, other} {
		if err := os.WriteFile(f, []byte("hello\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"by name", []string{"parse", named}, "(read as the log types their file names say: " + named + " as audit; is each that log? --type sets another. The _error of each line says why)"},
		{"by name and line by line", []string{"parse", named, other}, named + " as audit; is each that log? --type sets another. Of the other inputs, typed line by line, none was recognised as a GitLab log"},
		{"line by line", []string{"parse", other}, "(none was recognised as a GitLab log: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := runSendCollect(context.Background(), strings.NewReader(""), &out, &errOut, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}
