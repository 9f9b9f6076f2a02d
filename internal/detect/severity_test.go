package detect

import (
	"strings"
	"testing"
)

// TestParseSeverity: the severity names of a rule's config, in any case,
// map as detections.md §6.6 sends them (High → err, Medium/WARNING →
// warning, Low → notice, Informational → info); a name above err is
// refused, not lowered to High.
func TestParseSeverity(t *testing.T) {
	tests := []struct {
		in   string
		want Severity
		err  string // "" when accepted
	}{
		{"High", SeverityHigh, ""},
		{"high", SeverityHigh, ""},
		{"HIGH", SeverityHigh, ""},
		{" High ", SeverityHigh, ""},
		{"err", SeverityHigh, ""},
		{"ERROR", SeverityHigh, ""},
		{"Medium", SeverityMedium, ""},
		{"WARNING", SeverityMedium, ""},
		{"Low", SeverityLow, ""},
		{"NOTICE", SeverityLow, ""},
		{"Informational", SeverityInformational, ""},
		{"INFORMATIONAL", SeverityInformational, ""},
		{"info", SeverityInformational, ""},
		{"Critical", 0, `severity "Critical" is above High: alerts have no severity above High (sent as syslog err, 3)`},
		{"CRITICAL", 0, "no severity above High"},
		{"crit", 0, "no severity above High"},
		{"Alert", 0, "no severity above High"},
		{"Emergency", 0, "no severity above High"},
		{"debug", 0, `unknown severity "debug": want High, Medium, Low or Informational, in any case (or syslog's err, warning, notice, info)`},
		{"", 0, `unknown severity ""`},
		{"urgent", 0, `unknown severity "urgent"`},
	}
	for _, tt := range tests {
		got, err := ParseSeverity(tt.in)
		switch {
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("ParseSeverity(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("ParseSeverity(%q) = %v, %v; want an error containing %q", tt.in, got, err, tt.err)
		}
	}
	for _, name := range SeveritiesAbove() {
		if _, err := ParseSeverity(name); err == nil || !strings.Contains(err.Error(), "no severity above High") {
			t.Errorf("SeveritiesAbove lists %q, which ParseSeverity answers with %v; want the no-severity-above-High error", name, err)
		}
	}
	for _, name := range SeverityNames() {
		if _, err := ParseSeverity(name); err != nil {
			t.Errorf("SeverityNames lists %q, which ParseSeverity refuses: %v", name, err)
		}
	}
}
