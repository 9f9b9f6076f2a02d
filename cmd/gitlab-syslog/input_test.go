package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestReadInputMaxLine checks the line limit of the shared line reader:
// lines up to maxLine bytes pass whole, longer ones are cut to maxLine and
// flagged with their whole length (without the line ending), also when
// longer than the read buffer, and the line after a cut one is read
// intact.
func TestReadInputMaxLine(t *testing.T) {
	big := strings.Repeat("x", 600<<10) // longer than the 256KiB buffer
	for _, tc := range []struct {
		name    string
		data    string
		maxLine int
		want    []string // the lines fn sees
		long    []int    // the whole length of each cut line, 0 for the others
	}{
		{"exact", "abcd\nnext\n", 4, []string{"abcd", "next"}, []int{0, 0}},
		{"exact crlf", "abcd\r\nnext\r\n", 4, []string{"abcd", "next"}, []int{0, 0}},
		{"one over", "abcde\nnext\n", 4, []string{"abcd", "next"}, []int{5, 0}},
		{"one over crlf", "abcde\r\nnext\n", 4, []string{"abcd", "next"}, []int{5, 0}},
		{"no newline at end", "abcdefgh", 4, []string{"abcd"}, []int{8}},
		{"over buffer", big + "\nnext\n", 1000, []string{big[:1000], "next"}, []int{len(big), 0}},
		{"over buffer crlf", big + "\r\nnext\n", 1000, []string{big[:1000], "next"}, []int{len(big), 0}},
		{"over buffer, limit above buffer", big + "\nnext\n", 300 << 10, []string{big[:300<<10], "next"}, []int{len(big), 0}},
		{"over buffer, within limit", big + "\r\nnext\n", 600 << 10, []string{big, "next"}, []int{0, 0}},
		{"no limit", big + "\nnext\n", 0, []string{big, "next"}, []int{0, 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "in.log")
			if err := os.WriteFile(path, []byte(tc.data), 0o600); err != nil {
				t.Fatal(err)
			}
			var got []string
			var long []int
			err := readInput(context.Background(), path, nil, tc.maxLine, func(_ string, _ int, line []byte, l int) error {
				got = append(got, string(line))
				long = append(long, l)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("%d lines, want %d", len(got), len(tc.want))
			}
			for i := range got {
				if got[i] != tc.want[i] || long[i] != tc.long[i] {
					t.Errorf("line %d: %d bytes cut from %d, want %d bytes cut from %d", i+1, len(got[i]), long[i], len(tc.want[i]), tc.long[i])
				}
			}
		})
	}
}

// TestParseDetectMaxLine runs parse and detect with --max-line-bytes over
// a file with one line longer than the limit: parse prints it as an error
// object with the cut text as _raw and counts it; detect skips it and
// counts it; the other lines are parsed as before.
func TestParseDetectMaxLine(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(samples, "audit_json.log"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	limit := 0
	for _, l := range lines {
		limit = max(limit, len(l))
	}
	// A valid audit line longer than the limit, last.
	long := strings.TrimSuffix(lines[0], "}") + `,"custom_message":"` + strings.Repeat("x", 2*limit) + `"}`
	lines = append(lines, long)
	data = []byte(strings.Join(lines, "\n") + "\n")
	path := filepath.Join(t.TempDir(), "audit_json.log")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, err := runParse(t, nil, "--max-line-bytes="+strconv.Itoa(limit), path)
	if err != nil {
		t.Fatalf("parse: %v (%s)", err, errOut)
	}
	outLines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(outLines) != len(lines) {
		t.Fatalf("parse printed %d lines, want %d", len(outLines), len(lines))
	}
	_, vals := objectKeys(t, outLines[len(outLines)-1])
	if vals["_raw"] != long[:limit] || !strings.Contains(vals["_error"], "longer than max_line_bytes") {
		t.Errorf("cut line printed as %.200s", outLines[len(outLines)-1])
	}
	for _, l := range outLines[:len(outLines)-1] {
		if strings.Contains(l, `"_error"`) {
			t.Errorf("line under the limit failed: %.200s", l)
		}
	}
	if want := "1 failed (1 cut to max_line_bytes"; !strings.Contains(errOut, want) {
		t.Errorf("parse summary %q, want it to contain %q", errOut, want)
	}

	var dOut, dErr bytes.Buffer
	o := detectOptions{format: "json", maxLine: strconv.Itoa(limit)}
	if err := runDetect(context.Background(), &o, []string{path}, strings.NewReader(""), &dOut, &dErr); err != nil {
		t.Fatalf("detect: %v (%s)", err, dErr.String())
	}
	if want := "(0 not parsed, 1 longer than max_line_bytes, skipped)"; !strings.Contains(dErr.String(), want) {
		t.Errorf("detect summary:\n%s\nwant it to contain %q", dErr.String(), want)
	}
}
