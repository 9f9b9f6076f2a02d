package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"
)

// utf16LE returns s in UTF-16LE with its byte order mark, as PowerShell's
// Out-File and > write a text file.
func utf16LE(s string) string {
	b := []byte{0xff, 0xfe}
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return string(b)
}

// binaryLine returns n bytes of binary data without a line break or a #:
// an executable's header, then the byte values in turn, then a Z.
func binaryLine(n int) string {
	b := []byte("\x7fELF")
	for i := 0; len(b) < n-1; i++ {
		if c := byte(i % 251); c != '\n' && c != '#' {
			b = append(b, c)
		}
	}
	return string(append(b, 'Z'))
}

// TestDetectTIFileWarnings: detect's warnings about an indicator file say
// what fits detect: no SIGHUP (only run has one), and not that the file is
// read again when it changes (detect reads its inputs once); the summary
// says the rule matched nothing.
func TestDetectTIFileWarnings(t *testing.T) {
	access := filepath.Join("..", "..", "testdata", "gitlab_access.log")
	for _, tc := range []struct {
		name, file string
		want       []string
	}{
		// One-shot: nothing about reading the file again (run does).
		{"empty", "", []string{"matches nothing", "list one IP address or CIDR per line (# starts a comment)\n"}},
		{"comments only", "# none yet\n", []string{"detect: WARNING: " + filepath.Join("TMP", "ti.txt") + ": threat-intelligence file lists no IP address or CIDR: sentinel.ti_malicious_ip matches nothing (skipped: 0); list one IP address or CIDR per line"}},
		// A binary file's line is quoted by its first 64 bytes, with its
		// length (fresh-user trial: quoted whole, kilobytes of \x escapes).
		{"binary", binaryLine(3000), []string{"ti.txt:1: threat-intelligence indicator skipped: \"\\x7fELF\\x00\\x01\\x02", "\"... (the first 64 of 3000 bytes) is not an IP address or CIDR"}},
		{"UTF-16", utf16LE("203.0.113.7\r\n"), []string{"threat-intelligence file is UTF-16, not UTF-8", "(encoding: UTF-16LE); the file must be UTF-8", "the file must be UTF-8; convert it with iconv -f UTF-16 -t UTF-8 '"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ti := filepath.Join(t.TempDir(), "ti.txt")
			if err := os.WriteFile(ti, []byte(tc.file), 0o600); err != nil {
				t.Fatal(err)
			}
			var out, errOut bytes.Buffer
			o := detectOptions{format: "json", rules: []string{"sentinel.ti_malicious_ip"}, params: []string{"ti_file=" + ti}}
			if err := runDetect(context.Background(), &o, []string{access}, strings.NewReader(""), &out, &errOut); err != nil {
				t.Fatal(err)
			}
			// The summary says the rule's 0 alerts mean nothing (fresh-user
			// trial 53: 0 alerts and exit 0 read as clean logs).
			matched := "detect: sentinel.ti_malicious_ip MATCHED NOTHING: its file " + filepath.Join("TMP", "ti.txt") + " gave it no indicator"
			for _, want := range append(tc.want, matched) {
				want = strings.ReplaceAll(want, filepath.Join("TMP", "ti.txt"), ti)
				if !strings.Contains(errOut.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, errOut.String())
				}
			}
			if strings.Contains(errOut.String(), "SIGHUP") {
				t.Errorf("detect names a SIGHUP it does not have:\n%s", errOut.String())
			}
		})
	}
}
