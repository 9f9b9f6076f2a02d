package config

import (
	"errors"
	"strings"
	"testing"
)

// TestBadListItemKeepsIndexes: a list item of the wrong type is reported,
// and the items after it are still decoded and checked under their own
// index (they were left out with it, to be reported once it was fixed);
// the bad item itself is not called missing its keys.
func TestBadListItemKeepsIndexes(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		want       []string // the errors of Parse and Validate, in line order
	}{
		{"sources", "sources:\n  - {type: audit, path: /a.log}\n  - /b.log\n  - {type: audti, path: /c.log}\n", []string{
			`config.yaml:3: sources[1]: a source is a mapping of keys, not a bare path "/b.log"`,
			`config.yaml:4: sources[2].type: "audti" is not one of audit, application, access, auth`}},
		{"sources: an empty item (fresh-user trial: left out silently, renumbering the items after it)", "sources:\n  - {type: audit, path: /a.log}\n  -\n  - {type: audti, path: /c.log}\n  - null\n", []string{
			`config.yaml:3: sources[1]: is an empty item (a - with nothing after it): give the source's keys after the -, e.g. - {type: audit, path: /var/log/gitlab/gitlab-rails/audit_json.log}, or delete the line`,
			`config.yaml:4: sources[2].type: "audti" is not one of audit, application, access, auth`,
			`config.yaml:5: sources[3]: is an empty item (null, which YAML reads as nothing): give the source's keys in place of null, e.g.`}},
		{"sources: null items are not called a - with nothing after it", "sources:\n  - ~\n  - {type: audit, path: /a.log}\n  - Null\n", []string{
			`config.yaml:2: sources[0]: is an empty item (~, which YAML reads as nothing): give the source's keys in place of ~, e.g. - {type: audit, path: /var/log/gitlab/gitlab-rails/audit_json.log}, or delete the line`,
			`config.yaml:4: sources[2]: is an empty item (Null, which YAML reads as nothing): give the source's keys in place of Null`}},
		{"inputs: a null item", "inputs:\n  - null\n", []string{
			`config.yaml:2: inputs[0]: is an empty item (null, which YAML reads as nothing): give the input's keys in place of null, e.g. - {listen: relp://0.0.0.0:2514}, or delete the line`}},
		{"inputs: an empty item", "inputs:\n  -\n  - {listen: \"tcp://127.0.0.1:5515\", other: bogus}\n", []string{
			`config.yaml:2: inputs[0]: is an empty item (a - with nothing after it): give the input's keys after the -, e.g. - {listen: relp://0.0.0.0:2514}, or delete the line`,
			`config.yaml:3: inputs[1].other: tcp://127.0.0.1:5515: other is "bogus"`}},
		{"inputs", "inputs:\n  - 127.0.0.1:5514\n  - {listen: \"tcp://127.0.0.1:5515\", other: bogus}\n", []string{
			`config.yaml:2: inputs[0]: want a mapping of keys`,
			`config.yaml:3: inputs[1].other: tcp://127.0.0.1:5515: other is "bogus"`}},
		{"streaming tokens", "streaming:\n  listen: 127.0.0.1:8088\n  tokens:\n    - [a]\n    - \" \"\n", []string{
			`config.yaml:4: streaming.tokens[0]: want a single value, got a list`,
			`config.yaml:5: streaming.tokens[1]: is empty`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse([]byte(tc.yaml), "config.yaml")
			if c == nil {
				t.Fatalf("Parse returned no configuration: %v", err)
			}
			c.LogDir, c.StateDir = t.TempDir(), t.TempDir()
			if _, rerr := c.Resolve(); rerr != nil {
				t.Fatal(rerr)
			}
			got := strings.Split(SortErrors(errors.Join(err, c.Validate()), "config.yaml").Error(), "\n")
			if len(got) != len(tc.want) {
				t.Fatalf("got %d errors, want %d:\n%s", len(got), len(tc.want), strings.Join(got, "\n"))
			}
			for i, w := range tc.want {
				if !strings.HasPrefix(got[i], w) {
					t.Errorf("error %d = %q, want it to start with %q", i+1, got[i], w)
				}
			}
		})
	}
}

// TestWritten: a value Parse leaves out as of the wrong type is kept as
// written, a list or a mapping on one line, so that check shows it, not
// the default decoded in its place (fresh-user trial 281: lateness:
// banana was shown as 2m0s); a value taken is not Written.
func TestWritten(t *testing.T) {
	c, err := Parse([]byte("detections:\n  lateness: banana\n  state_save_interval: [1, 2]\nforward:\n  facility: {a: 1}\n  format: rfc5424\n"), "config.yaml")
	if err == nil {
		t.Fatal("Parse took values of the wrong type")
	}
	for path, want := range map[string]string{
		"detections.lateness":            "banana",
		"detections.state_save_interval": "[1, 2]",
		"forward.facility":               "{a: 1}",
		"forward.format":                 "",
	} {
		if got := c.Written(path); got != want {
			t.Errorf("Written(%q) = %q, want %q", path, got, want)
		}
	}
}
