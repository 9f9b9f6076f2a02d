package config

import (
	"regexp"
	"strings"
	"testing"
)

// TestHintExamplesInRange: the error for a value of the wrong form gives
// examples of a value, and the same key takes each of them. Before,
// forward.max_message_bytes: big suggested 1048576 or 1MiB, which the key
// then refused as over 65507 (fresh-user trial), and
// detections.state_save_interval suggested 250ms, below its 1s floor.
func TestHintExamplesInRange(t *testing.T) {
	const base = "state_dir: /tmp/x\nsources:\n  - {type: audit, path: /tmp/audit_json.log}\n"
	exampleRE := regexp.MustCompile(`\(e\.g\. ([^)]*)\)`)
	for _, tc := range []struct {
		key, block string // block: the YAML with %s for the value
		bad        string
	}{
		{"forward.max_message_bytes", "forward:\n  url: udp://127.0.0.1:514\n  max_message_bytes: %s\n", "big"},
		{"forward.max_message_bytes", "forward:\n  url: udp://127.0.0.1:514\n  max_message_bytes: %s\n", "12 apples"},
		{"forward.max_message_bytes", "forward:\n  url: udp://127.0.0.1:514\n  max_message_bytes: %s\n", "[1]"},
		{"max_line_bytes", "max_line_bytes: %s\n", "lots"},
		{"detections.state_save_interval", "detections:\n  state_save_interval: %s\n", "often"},
		{"detections.state_save_interval", "detections:\n  state_save_interval: %s\n", "0.5"}, // 30 is 30s (TestBareDurations)
		{"detections.lateness", "detections:\n  lateness: %s\n", "late"},
		{"checkpoint_interval", "checkpoint_interval: %s\n", "soon"},
	} {
		t.Run(tc.key+"="+tc.bad, func(t *testing.T) {
			_, err := Parse([]byte(base+strings.Replace(tc.block, "%s", tc.bad, 1)), "config.yaml")
			if err == nil {
				t.Fatalf("%s: %s accepted", tc.key, tc.bad)
			}
			m := exampleRE.FindStringSubmatch(err.Error())
			if m == nil || !strings.Contains(err.Error(), tc.key+": ") {
				t.Fatalf("no example of a value for %s in %v", tc.key, err)
			}
			for _, ex := range regexp.MustCompile(`, | or `).Split(m[1], -1) {
				c, err := Parse([]byte(base+strings.Replace(tc.block, "%s", ex, 1)), "config.yaml")
				if err == nil {
					_, err = c.Resolve()
				}
				if err == nil {
					err = c.Validate()
				}
				if err != nil {
					t.Errorf("the hint %q suggests %s: %s, which is refused: %v", m[0], tc.key, ex, err)
				}
			}
		})
	}
}
