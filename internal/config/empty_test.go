package config

import (
	"strings"
	"testing"
)

// TestParseEmpty: a file that sets no key (empty, comments only, "---"
// alone, {}, a null document) parses as all defaults and says so with
// Empty; a document that is a single value is still refused.
func TestParseEmpty(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		err        string // "" for a file that sets nothing
	}{
		{"empty", "", ""},
		{"blank lines", "\n  \n", ""},
		{"comments only", "# gitlab-syslog\n# state_dir: /x\n", ""},
		{"document start only", "---\n", ""},
		{"document start with a comment", "--- # none yet\n", ""},
		{"comments around the document start", "# a\n---\n# b\n", ""},
		{"document start and end", "---\n...\n", ""},
		{"empty mapping", "{}\n", ""},
		{"null", "~\n", ""},
		{"a word", "state_dir\n", `config.yaml:1: the configuration must be a mapping of keys (state_dir, forward, sources, ...), not a single value`},
		{"a word after the document start", "---\nhello\n", `config.yaml:2: the configuration must be a mapping of keys (state_dir, forward, sources, ...), not a single value`},
		{"a list", "- a\n", `config.yaml:1: the configuration must be a mapping of keys (state_dir, forward, sources, ...), not a list`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse([]byte(tc.data), "config.yaml")
			switch {
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Errorf("err = %v, want %q", err, tc.err)
			case tc.err == "" && err != nil:
				t.Errorf("err = %v, want a configuration that sets nothing", err)
			case tc.err == "" && !c.Empty():
				t.Error("Empty() = false for a file that sets nothing")
			}
		})
	}
}

// TestParseWrongTypeNotEmpty: a file whose only keys have values of the
// wrong type gave keys: it is not Empty, so check does not say it "sets
// nothing" beside the error about those keys (fresh-user trial 120).
func TestParseWrongTypeNotEmpty(t *testing.T) {
	for _, data := range []string{"hostname: [a, b]\n", "sources:\n  - /var/log/gitlab/gitlab-rails/audit_json.log\n"} {
		c, err := Parse([]byte(data), "config.yaml")
		if err == nil || c == nil {
			t.Fatalf("Parse(%q) = %v, %v: want the configuration and an error about the value", data, c, err)
		}
		if c.Empty() {
			t.Errorf("Parse(%q): Empty() = true, want false: the file gave a key (%v)", data, err)
		}
	}
}
