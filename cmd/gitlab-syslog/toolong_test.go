package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
	"github.com/gitlab-syslog/gitlab-syslog/tailer"
)

// TestTooLongLineNotCalledNotGitLab: a GitLab line longer than the line
// limit is reported as longer than the limit, with the limit and the
// option that raises it, by send, parse and detect; not as "not a GitLab
// log"; send and detect name the line (the first, of several) in the same
// words, whenever a line was cut. Before, send warned "is it a GitLab log?" and parse failed with
// "none was recognised as a GitLab log" for a file of valid audit lines
// only too long, and detect said nothing but the count; later send gave
// the hint only when no line parsed at all (fresh-user trial).
func TestTooLongLineNotCalledNotGitLab(t *testing.T) {
	good := testdataLines(t, "audit_json.log")[0]
	long := `{"severity":"INFO","time":"2025-03-04T12:10:00.000Z","message":"` + strings.Repeat("x", 2000) + `"}`
	dir := t.TempDir()
	allLong := writeFile(t, filepath.Join(dir, "all_long.log"), long+"\n"+long+"\n")
	mixed := writeFile(t, filepath.Join(dir, "mixed.log"), good+"\n"+long+"\n")
	// The hint gives the longest line's length, and a limit above it.
	limit := fmt.Sprintf("longer than the line limit of 1024 bytes (--max-line-bytes), so cut to it and not parsed: raise the limit above the longest line (%d bytes) with --max-line-bytes", len(long))
	for _, tc := range []struct {
		name    string
		args    []string
		stdin   string
		want    string // in the error or standard error
		notWant string
	}{
		{"send, all too long", []string{"send", "--to", "stdout", "--max-line-bytes", "1KiB", allLong}, "",
			"send: WARNING: " + allLong + ":1 (the first of them): the 2 lines read are " + limit + ", e.g. --max-line-bytes 3KiB; they were sent raw", "GitLab log"},
		{"parse, all too long", []string{"parse", "--max-line-bytes", "1024", allLong}, "",
			"parse: no line parsed: the 2 lines read are " + limit + ", e.g. --max-line-bytes 3KiB", "GitLab log"},
		{"detect, all too long", []string{"detect", "--max-line-bytes", "1024", allLong}, "",
			"detect: WARNING: " + allLong + ":1 (the first of them): the 2 lines read are " + limit + ", e.g. --max-line-bytes 3KiB; the rules did not see them", "GitLab log"},
		{"detect, one too long", []string{"detect", "--max-line-bytes", "1024", mixed}, "",
			"detect: WARNING: " + mixed + ":2: 1 line is " + limit + ", e.g. --max-line-bytes 3KiB", "GitLab log"},
		{"send, one too long", []string{"send", "--to", "stdout", "--max-line-bytes", "1024", mixed}, "",
			"send: WARNING: " + mixed + ":2: 1 line is " + limit + ", e.g. --max-line-bytes 3KiB; it was sent raw", "GitLab log"},
		{"send, one too long on stdin", []string{"send", "--to", "stdout", "--max-line-bytes", "1024"}, good + "\n" + long + "\n",
			"send: WARNING: stdin:2: 1 line is " + limit + ", e.g. --max-line-bytes 3KiB; it was sent raw", "GitLab log"},
		{"detect, one too long on stdin", []string{"detect", "--max-line-bytes", "1024", "-"}, good + "\n" + long + "\n",
			"detect: WARNING: standard input:2: 1 line is " + limit + ", e.g. --max-line-bytes 3KiB; the rules did not see it", "GitLab log"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr syslogtest.Buffer
			err := runSendCollect(context.Background(), strings.NewReader(tc.stdin), &stdout, &stderr, tc.args...)
			got := stderr.String()
			if err != nil {
				got += "\n" + err.Error()
			}
			if !strings.Contains(got, tc.want) {
				t.Errorf("output lacks %q:\n%s", tc.want, got)
			}
			if strings.Contains(got, tc.notWant) {
				t.Errorf("output has %q:\n%s", tc.notWant, got)
			}
		})
	}
}

// TestSuggestMaxLine: the limit suggested for lines cut to max is above
// the longest of them, rounded up to a whole KiB below 1MiB and a whole
// MiB above, never above what --max-line-bytes takes; four times max when
// the longest is not known. Before, it was four times max whatever the
// lines' length: too low for a line over four times the limit.
func TestSuggestMaxLine(t *testing.T) {
	for _, tc := range []struct {
		max, longest int
		want         string
	}{
		{1024, 2066, "3KiB"},
		{1024, 3072, "4KiB"}, // above a whole KiB, not equal to it
		{1024, 50000, "49KiB"},
		{1 << 20, 1<<20 + 1, "2MiB"},
		{1 << 20, 9_000_000, "9MiB"},
		{65536, 2 << 20, "3MiB"},
		{1 << 30, 2<<30 - 5, "2147483647"},
		{1 << 20, 0, "4MiB"},
		{1000, 0, "4000"},
	} {
		if got := tailer.SuggestMaxLine(tc.max, tc.longest); got != tc.want {
			t.Errorf("tailer.SuggestMaxLine(%d, %d) = %s, want %s", tc.max, tc.longest, got, tc.want)
		}
		if tc.longest > 0 {
			if n, err := parseMaxLine(tailer.SuggestMaxLine(tc.max, tc.longest)); err != nil || n <= tc.longest {
				t.Errorf("tailer.SuggestMaxLine(%d, %d): --max-line-bytes gives %d, %v: not above the longest line", tc.max, tc.longest, n, err)
			}
		}
	}
}
