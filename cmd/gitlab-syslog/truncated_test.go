package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/gziptest"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// recovered decodes the gzip data gz as far as it goes and returns its
// complete lines and the length of the part after the last newline.
func recovered(t *testing.T, gz []byte) (lines []string, partial int) {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(zr)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("reading the cut data: %v, want unexpected EOF", err)
	}
	i := bytes.LastIndexByte(data, '\n')
	return completeLines(data), len(data) - i - 1
}

// TestTruncatedGzipCounts: send, parse and detect over a .gz cut short
// (real gzip data, cut inside a line, at a line's end, or with only the
// trailer missing) pass on exactly its complete lines, never the line cut
// off, so their summaries count what they read and emitted, and the
// error names the file, the line cut off and how many of its bytes were
// read, the byte the file ends at, the complete lines read, and what to
// do. Before, the part of the line cut off was sent raw (and counted as
// a line read, one more than the error's count of complete lines).
func TestTruncatedGzipCounts(t *testing.T) {
	audit := testdataLines(t, "audit_json.log")
	plain := []byte(strings.Join(audit, "\n") + "\n")
	whole := gziptest.Compress(t, plain)
	var flushed bytes.Buffer // the first 5 lines, decodable on their own
	zw := gzip.NewWriter(&flushed)
	zw.Write([]byte(strings.Join(audit[:5], "\n") + "\n"))
	zw.Flush()
	var one bytes.Buffer // the first line alone: "the 1 complete line before was read"
	zw = gzip.NewWriter(&one)
	zw.Write([]byte(audit[0] + "\n"))
	zw.Flush()
	midLine := func() []byte { // the longest cut of whole that ends inside a line
		for cut := len(whole) - 9; cut > 20; cut-- {
			if _, p := recovered(t, whole[:cut]); p > 0 {
				return whole[:cut]
			}
		}
		t.Fatal("no cut inside a line")
		return nil
	}()
	for _, tc := range []struct {
		name string
		gz   []byte
	}{
		{"cut inside a line", midLine},
		{"cut at a line's end", flushed.Bytes()},
		{"one line, cut at its end", one.Bytes()}, // fresh-user trial: "the 1 complete line before were read"
		{"trailer missing", whole[:len(whole)-8]},
	} {
		lines, partial := recovered(t, tc.gz)
		n := len(lines)
		file := filepath.Join(t.TempDir(), "audit_json.log.1.gz")
		if err := os.WriteFile(file, tc.gz, 0o644); err != nil {
			t.Fatal(err)
		}
		at := fmt.Sprintf("%s:%d: read: ", file, n+1) // the line cut
		if partial == 0 {
			at = fmt.Sprintf("%s:%d: read after it: ", file, n) // no line cut: the last line read
		}
		want := []string{
			at + "gzip data ends early after ",
			" decompressed bytes (unexpected EOF)",
			fmt.Sprintf(": the file is truncated at byte %d (", len(tc.gz)),
			fmt.Sprintf("; the %d complete %s before %s read", n, plural(n, "line", "lines"), plural(n, "was", "were")),
			"copy the file again from its source (gzip -t " + file + " says whether a copy is whole)",
		}
		cutOff := fmt.Sprintf(", and line %d, cut off after %d bytes, was not", n+1, partial)
		for _, c := range []struct {
			cmd     string
			summary string
			emitted func(stdout string) int
		}{
			{"send", fmt.Sprintf("sent %d %s of %d read to stdout", n, plural(n, "line", "lines"), n), func(s string) int { return strings.Count(s, "\n") }},
			{"parse", fmt.Sprintf("parsed %d %s, 0 failed", n, plural(n, "line", "lines")), func(s string) int { return strings.Count(s, "\n") }},
			{"detect", fmt.Sprintf("detect: read %d %s (0 not parsed)", n, plural(n, "line", "lines")), nil},
		} {
			t.Run(tc.name+"/"+c.cmd, func(t *testing.T) {
				args := []string{c.cmd, file}
				if c.cmd == "send" {
					args = []string{"send", "--to", "stdout", file}
				}
				var stdout, stderr syslogtest.Buffer
				err := runSendCollect(context.Background(), strings.NewReader(""), &stdout, &stderr, args...)
				if err == nil {
					t.Fatal("no error for a truncated file")
				}
				for _, w := range want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error lacks %q:\n%v", w, err)
					}
				}
				if partial > 0 && !strings.Contains(err.Error(), cutOff) {
					t.Errorf("error lacks %q:\n%v", cutOff, err)
				}
				if partial == 0 && strings.Contains(err.Error(), "cut off") {
					t.Errorf("error names a line cut off; the data ends at a line's end:\n%v", err)
				}
				if !strings.Contains(stderr.String(), c.summary) {
					t.Errorf("summary lacks %q:\n%s", c.summary, stderr.String())
				}
				if c.emitted != nil {
					if got := c.emitted(stdout.String()); got != n {
						t.Errorf("%d lines emitted, want the %d complete ones:\n%s", got, n, stdout.String())
					}
					if last := lines[n-1]; c.cmd == "send" && !strings.Contains(stdout.String(), " "+last+"\n") {
						t.Errorf("the last complete line was not emitted")
					}
				}
			})
		}
	}
}
