package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSendParseWarnEmptyInputs: send and parse warn, as detect does, of
// each input read to its end without a line (an empty file, one of only
// blank lines, standard input closed at once), and not of an input with
// lines or one that could not be read.
func TestSendParseWarnEmptyInputs(t *testing.T) {
	dir := t.TempDir()
	empty := writeFile(t, filepath.Join(dir, "audit_json.log"), "")
	blank := writeFile(t, filepath.Join(dir, "application_json.log"), "\n \n\t\n")
	full := filepath.Join("..", "..", "testdata", "audit_json.log")
	for _, tc := range []struct {
		cmd     string
		args    []string
		want    []string
		notWant []string
	}{
		{
			cmd:     "send",
			args:    []string{"send", "--to", "stdout", empty, blank, full, "-"},
			want:    []string{"send: WARNING: " + empty + " is empty: it had no line to send", "send: WARNING: " + blank + " holds only 3 blank lines: it had no line to send", "send: WARNING: standard input is empty: it had no line to send"},
			notWant: []string{full + " is empty", full + " holds only"},
		},
		{
			cmd:     "parse",
			args:    []string{"parse", empty, blank, full, "-"},
			want:    []string{"parse: WARNING: " + empty + " is empty: it had no line to parse", "parse: WARNING: " + blank + " holds only 3 blank lines: it had no line to parse", "parse: WARNING: standard input is empty: it had no line to parse", "(3 blank lines skipped)"},
			notWant: []string{full + " had no line"},
		},
		{
			cmd:     "send, a missing file",
			args:    []string{"send", "--to", "stdout", filepath.Join(dir, "gone.log"), full},
			notWant: []string{"gone.log is empty"},
		},
	} {
		t.Run(tc.cmd, func(t *testing.T) {
			var out, errOut bytes.Buffer
			_ = runSendCollect(context.Background(), strings.NewReader(""), &out, &errOut, tc.args...)
			for _, w := range tc.want {
				if !strings.Contains(errOut.String(), w) {
					t.Errorf("want %q in:\n%s", w, errOut.String())
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(errOut.String(), w) {
					t.Errorf("did not want %q in:\n%s", w, errOut.String())
				}
			}
		})
	}
}

// TestDetectDamagedGzipNotEmpty: a .gz whose data is damaged from its
// first block is an error of detect, not also "empty" (fresh-user trial
// 76: the WARNING came before the real error).
func TestDetectDamagedGzipNotEmpty(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "audit_json.log.1.gz")
	if err := os.WriteFile(bad, []byte("\x1f\x8b\x08\x00garbagegarbagegarbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	err := runDetect(context.Background(), &detectOptions{format: "json"}, []string{bad}, strings.NewReader(""), &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "gzip data is damaged") {
		t.Errorf("err = %v, want the damaged gzip named", err)
	}
	if strings.Contains(errOut.String(), "is empty") {
		t.Errorf("detect calls a damaged .gz empty:\n%s", errOut.String())
	}
}
