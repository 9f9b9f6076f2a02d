package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckConfigEncoding: a configuration file saved in UTF-16 (iconv -t
// UTF-16, as Windows editors write it, with its byte order mark or
// without) is named so, with the command that converts it, and nothing of
// it is summarized; a UTF-8 byte order mark is read. Before, one without
// a mark was "a NUL byte: this is a binary file", and one with it was
// left to the YAML decoder (fresh-user trial 281).
func TestCheckConfigEncoding(t *testing.T) {
	dir := t.TempDir()
	text := "state_dir: " + filepath.Join(dir, "st") + "\nforward:\n  url: stdout://\nsources:\n  - {type: audit, path: " + filepath.Join(dir, "audit_json.log") + "}\n"
	be := func(s string) string { // UTF-16BE, ASCII s
		var b strings.Builder
		for i := range len(s) {
			b.WriteByte(0)
			b.WriteByte(s[i])
		}
		return b.String()
	}
	for _, tc := range []struct {
		name, data string
		want       string // after "FILE:1: "; "" for a file check passes
	}{
		{"UTF-16 with its byte order mark", utf16LE(text),
			"this is UTF-16LE text (it starts with its byte order mark), not UTF-8, the encoding of YAML configuration: convert it (iconv -f UTF-16 -t UTF-8 FILE > FILE.utf8) and give that file, or move it over this one"},
		{"UTF-16LE without a byte order mark", utf16LE(text)[2:],
			"this is UTF-16LE text (every other byte is NUL, with no byte order mark), not UTF-8, the encoding of YAML configuration: convert it (iconv -f UTF-16LE -t UTF-8 FILE > FILE.utf8) and give that file, or move it over this one"},
		{"UTF-16BE without a byte order mark", be(text),
			"this is UTF-16BE text (every other byte is NUL, with no byte order mark), not UTF-8, the encoding of YAML configuration: convert it (iconv -f UTF-16BE -t UTF-8 FILE > FILE.utf8) and give that file, or move it over this one"},
		{"UTF-8 with its byte order mark", "\xef\xbb\xbf" + text, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := writeFile(t, filepath.Join(dir, "config.yaml"), tc.data)
			out, err := execute(t, "check", "--config", cfg)
			if tc.want == "" {
				if err != nil || !strings.Contains(out, "\nforward:    stdout://") {
					t.Fatalf("check: %v\n%s", err, out)
				}
				return
			}
			for _, want := range []string{
				"config:     " + cfg + ": NOT DECODED",
				"problems:\n  " + cfg + ":1: " + strings.ReplaceAll(tc.want, "FILE", cfg) + "\n",
			} {
				if err == nil || !strings.Contains(out, want) {
					t.Errorf("check (error %v): no %q in:\n%s", err, want, out)
				}
			}
			if strings.Contains(out, "forward:") {
				t.Errorf("a summary of a file not read:\n%s", out)
			}
		})
	}
}
