package config

import (
	"errors"
	"strings"
	"testing"
)

// TestParseDuplicateKey: a key given twice, at the top level or in a
// block, a source or a rule, is one error at the second one's line; the
// rest of the file is decoded, with the first value of the key, as for a
// value of the wrong type, and the error names the key (Error.Twice), for
// check to mark the summary of the file not applied (the YAML decoder alone left the whole mapping
// out, and check showed the built-in defaults as the file's settings).
func TestParseDuplicateKey(t *testing.T) {
	const base = "state_dir: /st\nforward:\n  url: tcp://10.0.0.1:514\nsources:\n  - type: audit\n    path: /a/audit_json.log\n"
	for _, tc := range []struct {
		name, yaml, want string
		twice            string // Error.Twice
		check            func(c *Config) bool
	}{
		{"top-level block", base + "forward:\n  url: udp://10.0.0.2:514\n",
			`config.yaml:7: mapping key "forward" already defined at line 2: a key is given once; keep the one meant and remove the other`, "forward",
			func(c *Config) bool { return c.Forward.URL == "tcp://10.0.0.1:514" }},
		{"key in a block", "state_dir: /st\nforward:\n  url: tcp://10.0.0.1:514\n  url: udp://10.0.0.2:514\nsources:\n  - type: audit\n    path: /a/audit_json.log\n",
			`config.yaml:4: mapping key "url" already defined at line 3`, "forward.url",
			func(c *Config) bool { return c.Forward.URL == "tcp://10.0.0.1:514" && c.Line("forward.url") == 3 }},
		{"key in a source", base + "    path: /b/audit_json.log\n",
			`config.yaml:7: mapping key "path" already defined at line 6`, "sources[0].path",
			func(c *Config) bool { return c.Sources[0].Path == "/a/audit_json.log" }},
		{"rule parameter", base + "detections:\n  rules:\n    sentinel.bruteforce:\n      min_count: 5\n      min_count: 7\n",
			`config.yaml:11: mapping key "min_count" already defined at line 10`, "detections.rules.sentinel.bruteforce.min_count",
			func(c *Config) bool { return c.Detections.Rules["sentinel.bruteforce"].Params["min_count"] == "5" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse([]byte(tc.yaml), "config.yaml")
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) || strings.Count(err.Error(), "\n") != 0 {
				t.Errorf("Parse error %v, want one: %q", err, tc.want)
			}
			if e := (*Error)(nil); !errors.As(err, &e) || e.Twice != tc.twice {
				t.Errorf("Parse error %#v: want one whose Twice is %q, the key given twice, for check to note it", e, tc.twice)
			}
			if c == nil {
				t.Fatal("no configuration: the rest of the file was not decoded")
			}
			if c.StateDir != "/st" || len(c.Sources) != 1 || !tc.check(c) {
				t.Errorf("decoded state_dir %q, sources %+v, forward.url %q, rules %+v: want the file's, with the first value of the key",
					c.StateDir, c.Sources, c.Forward.URL, c.Detections.Rules)
			}
		})
	}
}
