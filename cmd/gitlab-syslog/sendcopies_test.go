package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestSendSameData: inputs that hold the same data, decompressed (a copy
// and its .gz, as gzip -k leaves them, in either order; a copy under
// another name), are sent once, read from the copy not compressed, and
// stderr names both and the one read (fresh-user trial 281: the pair
// was sent twice, and a line's first parts at the end of one were joined
// with the other's first line). Inputs that differ are all sent, also
// when their first 64 KiB are the same.
func TestSendSameData(t *testing.T) {
	audit := func(n int) string {
		return fmt.Sprintf(`{"severity":"INFO","time":"2026-12-07T10:00:00.000Z","author_id":1,"author_name":"A","entity_id":%d,"entity_type":"User","target_details":"N%dE"}`, n, n) + "\n"
	}
	data := audit(1) + audit(2)
	long := strings.Repeat(audit(3), 70<<10/len(audit(3))) // longer than the 64 KiB compared first
	z, err := gzipBytes([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		files map[string]string // name: content
		give  []string
		sent  int
		notes []string // "" : no note
	}{
		{"copy, then its .gz", map[string]string{"a.log.1": data, "a.log.1.gz": string(z)}, []string{"a.log.1", "a.log.1.gz"}, 2,
			[]string{"send: DIR/a.log.1.gz holds the same data as DIR/a.log.1, given before (a copy and its .gz, as gzip -k leaves them): sent once, read from DIR/a.log.1\n"}},
		{".gz, then its copy", map[string]string{"a.log.1": data, "a.log.1.gz": string(z)}, []string{"a.log.1.gz", "a.log.1"}, 2,
			[]string{"send: DIR/a.log.1 holds the same data as DIR/a.log.1.gz, given before (a copy and its .gz, as gzip -k leaves them): sent once, read from DIR/a.log.1\n"}},
		{"copy under another name", map[string]string{"a.log": data, "b.log": data, "c.log": audit(5)}, []string{"a.log", "c.log", "b.log"}, 3,
			[]string{"send: DIR/b.log holds the same data as DIR/a.log, given before: sent once, read from DIR/a.log\n"}},
		{".gz of other data", map[string]string{"a.log.1": audit(1), "a.log.1.gz": string(z)}, []string{"a.log.1", "a.log.1.gz"}, 3, nil},
		{"the same first 64 KiB", map[string]string{"a.log": long + audit(1), "b.log": long + audit(2)}, []string{"a.log", "b.log"}, 2 * (strings.Count(long, "\n") + 1), nil},
		{"empty files", map[string]string{"a.log": "", "b.log": ""}, []string{"a.log", "b.log"}, 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tc.files {
				writeFile(t, filepath.Join(dir, name), content)
			}
			args := []string{"send", "--type", "audit", "--to", "stdout"}
			for _, g := range tc.give {
				args = append(args, filepath.Join(dir, g))
			}
			var stdout, stderr bytes.Buffer
			if err := runSendCollect(context.Background(), strings.NewReader(""), &stdout, &stderr, args...); err != nil {
				t.Fatalf("send: %v\n%s", err, stderr.String())
			}
			if n := strings.Count(stdout.String(), "\n"); n != tc.sent {
				t.Errorf("%d messages, want %d:\n%s", n, tc.sent, stderr.String())
			}
			for _, n := range tc.notes {
				if n = strings.ReplaceAll(n, "DIR", dir); !strings.Contains(stderr.String(), n) {
					t.Errorf("want the note %q in:\n%s", n, stderr.String())
				}
			}
			if len(tc.notes) == 0 && strings.Contains(stderr.String(), "holds the same data") {
				t.Errorf("want no input left out:\n%s", stderr.String())
			}
		})
	}
}
