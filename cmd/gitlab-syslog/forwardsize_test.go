package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestForwardMaxMessageBytes: check and run refuse a forward.max_message_bytes
// below the 480 octets RFC 5424 §6.1 requires every receiver to accept,
// naming the key's file and line and what happens to longer messages;
// 480, a byte size such as 1KiB, and 0 (the default) pass check.
func TestForwardMaxMessageBytes(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		value string
		err   string // in the error of check and run; "": check passes
	}{
		{"10", "config.yaml:4: forward.max_message_bytes: 10 is below 480, the message size RFC 5424 §6.1 requires every receiver to accept"},
		{"479", "a longer message is cut to it (STRUCTURED-DATA dropped first when that lets MSG go whole, else MSG cut) and counted"},
		{"480", ""},
		{"1KiB", ""},
		{"0", ""},
	} {
		t.Run(tc.value, func(t *testing.T) {
			cfg := writeFile(t, filepath.Join(t.TempDir(), "config.yaml"), "state_dir: "+filepath.Join(dir, "state")+
				"\nforward:\n  url: udp://127.0.0.1:9\n  max_message_bytes: "+tc.value+"\nsources:\n  - {type: audit, path: "+filepath.Join(samples, "audit_json.log")+"}\n")
			out, err := execute(t, "check", "--config", cfg)
			if tc.err == "" {
				if err != nil {
					t.Fatalf("check: %v\n%s", err, out)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("check: %v, want an error with %q\n%s", err, tc.err, out)
			}
			out, err = execute(t, "run", "--once", "--config", cfg)
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("run --once: %v, want an error with %q\n%s", err, tc.err, out)
			}
		})
	}
}
