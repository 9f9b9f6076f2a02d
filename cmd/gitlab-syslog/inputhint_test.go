package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestMissingInputHintCreatedMeanwhile: a file that did not exist when it
// was opened but does when the hint is made (a writer creating it as
// detect starts) gets no "did you mean" naming itself (trial 223: "open
// audit_json.log: no such file or directory (did you mean
// audit_json.log?)").
func TestMissingInputHintCreatedMeanwhile(t *testing.T) {
	name := writeFile(t, filepath.Join(t.TempDir(), "audit_json.log"), "")
	if got := missingInputHint(name); strings.Contains(got, "did you mean") || !strings.Contains(got, "exists now") {
		t.Errorf("missingInputHint(%s) = %q, want that it exists now", name, got)
	}
	if got := similarFile(name, ""); got != "" {
		t.Errorf("similarFile(%s) = %q, want none: a name is no typo of itself", name, got)
	}
}
