package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDetectGoldenCases runs the further cases of a rule's golden
// directory: every subdirectory of testdata/detections/<rule id>/ other
// than near-miss (which TestDetectGolden runs) is one case with its own
// inputs and args. A case named near-miss-* must stay silent; any other
// must fire and give exactly its expected.json. These hold the cases a peer
// gets wrong (empty baseline hours, a shipping backlog, an event both in
// the file and streamed, an impersonation session never stopped, ...).
// The --format rfc5424 output of a case must be one message per alert
// and line (line-breaks: values holding LF and CR).
func TestDetectGoldenCases(t *testing.T) {
	root := filepath.Join("..", "..", "testdata", "detections")
	rules, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rules {
		cases, err := os.ReadDir(filepath.Join(root, r.Name()))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			if !c.IsDir() || c.Name() == "near-miss" {
				continue
			}
			id, dir := r.Name(), filepath.Join(root, r.Name(), c.Name())
			t.Run(id+"/"+c.Name(), func(t *testing.T) {
				got := goldenRun(t, dir, id)
				if strings.HasPrefix(c.Name(), "near-miss") {
					if len(got) > 0 {
						t.Errorf("near-miss case fired:\n%s", got)
					}
					return
				}
				want := filepath.Join(dir, "expected.json")
				if *update {
					if err := os.WriteFile(want, got, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				exp, err := os.ReadFile(want)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) == 0 {
					t.Error("no alert: a case that is not a near-miss must fire")
				}
				if !bytes.Equal(got, exp) {
					t.Errorf("alerts differ from %s (run with -update to see the diff in git)\ngot:\n%s", want, got)
				}
				checkWire(t, goldenRunFormat(t, dir, id, "rfc5424"), bytes.Split(bytes.TrimSpace(got), []byte("\n")), id)
				checkAlertTimes(t, got)
			})
		}
	}
}
