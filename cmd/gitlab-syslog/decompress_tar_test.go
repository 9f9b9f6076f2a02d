package main

import (
	"archive/tar"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPlainTarOnStdin: a plain tar archive ("ustar" at byte 257) on
// standard input is refused as a file is, redirected from a file and
// written at once into a pipe. Its header and file contents used to be
// read as log lines, losing lines and alerts.
func TestPlainTarOnStdin(t *testing.T) {
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	line := []byte("{\"message\":\"a\"}\n")
	tw.WriteHeader(&tar.Header{Name: "audit_json.log", Mode: 0o644, Size: int64(len(line))})
	tw.Write(line)
	tw.Close()
	path := writeFile(t, filepath.Join(t.TempDir(), "logs.tar"), tb.String())
	const want = "stdin: is a tar archive, not a log file: its lines would be read as garbage; extract it (tar -xf FILE)"
	open := map[string]func(t *testing.T) *os.File{
		"redirected file": func(t *testing.T) *os.File {
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			return f
		},
		"pipe": func(t *testing.T) *os.File {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.Write(tb.Bytes()); err != nil { // at once, as cat and tar do
				t.Fatal(err)
			}
			w.Close()
			return r
		},
	}
	for name, open := range open {
		t.Run(name, func(t *testing.T) {
			f := open(t)
			defer f.Close()
			n := 0
			err := readInput(context.Background(), "-", f, 0, func(string, int, []byte, int) error { n++; return nil })
			if err == nil || !strings.HasPrefix(err.Error(), want) {
				t.Errorf("error = %v\nwant %s", err, want)
			}
			if n != 0 {
				t.Errorf("%d lines read, want none", n)
			}
		})
	}
}

// TestSlowPipeFirstLine: on a pipe whose writer is slow, the first line is
// passed on at once: looking for a tar header does not wait for 262 bytes.
func TestSlowPipeFirstLine(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if _, err := w.WriteString("{\"a\":1}\n"); err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go readInput(ctx, "-", r, 0, func(_ string, _ int, line []byte, _ int) error {
		select {
		case got <- string(line):
		default:
		}
		return nil
	})
	select {
	case l := <-got:
		if l != `{"a":1}` {
			t.Errorf("first line %q", l)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the first line of a pipe that stays open was not passed on")
	}
}
