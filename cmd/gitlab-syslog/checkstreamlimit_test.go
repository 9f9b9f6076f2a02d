package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckStreamLimitNote: check shows, for a stream destination, the
// size over which a message goes without its columns
// (max_stream_message_bytes, or its default), and nothing of it for a
// datagram one (fresh-user trial 262: check never showed it).
func TestCheckStreamLimitNote(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ forward, want string }{
		{"url: tcp://127.0.0.1:514\n  max_stream_message_bytes: 64KiB", "; a message over 65536 bytes with its columns goes without them, MSG whole (max_stream_message_bytes)"},
		{"url: tls://127.0.0.1:6514", "; a message over 4194304 bytes with its columns goes without them, MSG whole (the default of max_stream_message_bytes: the collector's limit?)"},
		{"url: udp://127.0.0.1:514\n  max_stream_message_bytes: 64KiB", ""},
	} {
		cfg := writeFile(t, filepath.Join(dir, "config.yaml"), "state_dir: "+filepath.Join(dir, "state")+"\nforward:\n  "+tc.forward+"\nsources:\n  - {type: audit, path: /a}\n")
		out, _ := execute(t, "check", "--config", cfg)
		line := ""
		for l := range strings.SplitSeq(out, "\n") {
			if strings.HasPrefix(l, "forward:") {
				line = l
			}
		}
		if tc.want == "" && strings.Contains(line, "with its columns goes without them") || tc.want != "" && !strings.Contains(line, tc.want) {
			t.Errorf("%s: forward line %q, want it to contain %q", tc.forward, line, tc.want)
		}
	}
}
