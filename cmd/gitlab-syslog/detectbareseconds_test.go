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
// and says when a --param overrides the file's value.
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
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			o := detectOptions{format: "json", rules: []string{"sentinel.bruteforce"}, config: tc.config, params: tc.params}
			if err := runDetect(context.Background(), &o, []string{input}, strings.NewReader(""), &out, &errOut); err != nil {
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
		})
	}
}
