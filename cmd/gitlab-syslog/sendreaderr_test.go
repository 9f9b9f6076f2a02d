package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/gziptest"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// TestSendReadErrorKeepsLines: an input that cannot be read to its end (a
// gzip file cut short, as a copy interrupted mid-way leaves it) does not
// lose the lines read from it before the error nor stop the inputs after
// it: they are all sent, and send exits with an error naming the file, the
// line and the cause.
func TestSendReadErrorKeepsLines(t *testing.T) {
	dir := t.TempDir()
	audit := testdataLines(t, "audit_json.log")
	gz := gziptest.Compress(t, []byte(strings.Join(audit[:3], "\n")+"\n"))
	cutAt := len(gz) - 12 // the gzip trailer and a little deflate data missing
	trunc := filepath.Join(dir, "audit_json.log.1.gz")
	if err := os.WriteFile(trunc, gz[:cutAt], 0o644); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "audit_json.log")
	if err := os.WriteFile(good, []byte(strings.Join(audit[3:6], "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		files []string
	}{
		{"truncated first", []string{trunc, good}},
		{"truncated last", []string{good, trunc}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr syslogtest.Buffer
			err := runSendCollect(context.Background(), strings.NewReader(""), &stdout, &stderr,
				append([]string{"send", "--to", "stdout"}, tc.files...)...)
			if err == nil || !strings.Contains(err.Error(), trunc+":") || !strings.Contains(err.Error(), "unexpected EOF") {
				t.Fatalf("error = %v, want one naming %s and unexpected EOF", err, trunc)
			}
			msgs := strings.Count(stdout.String(), "\n")
			// At least the two complete lines of the cut file (its third
			// may be cut off, and is then not sent) and the three of the
			// other.
			if msgs < 5 {
				t.Errorf("%d messages sent, want at least 5:\n%s", msgs, stdout.String())
			}
			for _, l := range append(audit[:2:2], audit[3:6]...) {
				if !strings.Contains(stdout.String(), " "+l+"\n") {
					t.Errorf("line not sent: %s", l)
				}
			}
			if !strings.Contains(stderr.String(), "sent ") || strings.Contains(err.Error(), "not sent") {
				t.Errorf("summary %q, error %v: want every line read sent", stderr.String(), err)
			}
		})
	}
}

// TestSendReadErrorNoBlankLine: an input whose data ends early right
// after a complete line (a gzip file cut at a flush point, or a zstd or
// bzip2 file cut before its first block) has no line after that one, so
// send's summary counts no blank line skipped: only the lines read.
func TestSendReadErrorNoBlankLine(t *testing.T) {
	audit := testdataLines(t, "audit_json.log")
	for _, tc := range []struct {
		name  string
		lines int // complete lines before the cut
	}{
		{"cut before any line", 0},
		{"cut after two lines", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var gz bytes.Buffer
			zw := gzip.NewWriter(&gz)
			for _, l := range audit[:tc.lines] {
				zw.Write([]byte(l + "\n"))
			}
			zw.Flush() // the lines so far are decodable from gz's bytes alone
			trunc := filepath.Join(t.TempDir(), "audit_json.log.1.gz")
			if err := os.WriteFile(trunc, gz.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			var stdout, stderr syslogtest.Buffer
			err := runSendCollect(context.Background(), strings.NewReader(""), &stdout, &stderr,
				"send", "--to", "stdout", trunc)
			if err == nil || !strings.Contains(err.Error(), trunc+":") {
				t.Fatalf("error = %v, want one naming %s", err, trunc)
			}
			if n := strings.Count(stdout.String(), "\n"); n != tc.lines {
				t.Errorf("%d messages sent, want %d", n, tc.lines)
			}
			if strings.Contains(stderr.String(), "blank") {
				t.Errorf("summary %q counts a blank line; the input has none", stderr.String())
			}
		})
	}
}
