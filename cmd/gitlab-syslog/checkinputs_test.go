package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/inputs"
)

// TestCheckInputs: check rejects what run rejects in an inputs entry,
// naming the file and line of the key (a port out of range, a tiny
// max_message_bytes, an unknown other, unusable TLS files), and prints the
// warning run logs for a plain listener on a non-loopback address, run's
// WARN naming the listen key's file and line as check does (where; it
// carried listen alone; the daemon's, as run --once does not listen),
// and warns of an item without a listen, which is off, and of an
// idle_timeout of 0, which is the default.
func TestCheckInputs(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope.pem")
	tests := []struct {
		name, entry string
		err         string // in the error; "": check passes
		out         string // in the output
		runWhere    string // after the config's path, the where of run's plain listener WARN; "": run is not started
	}{
		{"port out of range", "  - listen: relp://127.0.0.1:99999\n", `config.yaml:4: inputs[0].listen: listen "relp://127.0.0.1:99999": port "99999" is not a number from 0 to 65535`, "", ""},
		{"tiny max_message_bytes", "  - listen: relp://127.0.0.1:2514\n    max_message_bytes: 10\n", "config.yaml:5: inputs[0].max_message_bytes: relp://127.0.0.1:2514: max_message_bytes is 10; want at least 2048", "", ""},
		{"other keep", "  - listen: relp://127.0.0.1:2514\n    other: keep\n", `config.yaml:5: inputs[0].other: relp://127.0.0.1:2514: other is "keep", want forward or drop`, "", ""},
		{"TLS files", "  - listen: tls://127.0.0.1:2514\n    tls:\n      cert_file: " + missing + "\n      key_file: " + missing + "\n      client_ca_file: " + missing + "\n",
			"config.yaml:6: inputs[0].tls.cert_file: cert_file " + missing, "", ""},
		{"TLS client CA", "  - listen: tls://127.0.0.1:2514\n    tls:\n      cert_file: " + missing + "\n      key_file: " + missing + "\n      client_ca_file: " + missing + "\n",
			"config.yaml:8: inputs[0].tls.client_ca_file: open " + missing + ": no such file or directory; give the PEM file of the CA(s) that signed the node agents' client certificates, or remove client_ca_file", "", ""},
		{"plain on all interfaces", "  - listen: tcp://0.0.0.0:0\n", "", "config.yaml:4: inputs[0].listen: plain listener on a non-loopback address", ":4: inputs[0].listen"},
		{"plain after an input off", "  - listen: ''\n  - other: drop\n    listen: tcp://0.0.0.0:0\n", "",
			"config.yaml:6: inputs[1].listen: plain listener on a non-loopback address", ":6: inputs[1].listen"},
		// An item whose listen is empty is off: its other keys are not
		// checked, so check says so, naming the key, rather than print
		// "inputs: off" alone and pass.
		{"listen empty", "  - listen: ''\n    other: bogus\n", "",
			"config.yaml:4: inputs[0].listen: empty, so this input is off: it does not listen, and its other keys are not used, and only their types are checked", ""},
		{"listen absent", "  - other: drop\n", "", "config.yaml:4: inputs[0].listen: empty, so this input is off", ""},
		{"listen absent, the rest at defaults", "  - other: forward\n", "", "config.yaml:4: inputs[0].listen: empty, so this input is off", ""},
		{"listen empty, TLS set", "  - listen: ''\n    tls: {cert_file: " + missing + "}\n", "", "config.yaml:4: inputs[0].listen: empty, so this input is off", ""},
		{"listen empty, a size set", "  - listen: ''\n    max_message_bytes: 8MiB\n", "", "config.yaml:4: inputs[0].listen: empty, so this input is off", ""},
		// A template, as the packaged config.yaml holds: listen "" and
		// every other key empty or at its default says nothing unused.
		{"template", "  - listen: ''\n    tls: {cert_file: '', key_file: ''}\n    max_message_bytes: 4MiB\n    max_connections: 1024\n    idle_timeout: 5m\n    other: forward\n", "", "", ""},
		{"listen empty alone", "  - listen: ''\n", "", "", ""},
		// idle_timeout 0 is the default, not "never" (trial 203: taken
		// silently).
		{"idle_timeout 0", "  - listen: tcp://127.0.0.1:2514\n    idle_timeout: 0\n", "",
			"config.yaml:5: inputs[0].idle_timeout: 0 means the default, 5m0s: a connection that sends nothing for that long is closed", ""},
		{"idle_timeout 0s", "  - listen: tcp://127.0.0.1:2514\n    idle_timeout: 0s\n", "", "config.yaml:5: inputs[0].idle_timeout: 0 means the default", ""},
		{"idle_timeout 24h", "  - listen: tcp://127.0.0.1:2514\n    idle_timeout: 24h\n", "", "", ""},
		{"plain on loopback", "  - listen: tcp://127.0.0.1:2514\n", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := "state_dir: " + filepath.Join(dir, "state") + "\nforward: {url: 'stdout://'}\ninputs:\n" + tt.entry
			path := filepath.Join(t.TempDir(), "config.yaml")
			if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := execute(t, "check", "--config", path)
			if tt.err == "" {
				if err != nil {
					t.Fatalf("check failed: %v\n%s", err, out)
				}
			} else if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("check: %v, want an error with %q\n%s", err, tt.err, out)
			}
			if tt.out != "" && (!strings.Contains(out, tt.out) || !strings.Contains(out, "WARNING")) {
				t.Errorf("output lacks %q:\n%s", tt.out, out)
			}
			if tt.out == "" && regexp.MustCompile(`WARNING: .*inputs\[`).MatchString(out) {
				t.Errorf("unexpected warning:\n%s", out)
			}
			if tt.runWhere == "" {
				return
			}
			// The daemon: run --once does not listen (TestOnceInputSpool).
			_, _, errOut := daemon(t, "--config", path, "--log-dir", dir)
			for deadline := time.Now().Add(20 * time.Second); !strings.Contains(errOut.String(), `"msg":"inputs: listening"`); time.Sleep(20 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("run logged no \"inputs: listening\" within 20s:\n%s", errOut.String())
				}
			}
			r := newRunResult(t, "", errOut.String(), nil)
			warns := r.records("inputs: " + inputs.PlainWarning)
			if len(warns) != 1 || warns[0]["level"] != "WARN" || warns[0]["where"] != path+tt.runWhere {
				t.Errorf("run logged %v, want one WARN with where=%s; log:\n%s", warns, path+tt.runWhere, r.stderr)
			}
		})
	}
}

// TestRunWarnsInputOff: run logs at start, as a WARN with check's text,
// that an inputs item without a listen is off, rather than start with
// the item silently left out.
func TestRunWarnsInputOff(t *testing.T) {
	dir := t.TempDir()
	audit := writeFile(t, filepath.Join(dir, "audit_json.log"), "")
	cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+filepath.Join(dir, "st")+"\nforward: {url: stdout}\n"+
		"sources:\n  - {type: audit, path: "+audit+"}\ninputs:\n  - listen: ''\n    other: drop\n")
	want := cfg + ":6: inputs[0].listen: empty, so this input is off: it does not listen, and its other keys are not used, and only their types are checked; give the address to listen on (a URL such as tcp://0.0.0.0:6514 or relp://0.0.0.0:2514), or remove the item"
	out, err := execute(t, "check", "--config", cfg)
	if err != nil || !strings.Contains(out, "WARNING: "+want+"\n") {
		t.Fatalf("check: %v; want the warning %q in:\n%s", err, want, out)
	}
	runWarnsOnce(t, cfg, "config: an input is off", want)
}

// runWarnsOnce runs run --once on the config file cfg and checks that it
// logged msg once, as a WARN whose warning attribute is want (check's
// words).
func runWarnsOnce(t *testing.T, cfg, msg, want string) {
	t.Helper()
	r := runCmd(t, "--config", cfg, "--once", "--shutdown-timeout", "1s")
	recs := r.records(msg)
	if len(recs) != 1 || recs[0]["level"] != "WARN" || recs[0]["warning"] != want {
		t.Errorf("run logged %v, want one WARN %q with warning=%q\n%s", recs, msg, want, r.stderr)
	}
}

// TestInsecureSkipVerifyWarns: forward.tls.insecure_skip_verify is a
// WARNING of check, under the forward line, and run logs it at start with
// check's words (fresh-user trial 141: check said "valid" and run said
// nothing).
func TestInsecureSkipVerifyWarns(t *testing.T) {
	dir := t.TempDir()
	audit := writeFile(t, filepath.Join(dir, "audit_json.log"), "")
	cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+filepath.Join(dir, "st")+"\nforward:\n  url: tls://127.0.0.1:9\n  tls:\n    insecure_skip_verify: true\n"+
		"sources:\n  - {type: audit, path: "+audit+"}\n")
	want := cfg + ":5: forward.tls.insecure_skip_verify: true: the collector's certificate is not verified, so anyone on the network path can pose as the collector and read or drop the logs and alerts; give the CA that signed it in forward.tls.ca_file and remove insecure_skip_verify (it is for tests only)"
	out, err := execute(t, "check", "--config", cfg)
	if err != nil || !regexp.MustCompile(`(?m)^forward: .*\n            WARNING: `+regexp.QuoteMeta(want)+"\n").MatchString(out) {
		t.Fatalf("check: %v; want the warning %q under the forward line in:\n%s", err, want, out)
	}
	runWarnsOnce(t, cfg, "config: the collector's certificate is not verified", want)
}
