package detectconf

import (
	"slices"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
)

// TestStatusParams: a rule's Status lists what the config sets for it,
// with their file:line: its severity first, as written, then its
// parameters, its own over the block's, a bare number of a duration
// parameter with its unit (before, check showed a rule changed by
// detections.params as "default" and nothing else, window: 5 read as 5
// seconds went unseen, and a severity set had no line of its own).
func TestStatusParams(t *testing.T) {
	c := load(t, `state_dir: /s
detections:
  params:
    window: 5
  rules:
    sentinel.bruteforce:
      window: 60
      min_count: 3
    falco.pat_created: {suppress: 2h}
    falco.user_locked:
      suppress: 1h
      severity: info
`)
	st, err := Check(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"sentinel.bruteforce":    {"window=60 (1m0s) at config.yaml:7", "min_count=3 at config.yaml:8"},
		"gitlab.password_spray":  {"window=5 (5s) at config.yaml:4"},
		"sentinel.repo_deletion": {"window=5 (5s) at config.yaml:4"},
		"falco.pat_created":      {"suppress=2h at config.yaml:9"},
		"falco.user_locked":      {"severity=Informational at config.yaml:12", "suppress=1h at config.yaml:11"},
		"sentinel.repo_public":   nil, // reads no window
	}
	seen := 0
	for _, s := range st {
		if w, ok := want[s.Info.ID]; ok {
			seen++
			if !slices.Equal(s.Set, w) {
				t.Errorf("%s: Set = %q, want %q", s.Info.ID, s.Set, w)
			}
		}
	}
	if seen != len(want) {
		t.Errorf("%d of the %d rules of the table have a Status", seen, len(want))
	}
}

// TestDurationParams: SecondsShown shows a unit for exactly the
// parameters the catalogue's rules read as durations: every one is some
// rule's parameter (or suppress), so a rename cannot leave it behind
// unseen; other names and values that are not a count of seconds get
// nothing.
func TestDurationParams(t *testing.T) {
	names := map[string]bool{"suppress": true}
	for _, s := range detect.Catalogue() {
		for _, p := range s.Params {
			names[p] = true
		}
	}
	for _, p := range []string{"window", "bucket", "learning_period", "suppress", "max_session"} {
		if got := SecondsShown(p, "90"); got != " (1m30s)" || !names[p] {
			t.Errorf("%s: SecondsShown %q, a rule's parameter %v", p, got, names[p])
		}
	}
	for _, tc := range [][2]string{{"min_count", "90"}, {"window", "90s"}, {"window", "-1"}, {"window", "99999999999999"}} {
		if got := SecondsShown(tc[0], tc[1]); got != "" {
			t.Errorf("SecondsShown(%q, %q) = %q, want none", tc[0], tc[1], got)
		}
	}
}
