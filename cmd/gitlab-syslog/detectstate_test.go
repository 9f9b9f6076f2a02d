package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDetectStateDirFaults: what detect says about a --state-dir it
// cannot use as it is. State that cannot be saved is logged once (it was
// printed twice) and the summary says it was not saved, exit 0 (issue 11:
// only an unreadable input fails); a detect-rules file that names no rule
// is refused as such (it said "earlier runs ran {}"); an engine state file
// that is corrupt says that events already seen may alert again (it said
// only that rules start learning again).
func TestDetectStateDirFaults(t *testing.T) {
	audit := filepath.Join("..", "..", "testdata", "audit_json.log")
	for _, tc := range []struct {
		name    string
		prepare func(t *testing.T, dir string)
		err     string   // the error; "" for none
		once    []string // on stderr exactly once
	}{
		{"state not saved", func(t *testing.T, dir string) {
			// a directory where the engine's file goes: the rename fails
			if err := os.MkdirAll(filepath.Join(dir, "detect", "_engine.json", "x"), 0o700); err != nil {
				t.Fatal(err)
			}
		}, "", []string{"save _engine: rename", "detect: the state was NOT saved in --state-dir "}},
		{"detect-rules not a list of rules", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, "detect-rules"), "{}\n")
		}, `detect-rules holds "{}", which is not a rule id: `, nil},
		{"corrupt engine state", func(t *testing.T, dir string) {
			if err := os.MkdirAll(filepath.Join(dir, "detect"), 0o700); err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(dir, "detect", "_engine.json"), "not json")
		}, "", []string{"events already seen may alert again"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tc.prepare(t, dir)
			var out, errOut bytes.Buffer
			o := detectOptions{format: "json", rules: []string{"falco.pat_created"}, stateDir: dir}
			err := runDetect(context.Background(), &o, []string{audit}, strings.NewReader(""), &out, &errOut)
			switch {
			case tc.err == "" && err != nil:
				t.Fatalf("%v\n%s", err, errOut.String())
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Fatalf("error = %v, want one with %q", err, tc.err)
			}
			for _, w := range tc.once {
				if c := strings.Count(errOut.String(), w); c != 1 {
					t.Errorf("stderr has %q %d times, want once:\n%s", w, c, errOut.String())
				}
			}
		})
	}
}
