package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDetectStdinCheckedAtOpen: standard input's content is checked when
// the inputs are opened, as a file's is: a tar archive on stdin (plain or
// gzip-compressed) stops detect before it reads the other inputs, with no
// alert and no summary printed. A pipe whose writer is slow is read to its
// end (the check waits only for its first bytes). detect used to process
// the files first, printing their alerts and summary, then refuse stdin.
func TestDetectStdinCheckedAtOpen(t *testing.T) {
	const logFile = "../../testdata/detections/gitlab.password_spray/application_json.log"
	lines, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	tw.WriteHeader(&tar.Header{Name: "application_json.log", Mode: 0o644, Size: int64(len(lines))})
	tw.Write(lines)
	tw.Close()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(tb.Bytes())
	zw.Close()
	dir := t.TempDir()
	redirect := func(data []byte) func(t *testing.T) *os.File {
		return func(t *testing.T) *os.File {
			f, err := os.Open(writeFile(t, filepath.Join(dir, "stdin"), string(data)))
			if err != nil {
				t.Fatal(err)
			}
			return f
		}
	}
	slowPipe := func(t *testing.T) *os.File {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			time.Sleep(300 * time.Millisecond)
			w.Write(lines)
			w.Close()
		}()
		return r
	}
	for _, tc := range []struct {
		name    string
		stdin   func(t *testing.T) *os.File
		args    []string
		wantErr string // "": no error, one alert from each copy of the lines
		alerts  int
	}{
		{"gzip tar after a file", redirect(gz.Bytes()), []string{logFile, "-"}, "stdin: is gzip data whose content is a tar archive", 0},
		{"plain tar after a file", redirect(tb.Bytes()), []string{logFile, "-"}, "stdin: is a tar archive", 0},
		{"plain tar alone", redirect(tb.Bytes()), []string{"-"}, "stdin: is a tar archive", 0},
		{"slow pipe after a file", slowPipe, []string{logFile, "application:-"}, "", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.stdin(t)
			defer f.Close()
			var stdout, stderr bytes.Buffer
			o := &detectOptions{format: "json", params: []string{"min_users=3"}, rules: []string{"gitlab.password_spray"}}
			err := runDetect(context.Background(), o, tc.args, f, &stdout, &stderr)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("error %v\nstderr:\n%s", err, &stderr)
				}
			} else if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error = %v, want %q", err, tc.wantErr)
			}
			if n := strings.Count(stdout.String(), "\n"); n != tc.alerts {
				t.Errorf("%d alert(s) printed, want %d:\n%s", n, tc.alerts, &stdout)
			}
			if tc.wantErr != "" && stderr.Len() > 0 {
				t.Errorf("printed before the error:\n%s", &stderr)
			}
		})
	}
}
