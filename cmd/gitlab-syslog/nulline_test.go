package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNULOnlyLineCause checks that parse, send and detect say that a line
// of only NUL bytes (the padding a crash or a copytruncate leaves) is one,
// in a file typed by its name and in one typed line by line. Before, it
// was "invalid JSON: empty line at byte 300", or "cannot tell the log
// type ...; use --type", which sends the user to the wrong fix
// (fresh-user trial).
func TestNULOnlyLineCause(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(samples, "audit_json.log"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	content := lines[0] + lines[1] + strings.Repeat("\x00", 300) + "\n" + lines[2]
	dir := t.TempDir()
	const cause = ":3: a line of only NUL bytes (300 bytes): the padding a crash or a copytruncate leaves in a log file, not a log line"
	for _, name := range []string{"audit_json.log", "nul_audit.log"} {
		file := filepath.Join(dir, name)
		if err := os.WriteFile(file, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{{"parse", file}, {"send", "--to", "stdout", file}, {"detect", file}} {
			t.Run(name+"/"+args[0], func(t *testing.T) {
				var out, errOut bytes.Buffer
				if err := runSendCollect(context.Background(), strings.NewReader(""), &out, &errOut, args...); err != nil {
					t.Fatalf("%v\n%s", err, errOut.String())
				}
				all := out.String() + errOut.String()
				if !strings.Contains(all, file+cause) {
					t.Errorf("no %q in\n%s", file+cause, all)
				}
				if strings.Contains(all, "empty line") || strings.Contains(all, "cannot tell the log type") {
					t.Errorf("the NUL line is still blamed on its JSON or type:\n%s", all)
				}
			})
		}
	}
}

// TestNULPaddingOverLimitCause: NUL padding longer than max_line_bytes,
// which is read as one NUL (nulrun.Cut), is named a line of only NUL
// bytes without a count, not "(1 byte)" (fresh-user trial 244: 50 MB of
// NULs).
func TestNULPaddingOverLimitCause(t *testing.T) {
	file := filepath.Join(t.TempDir(), "audit_json.log")
	if err := os.WriteFile(file, []byte(strings.Repeat("\x00", 20000)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	const cause = ":1: a line of only NUL bytes: the padding a crash or a copytruncate leaves in a log file, not a log line"
	for _, args := range [][]string{{"parse", "--max-line-bytes", "8KiB", file}, {"send", "--max-line-bytes", "8KiB", "--to", "stdout", file}} {
		t.Run(args[0], func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := runSendCollect(context.Background(), strings.NewReader(""), &out, &errOut, args...)
			all := out.String() + errOut.String()
			if err != nil && args[0] != "parse" { // parse fails: no line parsed
				t.Fatalf("%v\n%s", err, all)
			}
			if !strings.Contains(all, file+cause) || strings.Contains(all, "(1 byte)") {
				t.Errorf("want %q, and no byte count, in\n%s", file+cause, all)
			}
		})
	}
}
