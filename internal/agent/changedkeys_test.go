package agent

import (
	"slices"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
)

// TestChangedKeys: a reload's warning about settings that wait for a
// restart names each key that changed, with its old and new value when
// that is a plain value and not a secret (fresh-user trial 136: the
// warning named no key, and check then showed the new listen address
// while the receiver still ran on the old one).
func TestChangedKeys(t *testing.T) {
	base := config.Streaming{Listen: "127.0.0.1:8443", Path: "/gitlab/audit", Tokens: []string{"old-token-0123456789"},
		DedupeWindow: time.Hour, MaxBody: 1 << 20}
	for _, tc := range []struct {
		name string
		edit func(*config.Streaming)
		want []string
	}{
		{"nothing", func(*config.Streaming) {}, nil},
		{"listen", func(s *config.Streaming) { s.Listen = "127.0.0.1:9443" },
			[]string{"streaming.listen 127.0.0.1:8443→127.0.0.1:9443"}},
		{"two keys in field order", func(s *config.Streaming) { s.MaxBody = 2 << 20; s.Path = "/audit" },
			[]string{"streaming.path /gitlab/audit→/audit", "streaming.max_body 1048576→2097152"}},
		{"a duration", func(s *config.Streaming) { s.DedupeWindow = 2 * time.Hour },
			[]string{"streaming.dedupe_window 1h0m0s→2h0m0s"}},
		{"a secret is named, not shown", func(s *config.Streaming) { s.Tokens = []string{"new-token-0123456789"} },
			[]string{"streaming.tokens"}},
		{"a block is named", func(s *config.Streaming) { s.TLS.CertFile = "/etc/c.pem" },
			[]string{"streaming.tls"}},
		{"a field without a key does not count", func(s *config.Streaming) { s.SpoolMaxBytes = 5 }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nu := base
			nu.Tokens = slices.Clone(base.Tokens)
			tc.edit(&nu)
			got := changedKeys("streaming", base, nu, "tokens")
			if !slices.Equal(got, tc.want) {
				t.Errorf("changedKeys = %q, want %q", got, tc.want)
			}
		})
	}
	if got := changedKeys("x", 1, 2); got != nil {
		t.Errorf("changedKeys of ints = %q, want nil", got)
	}
}
