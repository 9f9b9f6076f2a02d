package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestDetectParamBeatsConfig: --param NAME=VALUE sets the parameter for
// every rule that reads it, over the --config file's value, whether the
// file gives it under detections.params or under the rule's own
// detections.rules.ID. The rule's own value used to win over the flag:
// min_count: 50 in the file silenced the alert --param min_count=3 asked
// for, and the file's ti_file was matched instead of --param ti_file's.
func TestDetectParamBeatsConfig(t *testing.T) {
	det := filepath.Join("..", "..", "testdata", "detections")
	dir := t.TempDir()
	noIndicator := writeFile(t, filepath.Join(dir, "none.txt"), "192.0.2.254\n")
	for _, tc := range []struct {
		name, rule, config string
		params, inputs     []string
	}{
		{"rule's own min_count", "sentinel.bruteforce", "detections:\n  rules:\n    sentinel.bruteforce:\n      min_count: 50\n",
			[]string{"min_count=3"}, []string{filepath.Join(det, "sentinel.bruteforce", "application_json.log")}},
		{"block's min_count", "sentinel.bruteforce", "detections:\n  params:\n    min_count: 50\n",
			[]string{"min_count=3"}, []string{filepath.Join(det, "sentinel.bruteforce", "application_json.log")}},
		{"rule's own ti_file", "sentinel.ti_malicious_ip", "detections:\n  rules:\n    sentinel.ti_malicious_ip:\n      ti_file: " + noIndicator + "\n",
			[]string{"ti_file=" + filepath.Join(det, "sentinel.ti_malicious_ip", "indicators.txt")},
			[]string{filepath.Join(det, "sentinel.ti_malicious_ip", "gitlab_access.log")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conf := writeFile(t, filepath.Join(t.TempDir(), "c.yaml"), tc.config)
			var without, with, errOut bytes.Buffer
			o := detectOptions{format: "json", rules: []string{tc.rule}, config: conf}
			if err := runDetect(context.Background(), &o, tc.inputs, strings.NewReader(""), &without, &errOut); err != nil {
				t.Fatalf("%v\n%s", err, errOut.String())
			}
			if without.Len() != 0 { // else the case shows nothing
				t.Fatalf("the file's value alone alerts:\n%s", without.String())
			}
			o = detectOptions{format: "json", rules: []string{tc.rule}, config: conf, params: tc.params}
			if err := runDetect(context.Background(), &o, tc.inputs, strings.NewReader(""), &with, &errOut); err != nil {
				t.Fatalf("%v\n%s", err, errOut.String())
			}
			if !strings.Contains(with.String(), `"rule":"`+tc.rule+`"`) {
				t.Errorf("--param %s with --config setting it otherwise: no alert of %s; stderr:\n%s", strings.Join(tc.params, " --param "), tc.rule, errOut.String())
			}
		})
	}
}

// TestDetectListParamBeatsConfig: detect --list shows the --param value
// where the --config file sets the rule's own, and a bare number given to
// a duration with its unit, as check does.
func TestDetectListParamBeatsConfig(t *testing.T) {
	conf := writeFile(t, filepath.Join(t.TempDir(), "c.yaml"), "detections:\n  rules:\n    sentinel.bruteforce:\n      min_count: 50\n      window: 2h\n")
	var out, errOut bytes.Buffer
	if err := runSendCollect(context.Background(), strings.NewReader(""), &out, &errOut, "detect", "--list", "--config", conf, "--param", "min_count=3", "--param", "window=90"); err != nil {
		t.Fatal(err)
	}
	var line string
	for _, l := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(l, "sentinel.bruteforce ") {
			line = l
		}
	}
	for _, want := range []string{"min_count=3,", "window=90 (1m30s),"} {
		if !strings.Contains(line, want) {
			t.Errorf("sentinel.bruteforce row lacks %q: %q", want, line)
		}
	}
	if strings.Contains(line, "min_count=50") || strings.Contains(line, "window=2h") {
		t.Errorf("sentinel.bruteforce row shows the file's value over --param's: %q", line)
	}
}

// TestDetectParamHidesFileMistake: a --config file value that a --param
// overrides is still checked: the run goes on with the flag's value (its
// alert is raised), and one warning names FILE:LINE, the key, the bad
// value and the flag, saying run refuses the file. A valid overridden
// value gets no warning. The bad value used to pass without a word.
func TestDetectParamHidesFileMistake(t *testing.T) {
	input := filepath.Join("..", "..", "testdata", "detections", "gitlab.password_spray", "application_json.log")
	for _, tc := range []struct {
		name, config, want string // want: "" for no warning
	}{
		{"rule's own", "detections:\n  rules:\n    gitlab.password_spray:\n      min_users: ten\n",
			`c.yaml:4: detections.rules.gitlab.password_spray.min_users: "ten": want a whole number, at least 1; --param min_users=3 overrides it in this run, but run refuses the file: fix it there`},
		{"block's", "detections:\n  params:\n    min_users: ten\n",
			`c.yaml:3: detections.params.min_users: "ten": rule gitlab.password_spray: want a whole number, at least 1; --param min_users=3 overrides it in this run, but run refuses the file: fix it there`},
		{"valid value", "detections:\n  rules:\n    gitlab.password_spray:\n      min_users: 50\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conf := writeFile(t, filepath.Join(t.TempDir(), "c.yaml"), tc.config)
			var stdout, stderr bytes.Buffer
			o := detectOptions{format: "json", rules: []string{"gitlab.password_spray"}, config: conf, params: []string{"min_users=3"}}
			if err := runDetect(context.Background(), &o, []string{input}, strings.NewReader(""), &stdout, &stderr); err != nil {
				t.Fatalf("%v\n%s", err, &stderr)
			}
			if !strings.Contains(stdout.String(), `"rule":"gitlab.password_spray"`) {
				t.Errorf("no alert with the flag's value; stderr:\n%s", &stderr)
			}
			n := strings.Count(stderr.String(), "WARNING")
			switch {
			case tc.want == "" && n != 0:
				t.Errorf("warned about a valid value:\n%s", &stderr)
			case tc.want != "" && (n != 1 || !strings.Contains(stderr.String(), "detect: WARNING: "+conf[:len(conf)-len("c.yaml")]+tc.want+"\n")):
				t.Errorf("stderr:\n%s\nwant one warning: %s", &stderr, tc.want)
			}
		})
	}
}
