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
