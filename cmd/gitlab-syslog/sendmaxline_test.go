package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestSendMaxLineBytesFloor checks that send refuses a --max-line-bytes
// below 1KiB (config.MinMaxLine, a unit slip) before it sends anything,
// with the message run and check give for it, and takes 1KiB. Before, send
// took --max-line-bytes 10 and sent every line cut to 10 bytes (fresh-user
// trial).
func TestSendMaxLineBytesFloor(t *testing.T) {
	audit := filepath.Join(samples, "audit_json.log")
	for _, tc := range []struct {
		value, want string // want "": sent
	}{
		{"10", "send: --max-line-bytes: 10 is 10 bytes, not 10 MiB; write 10MiB (a line longer than max_line_bytes is cut to it and sent raw, "},
		{"100", "send: --max-line-bytes: 100 is 100 bytes, not 100 KiB; write 100KiB ("},
		{"1023", "send: --max-line-bytes: 1023 is 1023 bytes, not 1023 KiB; write 1023KiB ("},
		{"1KiB", ""},
	} {
		t.Run(tc.value, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := runSendCollect(context.Background(), strings.NewReader(""), &out, &errOut, "send", "--to", "stdout", "--max-line-bytes", tc.value, audit)
			if tc.want == "" {
				if err != nil || out.Len() == 0 {
					t.Fatalf("send: %v, %d bytes printed\n%s", err, out.Len(), errOut.String())
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("send error\n%v\nwant one starting\n%s", err, tc.want)
			}
			if out.Len() > 0 {
				t.Errorf("send printed messages before refusing the flag:\n%.300s", out.String())
			}
		})
	}
}
