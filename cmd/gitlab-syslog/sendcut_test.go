package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSendCutLineRaw: send sends a line cut to max_line_bytes raw, as run
// does, even when the cut line would still parse (a GzipRatio "5.80" cut
// to "5.8", an application.log message cut short): its messages are the
// ones the e2e case cut_line_raw expects of run, read times aside.
func TestSendCutLineRaw(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "e2e", "cut_line_raw")
	expected, err := os.ReadFile(filepath.Join(dir, "expected.txt"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ typ, file, appName string }{
		{"access", "gitlab_access.log", "GitLab-Access-Logs"},
		{"application", "application.log", "GitLab-Application-Logs"},
	}
	for _, tt := range tests {
		t.Run(tt.typ, func(t *testing.T) {
			var want []string
			for _, l := range strings.Split(strings.TrimSuffix(string(expected), "\n"), "\n") {
				if strings.Contains(l, " "+tt.appName+" ") {
					want = append(want, strings.Replace(l, " "+readTimeMark+" ", " NOW ", 1))
				}
			}
			var out, errOut bytes.Buffer
			if err := runSendCollect(context.Background(), nil, &out, &errOut, "send", "--type", tt.typ, "--to", "stdout",
				"--hostname", "gitlab.example.com", "--max-line-bytes", "8KiB", filepath.Join(dir, tt.file)); err != nil {
				t.Fatalf("send: %v\n%s", err, errOut.String())
			}
			got := maskNow(strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n"))
			if len(want) != 3 || len(got) != len(want) {
				t.Fatalf("send printed %d messages, expected.txt has %d for %s; want 3", len(got), len(want), tt.appName)
			}
			raw := 0
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("message %d:\nsend %q\nrun  %q", i, got[i], want[i])
				}
				if strings.Contains(got[i], " "+tt.typ+" - ") {
					raw++
				}
			}
			if raw != 1 {
				t.Errorf("%d messages without STRUCTURED-DATA, want 1 (the cut line)", raw)
			}
			// one count of the cut line, not "1 unparsed; 1 cut", which
			// reads as two lines
			if s := errOut.String(); !strings.Contains(s, "(1 unparsed, sent raw, 1 of them cut to max_line_bytes (8192 bytes))") {
				t.Errorf("summary = %q, want the cut line counted as sent raw, and among those as cut", s)
			}
		})
	}
}
