package config

import (
	"strings"
	"testing"
	"time"
)

func TestDetectionsBlock(t *testing.T) {
	y := `state_dir: /s
detections:
  lateness: 5m
  params:
    max_keys: 5000
  rules:
    sentinel.external_user:
      allowed_domains: [corp.example, example.org]
    sentinel.bruteforce:
      enabled: false
      severity: High
      threshold: 20
    falco.pat_created: {enabled: true}
`
	c, err := Parse([]byte(y), "config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Resolve(); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	d := &c.Detections
	ext := d.Rules["sentinel.external_user"].Params
	bf := d.Rules["sentinel.bruteforce"].Params
	glob := d.Params
	checks := []struct {
		name      string
		got, want any
	}{
		{"on by default", d.On(), true},
		{"lateness", d.Lateness, 5 * time.Minute},
		{"state_save_interval default", d.StateSaveInterval, time.Minute},
		{"rule ids sorted", strings.Join(d.RuleIDs(), " "), "falco.pat_created sentinel.bruteforce sentinel.external_user"},
		{"list param", ext["allowed_domains"], "corp.example,example.org"},
		{"scalar param", bf["threshold"], "20"},
		{"enabled and severity are not params", len(bf), 1},
		{"global param", glob["max_keys"], "5000"},
		{"rule disabled", *d.Rules["sentinel.bruteforce"].Enabled, false},
		{"severity", d.Rules["sentinel.bruteforce"].Severity, "High"},
		{"line of a rule", c.Line("detections.rules.sentinel.bruteforce"), 9},
		{"line of a parameter", c.Line("detections.rules.sentinel.bruteforce.threshold"), 12},
		{"line of a flow-style key", c.Line("detections.rules.falco.pat_created.enabled"), 13},
		{"line of a global param", c.Line("detections.params.max_keys"), 5},
		{"Errorf names file and line", c.Errorf("detections.rules.sentinel.bruteforce.threshold", "bad").Error(), "config.yaml:12: detections.rules.sentinel.bruteforce.threshold: bad"},
		{"Errorf falls back to the parent's line", c.Errorf("detections.rules.sentinel.bruteforce.window", "bad").Error(), "config.yaml:9: detections.rules.sentinel.bruteforce.window: bad"},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s: got %v, want %v", ch.name, ch.got, ch.want)
		}
	}
}

func TestDetectionsOff(t *testing.T) {
	c, err := Parse([]byte("detections:\n  enabled: false\n"), "config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if c.Detections.On() {
		t.Error("enabled: false leaves detections on")
	}
	var d Detections
	if !d.On() {
		t.Error("detections are off by default; want on")
	}
}

// TestDetectionsErrors is the table of errors the config package itself
// finds in the detections block (the rule ids and parameters are checked
// against the engine's catalogue by internal/detectconf).
func TestDetectionsErrors(t *testing.T) {
	const lateWhy = "an event older than its source's newest event by more than this is dropped from the windowed rules, " +
		"so 0 would drop every line GitLab writes out of order; leave the key out for the default)"
	tests := []struct {
		name, yaml string
		parse      bool // the error comes from Parse, else from Validate
		want       string
	}{
		{"unknown key", "detections:\n  enable: false\n", true, `config.yaml:2: unknown key "enable" in detections (did you mean "enabled"?)`},
		{"enabled not a bool", "detections:\n  enabled: sometimes\n", true, `config.yaml:2: detections.enabled: want true or false, got "sometimes"`},
		{"rule enabled not a bool", "detections:\n  rules:\n    falco.pat_created:\n      enabled: 3\n", true, `config.yaml:4: detections.rules.falco.pat_created.enabled: want true or false, got 3`},
		{"rules not a mapping", "detections:\n  rules: [a, b]\n", true, "config.yaml:2: detections.rules: want a mapping of rule ids to their settings, one a line indented below the key (e.g. sentinel.bruteforce: {severity: High}), got a list"},
		{"rules an empty list", "detections:\n  rules: []\n", true, "config.yaml:2: detections.rules: want a mapping of rule ids to their settings"},
		{"params an empty list", "detections:\n  params: []\n", true, "config.yaml:2: detections.params: want a mapping of parameter names to values, one a line indented below the key (e.g. allowed_domains: [corp.example]), got a list"},
		{"rule given true", "detections:\n  rules:\n    sentinel.impersonation: true\n", true, "config.yaml:3: detections.rules.sentinel.impersonation: want a mapping of the rule's settings (enabled, severity, parameters), got true; to turn it on or off, write enabled: true on the next line, indented under the rule"},
		{"rule given a severity", "detections:\n  rules:\n    sentinel.bruteforce: High\n", true, `config.yaml:3: detections.rules.sentinel.bruteforce: want a mapping of the rule's settings (enabled, severity, parameters), got "High"; write each setting on its own line, indented under the rule`},
		{"rule given a list", "detections:\n  rules:\n    sentinel.bruteforce: [a]\n", true, `config.yaml:3: detections.rules.sentinel.bruteforce: want a mapping of the rule's settings (enabled, severity, parameters), got a list`},
		{"parameter at the rules' indentation", "detections:\n  rules:\n    sentinel.bruteforce:\n    window: 2h\n", true, `config.yaml:4: detections.rules.window: "window" is not a rule id (ids look like sentinel.bruteforce): is it a parameter? Indent it under its rule (sentinel.bruteforce, line 3), deeper than the rule's id`},
		{"parameter after a setting, outdented", "detections:\n  rules:\n    sentinel.bruteforce:\n      enabled: true\n    window: 2h\n", true, `config.yaml:5: detections.rules.window: "window" is not a rule id`},
		{"enabled quoted", "detections:\n  enabled: \"false\"\n", true, `config.yaml:2: detections.enabled: want true or false without quotes, got "false" (in quotes it is a string)`},
		{"rule enabled quoted", "detections:\n  rules:\n    sentinel.bruteforce:\n      enabled: 'true'\n", true, `config.yaml:4: detections.rules.sentinel.bruteforce.enabled: want true or false without quotes, got "true" (in quotes it is a string)`},
		{"lateness not a duration", "detections:\n  lateness: soon\n", true, `config.yaml:2: detections.lateness: want a duration (e.g. 5s, 250ms, 24h), got "soon"`},
		{"lateness in days", "detections:\n  lateness: 1d\n", true, `config.yaml:2: detections.lateness: want a duration (days are not a unit: write 24h for 1d), got "1d"`},
		{"negative lateness", "state_dir: /s\ndetections:\n  lateness: -1m\n", false, "config.yaml:3: detections.lateness: -1m0s is out of range: want a duration above 0 and at most 24h, such as 5m (the default is 2m; " + lateWhy},
		{"zero lateness", "state_dir: /s\ndetections:\n  lateness: 0s\n", false, "config.yaml:3: detections.lateness: 0s is out of range: want a duration above 0 and at most 24h, such as 5m (the default is 2m; " + lateWhy},
		{"bare zero lateness", "state_dir: /s\ndetections:\n  lateness: 0\n", false, "config.yaml:3: detections.lateness: 0s is out of range"},
		{"lateness above a day", "state_dir: /s\ndetections:\n  lateness: 25h\n", false, "config.yaml:3: detections.lateness: 25h0m0s is out of range: want a duration above 0 and at most 24h"},
		{"state save too often", "state_dir: /s\ndetections:\n  state_save_interval: 10ms\n", false, "config.yaml:3: detections.state_save_interval: 10ms is too short: want at least 1s (the default is 1m; leave the key out for it)"},
		{"state save interval 0", "state_dir: /s\ndetections:\n  state_save_interval: 0s\n", false, "config.yaml:3: detections.state_save_interval: 0s is too short: want at least 1s (the default is 1m; leave the key out for it)"},
		{"parameter is a mapping", "state_dir: /s\ndetections:\n  rules:\n    sentinel.bruteforce:\n      threshold: {a: 1}\n", true, "config.yaml:5: detections.rules.sentinel.bruteforce.threshold: want a single value, got a mapping"},
		{"list parameter is a mapping", "state_dir: /s\ndetections:\n  rules:\n    sentinel.external_user:\n      allowed_domains: {a: 1}\n", true, "config.yaml:5: detections.rules.sentinel.external_user.allowed_domains: is a mapping; want a single value or a list"},
		{"single-valued parameter is a list", "state_dir: /s\ndetections:\n  rules:\n    sentinel.pat_over_time:\n      anomaly: [true]\n", true, "config.yaml:5: detections.rules.sentinel.pat_over_time.anomaly: want a single value, got a list (only allowed_domains and known_countries take a list)"},
		{"single-valued parameter is a list of lists", "state_dir: /s\ndetections:\n  params:\n    max_keys: [[1]]\n", true, "config.yaml:4: detections.params.max_keys: want a single value, got a list (only allowed_domains and known_countries take a list)"},
		{"list of lists", "state_dir: /s\ndetections:\n  params:\n    known_countries: [[DE]]\n", true, "config.yaml:4: detections.params.known_countries[0]: is a list; want a list of single values"},
		{"empty list", "state_dir: /s\ndetections:\n  params:\n    known_countries: []\n", true, "config.yaml:4: detections.params.known_countries: the list is empty: give at least one item, or leave the key out"},
		{"empty list item", "state_dir: /s\ndetections:\n  params:\n    known_countries: [DE, \"\"]\n", true, "config.yaml:4: detections.params.known_countries[1]: is empty; remove it"},
		{"list item with spaces", "state_dir: /s\ndetections:\n  params:\n    known_countries: [DE, \" IE\"]\n", true, `config.yaml:4: detections.params.known_countries[1]: " IE" has spaces around it; give it as "IE"`},
		{"every bad list item, each at its line", "state_dir: /s\ndetections:\n  params:\n    known_countries:\n      - \"PT,ES\"\n      - DE\n      - \"\"\n", true,
			"config.yaml:5: detections.params.known_countries[0]: \"PT,ES\" has a comma; give each value as an item of its own: [PT, ES]\n" +
				"config.yaml:7: detections.params.known_countries[2]: is empty; remove it"},
		{"comma in a list item", "state_dir: /s\ndetections:\n  rules:\n    sentinel.external_user:\n      allowed_domains: [\"a.example,b.example\"]\n", true, `config.yaml:5: detections.rules.sentinel.external_user.allowed_domains[0]: "a.example,b.example" has a comma; give each value as an item of its own: [a.example, b.example]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.yaml), "config.yaml")
			if !tt.parse {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				c.LogDir = t.TempDir()
				if _, err := c.Resolve(); err != nil {
					t.Fatal(err)
				}
				err = c.Validate()
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got error %v\nwant one containing %q", err, tt.want)
			}
		})
	}
}
