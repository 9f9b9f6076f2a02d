package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestDetectBareSecondsWarned: detect took --param window=60, and
// window: 60 in its --config file, as 60 seconds without a word, where
// check and run warn (fresh-user trial: a hunt with a window 60 times
// narrower than meant). detect now warns as they do, in its own form,
// and says when a --param overrides the file's value; detect --list with
// the same options too, on standard error (it did not: fresh-user trial
// 83).
func TestDetectBareSecondsWarned(t *testing.T) {
	input := filepath.Join("..", "..", "testdata", "application_json.log")
	conf := writeFile(t, filepath.Join(t.TempDir(), "w.yaml"), "detections:\n  params:\n    window: 60\n")
	advice := "60 is read as 60 seconds (1m0s); write 60s to keep it, or 60m or 60h"
	for _, tc := range []struct {
		name   string
		config string
		params []string
		want   []string // warnings, in order
	}{
		{"--param", "", []string{"window=60"}, []string{"--param window=60: " + advice}},
		{"--config", conf, nil, []string{conf + ":3: detections.params.window: " + advice}},
		{"--config overridden by --param", conf, []string{"window=2h"},
			[]string{conf + ":3: detections.params.window: " + advice + " (--param window=2h overrides it in this run)"}},
		{"with units", "", []string{"window=60m", "suppress=0"}, nil},
	} {
		for _, list := range []bool{false, true} {
			name := tc.name
			if list {
				name += ", --list"
			}
			t.Run(name, func(t *testing.T) {
				var out, errOut bytes.Buffer
				args := []string{"detect", "--rule", "sentinel.bruteforce"}
				if tc.config != "" {
					args = append(args, "--config", tc.config)
				}
				for _, p := range tc.params {
					args = append(args, "--param", p)
				}
				if list {
					args = append(args, "--list")
				} else {
					args = append(args, input)
				}
				cmd := newRootCmd()
				cmd.SetOut(&out)
				cmd.SetErr(&errOut)
				cmd.SetIn(strings.NewReader(""))
				cmd.SetArgs(args)
				if err := cmd.ExecuteContext(context.Background()); err != nil {
					t.Fatalf("%v\n%s", err, errOut.String())
				}
				var got []string
				for _, l := range strings.Split(errOut.String(), "\n") {
					if strings.HasPrefix(l, "detect: WARNING: ") {
						got = append(got, strings.TrimPrefix(l, "detect: WARNING: "))
					}
				}
				if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
					t.Errorf("warnings\n%q\nwant\n%q\nstderr:\n%s", got, tc.want, errOut.String())
				}
				if strings.Contains(out.String(), "WARNING") {
					t.Errorf("a warning on standard output:\n%s", out.String())
				}
			})
		}
	}
}
