package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestTypeAnyCase: --type AUDIT (parse, send) and AUDIT:FILE (detect)
// were refused with a "did you mean" differing only in case, though the
// README says enumerated values are taken in any case, as the config's
// type: Audit is (fresh-user trial). Each now does what the lower-case
// spelling does, on a file whose name does not give its type.
func TestTypeAnyCase(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "audit_json.log"))
	if err != nil {
		t.Fatal(err)
	}
	file := writeFile(t, filepath.Join(t.TempDir(), "events.log"), string(data))
	stream := filepath.Join("..", "..", "testdata", "detections", "sentinel.repo_public", "stream-audit-operation", "events.log")
	for _, tc := range []struct {
		name         string
		lower, upper []string
	}{
		{"parse --type", []string{"parse", "--type", "audit", file}, []string{"parse", "--type", "AUDIT", file}},
		{"parse --type auto", []string{"parse", "--type", "auto", file}, []string{"parse", "--type", "Auto", file}},
		{"send --type", []string{"send", "--to", "-", "--type", "audit", file}, []string{"send", "--to", "-", "--type", "Audit", file}},
		{"detect TYPE:FILE", []string{"detect", "--rule", "sentinel.repo_deletion", "audit:" + file},
			[]string{"detect", "--rule", "sentinel.repo_deletion", "AUDIT:" + file}},
		{"detect stream:FILE", []string{"detect", "--rule", "sentinel.repo_deletion", "stream:" + stream},
			[]string{"detect", "--rule", "sentinel.repo_deletion", "Stream:" + stream}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run := func(args []string) string {
				var out, errOut bytes.Buffer
				if err := runSendCollect(context.Background(), strings.NewReader(""), &out, &errOut, args...); err != nil {
					t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, errOut.String())
				}
				// send's summary ends with the time it took.
				return elapsed.ReplaceAllString(out.String()+errOut.String(), " in T")
			}
			want, got := run(tc.lower), run(tc.upper)
			if got != want || want == "" {
				t.Errorf("%s differs from %s at %s", strings.Join(tc.upper, " "), strings.Join(tc.lower, " "), firstDiffLine(got, want))
			}
		})
	}
}

var elapsed = regexp.MustCompile(` in [0-9.]+[µmn]?s\b`)

// firstDiffLine returns the first line where got and want differ, both.
func firstDiffLine(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range max(len(g), len(w)) {
		var a, b string
		if i < len(g) {
			a = g[i]
		}
		if i < len(w) {
			b = w[i]
		}
		if a != b {
			return fmt.Sprintf("line %d:\n got %q\nwant %q", i+1, a, b)
		}
	}
	return "(none: want is empty)"
}
