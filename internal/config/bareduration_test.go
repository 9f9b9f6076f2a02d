package config

import (
	"slices"
	"testing"
	"time"
)

// TestBareDurations: a duration key given as a bare whole number is read
// as that many seconds, as a detection rule's duration parameter is
// (window: 300), and is reported with its line, so that check, run and
// detect warn about it; before, it was an error ("want a duration with a
// unit"), while the rules took it (fresh-user trial 281). 0 is 0 in any
// unit, not reported; a quoted number, a negative or a fractional one
// are errors still (TestValueErrorsGolden).
func TestBareDurations(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		got        func(c *Config) time.Duration
		want       time.Duration
		warn       string // the warning, "" for none
	}{
		{"checkpoint_interval", "checkpoint_interval: 2\n", func(c *Config) time.Duration { return c.Tailer.CheckpointInterval }, 2 * time.Second,
			"config.yaml:1: checkpoint_interval: 2 is read as 2 seconds; write 2s to keep it, or 2m or 2h"},
		{"detections.lateness", "state_dir: /s\ndetections:\n  lateness: 30\n", func(c *Config) time.Duration { return c.Detections.Lateness }, 30 * time.Second,
			"config.yaml:3: detections.lateness: 30 is read as 30 seconds; write 30s to keep it, or 30m"}, // not 30h: at most 24h
		{"detections.state_save_interval", "detections:\n  state_save_interval: 90\n", func(c *Config) time.Duration { return c.Detections.StateSaveInterval }, 90 * time.Second,
			"config.yaml:2: detections.state_save_interval: 90 is read as 90 seconds (1m30s); write 90s to keep it, or 90m or 90h"},
		{"streaming.dedupe_window", "streaming:\n  dedupe_window: 1\n", func(c *Config) time.Duration { return c.Streaming.DedupeWindow }, time.Second,
			"config.yaml:2: streaming.dedupe_window: 1 is read as 1 second; write 1s to keep it, or 1m or 1h"},
		{"an input's idle_timeout", "inputs:\n  - listen: tcp://127.0.0.1:2514\n  - listen: tcp://127.0.0.1:2515\n    idle_timeout: 600\n",
			func(c *Config) time.Duration { return c.Inputs[1].IdleTimeout }, 10 * time.Minute,
			"config.yaml:4: inputs[1].idle_timeout: 600 is read as 600 seconds (10m0s); write 600s to keep it, or 600m or 600h"},
		{"0", "detections:\n  lateness: 0\n", func(c *Config) time.Duration { return c.Detections.Lateness }, 0, ""},
		{"with its unit", "detections:\n  lateness: 30s\n", func(c *Config) time.Duration { return c.Detections.Lateness }, 30 * time.Second, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse([]byte(tc.yaml), "config.yaml")
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := tc.got(c); got != tc.want {
				t.Errorf("read as %v, want %v", got, tc.want)
			}
			var warns []string
			for _, b := range c.BareDurations() {
				warns = append(warns, b.Warning(c.File()))
			}
			want := []string{tc.warn}
			if tc.warn == "" {
				want = nil
			}
			if !slices.Equal(warns, want) {
				t.Errorf("warnings %q, want %q", warns, want)
			}
		})
	}
}
