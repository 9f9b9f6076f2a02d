package config

import (
	"strings"
	"testing"
)

// TestMaxLineBytesFloor: a max_line_bytes below MinMaxLine (1KiB), as a
// unit slip writes it (1 for 1MiB, 512 for 512KiB), is an error of the
// key's line that says what the number means and what to write; 1KiB
// and more, and an absent key (the default 1MiB), are accepted.
func TestMaxLineBytesFloor(t *testing.T) {
	for _, tc := range []struct {
		value, want string // want "": valid
	}{
		{"1", "config.yaml:2: max_line_bytes: 1 is 1 byte, not 1 MiB; write 1MiB ("},
		{"10", "config.yaml:2: max_line_bytes: 10 is 10 bytes, not 10 MiB; write 10MiB ("},
		{"512", "config.yaml:2: max_line_bytes: 512 is 512 bytes, not 512 KiB; write 512KiB ("},
		{"1023", "so give at least 8KiB, and no less than 1KiB; the default is 1MiB)"},
		{"1KiB", ""},
		{"8191", ""},
		{"8KiB", ""},
		{"65536", ""},
		{"1MiB", ""},
		{"", ""},
	} {
		t.Run(tc.value, func(t *testing.T) {
			err := withMaxLine(t, tc.value).Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Validate: %v, want valid", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("Validate: %v, want %q", err, tc.want)
			}
		})
	}
}

// TestMaxLineWarning: a valid max_line_bytes below WarnMaxLine (8KiB) is
// warned about with its place; 8KiB and more, and the default, are not.
func TestMaxLineWarning(t *testing.T) {
	for _, tc := range []struct {
		value, want string // want "": no warning
	}{
		{"1KiB", "config.yaml:2: max_line_bytes: 1024 bytes cuts ordinary GitLab lines"},
		{"8191", "config.yaml:2: max_line_bytes: 8191 bytes cuts ordinary GitLab lines"},
		{"8KiB", ""},
		{"", ""},
	} {
		t.Run(tc.value, func(t *testing.T) {
			got := withMaxLine(t, tc.value).MaxLineWarning()
			if tc.want == "" && got != "" || !strings.HasPrefix(got, tc.want) {
				t.Errorf("MaxLineWarning() = %q, want it to begin %q", got, tc.want)
			}
		})
	}
}

// withMaxLine returns config.yaml with max_line_bytes: value on its line 2
// (none when value is ""), parsed and resolved.
func withMaxLine(t *testing.T, value string) *Config {
	t.Helper()
	c, err := Parse([]byte("state_dir: /tmp/x\nmax_line_bytes: "+value+"\nsources:\n  - {type: audit, path: /tmp/audit_json.log}\n"), "config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Resolve(); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestZeroMeansDefault: max_line_bytes: 0 and checkpoint_interval: 0s are
// the defaults (1MiB, 1s), as leaving the keys out is; examples/config.yaml
// says so.
func TestZeroMeansDefault(t *testing.T) {
	c, err := Parse([]byte("state_dir: /tmp/x\nmax_line_bytes: 0\ncheckpoint_interval: 0s\nsources:\n  - {type: audit, path: /tmp/audit_json.log}\n"), "config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Resolve(); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if c.Tailer.MaxLineBytes != DefaultMaxLine || c.Tailer.CheckpointInterval != DefaultCheckpointInterval {
		t.Errorf("max_line_bytes %d, checkpoint_interval %s; want the defaults %d, %s",
			c.Tailer.MaxLineBytes, c.Tailer.CheckpointInterval, DefaultMaxLine, DefaultCheckpointInterval)
	}
}
