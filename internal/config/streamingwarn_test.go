package config

import (
	"strings"
	"testing"
)

// TestStreamingWarnings: a streaming block that sets keys but no listen
// is warned about at the line of its first key set, as run logs and check
// prints it (fresh-user trial 283: "streaming: off" and "valid"); a block
// that listens, one with listen given empty on purpose, and no block are
// not.
func TestStreamingWarnings(t *testing.T) {
	for _, tc := range []struct {
		name, block string
		want        string // "": none
	}{
		{"tokens without listen", "streaming:\n  tokens: [abcdefghijklmnop1234]\n  tls: {cert_file: c.pem, key_file: k.pem}\n",
			"c.yaml:5: streaming.tokens: the streaming block has no listen, so the receiver is off"},
		{"spool_dir alone", "streaming:\n  spool_dir: /var/spool/x\n", "c.yaml:5: streaming.spool_dir: the streaming block has no listen"},
		{"listening", "streaming:\n  listen: 127.0.0.1:8443\n  tokens: [abcdefghijklmnop1234]\n", ""},
		{"listen empty on purpose", "streaming:\n  listen: \"\"\n  tokens: [abcdefghijklmnop1234]\n", ""},
		{"no block", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse([]byte("forward: {url: \"tcp://127.0.0.1:5514\"}\nsources: []\n\n"+tc.block), "c.yaml")
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(c.StreamingWarnings(), "\n")
			if tc.want == "" && got != "" || tc.want != "" && !strings.HasPrefix(got, tc.want) {
				t.Errorf("StreamingWarnings: %q, want %q", got, tc.want)
			}
		})
	}
}
