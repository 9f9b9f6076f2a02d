package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestRunListsStateDirWithMistakes: run refuses a configuration with
// mistakes listing, with them and in the order of the lines, a state
// directory in which no file can be created, as check does; before, that
// one appeared only once the others were fixed.
func TestRunListsStateDirWithMistakes(t *testing.T) {
	dir := t.TempDir()
	notDir := writeFile(t, filepath.Join(dir, "plainfile"), "x")
	for _, tc := range []struct {
		name, config string
		want         []string // the error's lines, in order, after the config's path; nil: no state_dir line
	}{
		{"unwritable state_dir with a bad value", "state_dir: " + filepath.Join(notDir, "s") + "\nstart_at: middle\n", []string{
			":1: state_dir " + filepath.Join(notDir, "s") + ": ",
			`:2: start_at: "middle" is not one of beginning, end`,
		}},
		{"writable state_dir: not listed", "state_dir: " + filepath.Join(dir, "state") + "\nstart_at: middle\n", []string{
			`:2: start_at: "middle" is not one of beginning, end`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := writeFile(t, filepath.Join(t.TempDir(), "config.yaml"), tc.config)
			runRefuses(t, cfg, tc.want)
		})
	}
}

// TestRunListsEveryInputMistake: run refuses an inputs item whose listen
// does not parse listing, as check does, every other mistake of the item
// too, each at its line (fresh-user trial 84: the port alone, then the
// others once it was fixed).
func TestRunListsEveryInputMistake(t *testing.T) {
	for _, tc := range []struct {
		name, inputs string
		want         []string // the error's lines, in order, after the config's path
	}{
		{"port out of range", "  - listen: tcp://127.0.0.1:99999\n    max_message_bytes: 1KiB\n    max_connections: -3\n    idle_timeout: -5s\n", []string{
			`:4: inputs[0].listen: listen "tcp://127.0.0.1:99999": port "99999" is not a number from 0 to 65535`,
			":5: inputs[0].max_message_bytes: tcp://127.0.0.1:99999: max_message_bytes is 1024; want at least 2048 ",
			":6: inputs[0].max_connections: tcp://127.0.0.1:99999: max_connections must not be negative",
			":7: inputs[0].idle_timeout: tcp://127.0.0.1:99999: idle_timeout must not be negative",
		}},
		{"TLS listener without a port", "  - listen: relp+tls://127.0.0.1\n    other: keep\n", []string{
			`:4: inputs[0].listen: listen "relp+tls://127.0.0.1": `,
			":4: inputs[0].tls.cert_file: relp+tls://127.0.0.1 needs tls.cert_file and tls.key_file",
			`:5: inputs[0].other: relp+tls://127.0.0.1: other is "keep", want forward or drop`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := writeFile(t, filepath.Join(dir, "config.yaml"), "state_dir: "+filepath.Join(dir, "state")+"\nsources: []\ninputs:\n"+tc.inputs)
			runRefuses(t, cfg, tc.want)
		})
	}
}

// runRefuses runs the config file cfg once and checks that run refuses it
// with an error of one line per mistake, in order, each starting with cfg
// and then the want of its place.
func runRefuses(t *testing.T, cfg string, want []string) {
	t.Helper()
	out, err := execute(t, "run", "--config", cfg, "--once", "--to", "stdout")
	if err == nil {
		t.Fatalf("run accepted it:\n%s", out)
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != len(want) {
		t.Fatalf("%d errors, want %d:\n%v", len(lines), len(want), err)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], cfg+w) {
			t.Errorf("error %d = %q, want it to start with %q", i+1, lines[i], cfg+w)
		}
	}
}
