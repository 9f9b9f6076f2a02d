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

// TestStreamLimitFlagRange: --max-stream-message-bytes over 2 GiB is
// refused as the configuration key is, naming the value given, and a bad
// max_stream_message_bytes in the file marks the forward line INVALID.
// Before, the flag's value was cut to 2 GiB − 1 and taken (fresh-user
// trial 263: 3GiB and 100GiB were accepted, and --max-message-bytes 3GiB
// was reported as 2147483647).
func TestStreamLimitFlagRange(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, filepath.Join(dir, "config.yaml"), "state_dir: "+filepath.Join(dir, "state")+"\nforward:\n  url: tcp://127.0.0.1:514\nsources:\n  - {type: audit, path: /a}\n")
	out, err := execute(t, "check", "--config", cfg, "--max-stream-message-bytes", "3GiB")
	if err == nil || !strings.Contains(out, "--max-stream-message-bytes: 3221225472 is out of range") {
		t.Errorf("check --max-stream-message-bytes 3GiB: err %v, want the range error naming 3221225472:\n%s", err, out)
	}
	out, err = execute(t, "check", "--config", cfg, "--max-message-bytes", "3GiB")
	if err == nil || !strings.Contains(out, "--max-message-bytes: 3221225472 is over 65507") {
		t.Errorf("check --max-message-bytes 3GiB: err %v, want the error naming 3221225472:\n%s", err, out)
	}
	bad := writeFile(t, filepath.Join(dir, "bad.yaml"), "state_dir: "+filepath.Join(dir, "state")+"\nforward:\n  url: tcp://127.0.0.1:514\n  max_stream_message_bytes: lots\nsources:\n  - {type: audit, path: /a}\n")
	out, _ = execute(t, "check", "--config", bad)
	for l := range strings.SplitSeq(out, "\n") {
		if strings.HasPrefix(l, "forward:") && !strings.Contains(l, "(the default of max_stream_message_bytes: the collector's limit?) (INVALID") {
			t.Errorf("the forward line does not mark the bad value INVALID: %q", l)
		}
	}
}
