package detect

import (
	"strings"
	"testing"
)

// TestEveryDeclaredParamIsRead sets each parameter a catalogue rule
// declares, alone, in the rule's own config. Whatever the value, the rule
// must read it (and so accept or reject the value): a parameter read only
// under a condition (another parameter's value) is otherwise reported as
// "unknown parameter" although the rule lists it, and a bad value for it is
// never checked.
func TestEveryDeclaredParamIsRead(t *testing.T) {
	for _, s := range Catalogue() {
		for _, name := range s.Params {
			for _, v := range []string{"10", "not-a-value"} {
				cfg := Config{Specs: []Spec{s}, Rules: map[string]RuleConfig{s.Info.ID: {Params: map[string]string{name: v}}}}
				_, err := New(cfg)
				if err != nil && strings.Contains(err.Error(), "unknown parameter") {
					t.Errorf("%s %s=%s: %v", s.Info.ID, name, v, err)
				}
			}
		}
	}
}
