package detectconf

import (
	"slices"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
)

// TestBareSeconds: a duration parameter given as a bare number, which the
// engine reads as seconds (window: 5 is 5s where the default is 1h), is
// warned about with its file, line and key and what to write; one with a
// unit, 0 (suppress: 0 alerts every time), a parameter the rule does not
// read (an error already) and other parameters are not.
func TestBareSeconds(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		want       []string
	}{
		{"a rule's window", "detections:\n  rules:\n    sentinel.bruteforce:\n      window: 5\n", []string{
			"config.yaml:4: detections.rules.sentinel.bruteforce.window: 5 is read as 5 seconds; write 5s to keep it, or 5m or 5h"}},
		{"quoted, one second", "detections:\n  rules:\n    sentinel.bruteforce:\n      window: \"1\"\n", []string{
			"config.yaml:4: detections.rules.sentinel.bruteforce.window: 1 is read as 1 second; write 1s to keep it, or 1m or 1h"}},
		{"every duration parameter, in line order", "detections:\n  params:\n    suppress: 90\n    max_session: 2\n  rules:\n" +
			"    sentinel.repo_deletion:\n      learning_period: 3\n      bucket: 4\n      suppress: 6\n", []string{
			"config.yaml:3: detections.params.suppress: 90 is read as 90 seconds (1m30s); write 90s to keep it, or 90m or 90h",
			"config.yaml:4: detections.params.max_session: 2 is read as 2 seconds; write 2s to keep it, or 2m or 2h",
			"config.yaml:7: detections.rules.sentinel.repo_deletion.learning_period: 3 is read as 3 seconds, less than the least learning_period, 1h; write 3h",
			"config.yaml:8: detections.rules.sentinel.repo_deletion.bucket: 4 is read as 4 seconds; write 4s to keep it, or 4m or 4h",
			"config.yaml:9: detections.rules.sentinel.repo_deletion.suppress: 6 is read as 6 seconds; write 6s to keep it, or 6m or 6h"}},
		// Trial 277: "write 90s to keep it" for a value refused as under 1h.
		{"a learning period of seconds, refused", "detections:\n  rules:\n    sentinel.bruteforce:\n      learning_period: 90\n", []string{
			"config.yaml:4: detections.rules.sentinel.bruteforce.learning_period: 90 is read as 90 seconds (1m30s), less than the least learning_period, 1h; write 90m or 90h"}},
		{"a learning period of seconds, taken", "detections:\n  rules:\n    sentinel.bruteforce:\n      learning_period: 7200\n", []string{
			"config.yaml:4: detections.rules.sentinel.bruteforce.learning_period: 7200 is read as 7200 seconds (2h0m0s); write 7200s to keep it, or 7200m or 7200h"}},
		{"beyond the largest duration in hours", "detections:\n  params:\n    suppress: 100000\n", []string{
			"config.yaml:3: detections.params.suppress: 100000 is read as 100000 seconds (27h46m40s); write 100000s to keep it, or 100000m"}},
		{"units, 0 and other parameters", "detections:\n  params:\n    suppress: 0\n    window: 5m\n    threshold: 5\n" +
			"  rules:\n    sentinel.bruteforce:\n      window: 0\n      threshold: 7\n", nil},
		{"a parameter the rule does not read", "detections:\n  rules:\n    sentinel.bruteforce:\n      max_session: 5\n", nil},
		// One contract for every duration of the file (fresh-user
		// trial 281: lateness: 30 was an error, window: 30 a warning).
		{"duration keys and a rule parameter, in line order", "checkpoint_interval: 2\ndetections:\n  lateness: 30\n  rules:\n" +
			"    sentinel.bruteforce:\n      window: 5\n  state_save_interval: \"90\"\n", []string{
			"config.yaml:1: checkpoint_interval: 2 is read as 2 seconds; write 2s to keep it, or 2m or 2h",
			"config.yaml:3: detections.lateness: 30 is read as 30 seconds; write 30s to keep it, or 30m",
			"config.yaml:6: detections.rules.sentinel.bruteforce.window: 5 is read as 5 seconds; write 5s to keep it, or 5m or 5h",
			"config.yaml:7: detections.state_save_interval: 90 is read as 90 seconds (1m30s); write 90s to keep it, or 90m or 90h"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := config.Parse([]byte(tc.yaml), "config.yaml")
			if err != nil {
				t.Fatal(err)
			}
			if got := BareSeconds(c, nil); !slices.Equal(got, tc.want) {
				t.Errorf("got\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}

// TestFlagBareSeconds: detect's --param values given to a duration
// parameter as a bare number are warned about as the file's are, by
// name, in the order of the names; units, 0 and other parameters are not.
func TestFlagBareSeconds(t *testing.T) {
	got := FlagBareSeconds(map[string]string{"window": "60", "suppress": "0", "bucket": "5m", "min_count": "5", "max_session": "1"})
	want := []string{
		"--param max_session=1: 1 is read as 1 second; write 1s to keep it, or 1m or 1h",
		"--param window=60: 60 is read as 60 seconds (1m0s); write 60s to keep it, or 60m or 60h",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}
