package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestHostnameFlag: --hostname NAME is the HOSTNAME of every message, and
// --hostname - is RFC 5424's nil value, written as "-" (an empty
// --hostname is an error: TestFlagErrors).
func TestHostnameFlag(t *testing.T) {
	log := filepath.Join(samples, "audit_json.log")
	for _, tc := range []struct{ flag, want string }{
		{"gitlab01.example.com", "Z gitlab01.example.com GitLab-Audit-Logs - audit "},
		{"-", "Z - GitLab-Audit-Logs - audit "},
	} {
		var out, errOut bytes.Buffer
		if err := runSendCollect(context.Background(), nil, &out, &errOut, "send", "--to", "stdout", "--hostname", tc.flag, log); err != nil {
			t.Fatalf("send --hostname %q: %v\n%s", tc.flag, err, errOut.String())
		}
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		for _, l := range lines {
			if !strings.Contains(l, tc.want) {
				t.Errorf("send --hostname %q: message without %q:\n%s", tc.flag, tc.want, l)
				break
			}
		}
		if len(lines) != 25 {
			t.Errorf("send --hostname %q: %d messages, want 25", tc.flag, len(lines))
		}
	}
}
