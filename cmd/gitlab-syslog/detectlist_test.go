package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestDetectListDefault: detect --list's DEFAULT column says what a run
// without parameters does. The rules that need data they are not given
// were listed "on" although every run then said "is off: no ti_file".
func TestDetectListDefault(t *testing.T) {
	var out bytes.Buffer
	if err := listRules(&out); err != nil {
		t.Fatal(err)
	}
	def := map[string]string{}
	for _, l := range strings.Split(out.String(), "\n") {
		if f := strings.Fields(l); len(f) > 4 && strings.Contains(f[0], ".") {
			def[f[0]] = f[3]
		}
	}
	for _, c := range []struct{ rule, want, why string }{
		{"sentinel.bruteforce", "on", ""},
		{"falco.pat_created", "on", ""},
		{"sentinel.ti_malicious_ip", "off*", "no ti_file"},
		{"sentinel.external_user", "off*", "no allowed_domains"},
		{"sentinel.signin_burst", "off*", "GeoIP"},
		{"falco.git_op_unknown_country", "off*", "known_countries"},
		{"falco.admin_mode_unknown_country", "off*", "known_countries"},
	} {
		if def[c.rule] != c.want {
			t.Errorf("%s: DEFAULT %q, want %q", c.rule, def[c.rule], c.want)
		}
		if c.why != "" && !strings.Contains(out.String(), "  "+c.rule+": ") {
			t.Errorf("%s: no reason after the table:\n%s", c.rule, out.String())
		} else if c.why != "" {
			_, after, _ := strings.Cut(out.String(), "  "+c.rule+": ")
			if line, _, _ := strings.Cut(after, "\n"); !strings.Contains(line, c.why) {
				t.Errorf("%s: reason %q does not say %q", c.rule, line, c.why)
			}
		}
	}
}
