package config

import (
	"strings"
	"testing"
)

// TestMaxLineBytesFloor: a max_line_bytes below MinMaxLine (8KiB), as a
// unit slip writes it (1 for 1MiB, 1024 for 1024KiB), is an error of the
// key's line that says what the number means and what to write; 8KiB
// and more, and an absent key (the default 1MiB), are accepted.
func TestMaxLineBytesFloor(t *testing.T) {
	for _, tc := range []struct {
		value, want string // want "": valid
	}{
		{"1", "config.yaml:2: max_line_bytes: 1 is 1 byte, not 1 MiB; write 1MiB ("},
		{"10", "config.yaml:2: max_line_bytes: 10 is 10 bytes, not 10 MiB; write 10MiB ("},
		{"1024", "config.yaml:2: max_line_bytes: 1024 is 1024 bytes, not 1024 KiB; write 1024KiB ("},
		{"1KiB", "config.yaml:2: max_line_bytes: 1024 is 1024 bytes"},
		{"8191", "so give at least 8KiB; the default is 1MiB)"},
		{"8KiB", ""},
		{"65536", ""},
		{"1MiB", ""},
		{"", ""},
	} {
		t.Run(tc.value, func(t *testing.T) {
			c, err := Parse([]byte("state_dir: /tmp/x\nmax_line_bytes: "+tc.value+"\nsources:\n  - {type: audit, path: /tmp/audit_json.log}\n"), "config.yaml")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Resolve(); err != nil {
				t.Fatal(err)
			}
			err = c.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Validate: %v, want valid", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("Validate: %v, want %q", err, tc.want)
			}
		})
	}
}
