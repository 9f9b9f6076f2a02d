package config

import (
	"strings"
	"testing"
)

// TestParseMergeKey: YAML merge keys (<<) are taken as the YAML decoder
// takes them, with no unknown-key error (fresh-user trial 120: check
// applied the merge and reported "<<" as an unknown key): a mapping, an
// alias of one or a list of aliases (the first one's keys winning), the
// mapping's own keys winning over merged ones, a merged key of the wrong
// type or unknown reported at the line it was written at; a << of a
// single value is an error naming its line.
func TestParseMergeKey(t *testing.T) {
	const head = "state_dir: /st\nforward:\n  url: tcp://10.0.0.1:514\n"
	for _, tc := range []struct {
		name, yaml, err string // err: "" for none
		check           func(c *Config) bool
	}{
		{"inline mapping", "forward:\n  <<: {url: \"tcp://127.0.0.1:7\", facility: local5}\n", "",
			func(c *Config) bool { return c.Forward.URL == "tcp://127.0.0.1:7" && c.Forward.Facility == "local5" }},
		{"alias, own key wins", head + "sources:\n  - &a {type: audit, path: /a/audit_json.log, start_at: end}\n  - <<: *a\n    path: /b/audit_json.log\n", "",
			func(c *Config) bool {
				return len(c.Sources) == 2 && c.Sources[1].Path == "/b/audit_json.log" && c.Sources[1].Type == "audit" && c.Sources[1].StartAt == "end"
			}},
		{"list of aliases, first wins", head + "sources:\n  - &a {type: audit, path: /a/audit_json.log}\n  - &b {type: access, start_at: end, path: /b.log}\n  - <<: [*a, *b]\n    path: /c.log\n", "",
			func(c *Config) bool {
				return len(c.Sources) == 3 && c.Sources[2].Type == "audit" && c.Sources[2].StartAt == "end" && c.Sources[2].Path == "/c.log"
			}},
		{"merged unknown key at its line", head + "sources:\n  - &a {type: audit, path: /a/audit_json.log, colour: red}\n  - <<: *a\n    path: /b.log\n",
			`config.yaml:5: unknown key "colour" in sources[0]`, nil},
		{"single value", head + "sources:\n  - <<: 5\n    type: audit\n    path: /a.log\n",
			"config.yaml:5: the merge key << takes a mapping (<<: *defaults, with defaults an anchor of a mapping) or a list of them, not a single value",
			func(c *Config) bool { return len(c.Sources) == 1 && c.Sources[0].Path == "/a.log" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse([]byte(tc.yaml), "config.yaml")
			switch {
			case tc.err == "" && err != nil:
				t.Fatalf("Parse: %v, want no error", err)
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Errorf("Parse error %v, want %q", err, tc.err)
			}
			if strings.Contains(errString(err), `"<<"`) {
				t.Errorf("Parse error %v calls << a key", err)
			}
			if tc.check != nil && (c == nil || !tc.check(c)) {
				t.Errorf("decoded forward %+v, sources %+v: not the merged values", c.Forward, c.Sources)
			}
		})
	}
}

// errString is err's text, "" for nil.
func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
