package config

import (
	"strings"
	"testing"
)

// TestEnumsAnyCase: the config's enumerated values are taken in any case,
// as the flags take theirs, and set to their canonical form (which the
// rest of the program compares with: a source's APP-NAME comes from its
// type); a value that is none of them in any case is still an error
// naming the file and line, listing the canonical values. Before, "type:
// Audit" or "format: RFC5424" were refused.
func TestEnumsAnyCase(t *testing.T) {
	const head = "state_dir: /s\nhostname: h\n"
	for _, tc := range []struct {
		name, yaml string
		check      func(c *Config) string // "" when right, else what is wrong
		want       string                 // the error; "" for none
	}{
		{"start_at", head + "start_at: END\nsources:\n  - {type: audit, path: /a.log}\n", func(c *Config) string {
			if c.StartAt != "end" || c.Sources[0].StartAt != "end" {
				return "start_at " + c.StartAt + ", sources[0].start_at " + c.Sources[0].StartAt
			}
			return ""
		}, ""},
		{"forward.format", head + "forward:\n  url: stdout\n  format: RFC3164\nsources:\n  - {type: audit, path: /a.log}\n", func(c *Config) string {
			if c.Forward.Format != "rfc3164" || c.Forward.Encoder().Format == 0 {
				return "format " + c.Forward.Format
			}
			return ""
		}, ""},
		{"source type, format, start_at, other_subcomponents", head + "sources:\n  - type: Audit\n    path: /a.log\n    format: CRI\n    start_at: ' Beginning '\n    other_subcomponents: Forward\n", func(c *Config) string {
			s := c.Sources[0]
			if s.Type != "audit" || s.AppName != AppNameAudit || s.Format != "cri" || s.StartAt != "beginning" || s.OtherSubcomponents != "forward" {
				return strings.Join([]string{s.Type, s.AppName, s.Format, s.StartAt, s.OtherSubcomponents}, ", ")
			}
			return ""
		}, ""},
		{"input other", head + "inputs:\n  - listen: tcp://127.0.0.1:6514\n    other: DROP\n", func(c *Config) string {
			if c.Inputs[0].Other != "drop" {
				return "other " + c.Inputs[0].Other
			}
			return ""
		}, ""},
		{"unknown type", head + "sources:\n  - type: Audi\n    path: /a.log\n", nil,
			`config.yaml:4: sources[0].type: "Audi" is not one of audit, application, access, auth (did you mean "audit"?)`},
		{"unknown format", head + "forward:\n  format: RFC5425\nsources:\n  - {type: audit, path: /a.log}\n", nil,
			`config.yaml:4: forward.format: "RFC5425" is not one of rfc5424, rfc3164 (did you mean "rfc5424"?)`},
		{"unknown start_at", head + "start_at: Middle\nsources:\n  - {type: audit, path: /a.log}\n", nil,
			`config.yaml:3: start_at: "Middle" is not one of beginning, end`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse([]byte(tc.yaml), "config.yaml")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Resolve(); err != nil {
				t.Fatal(err)
			}
			err = c.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				if bad := tc.check(c); bad != "" {
					t.Errorf("not canonical: %s", bad)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate error\n%v\nwant one containing\n%s", err, tc.want)
			}
		})
	}
}
