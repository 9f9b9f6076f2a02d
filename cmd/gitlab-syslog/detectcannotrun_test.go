package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestDetectConfigCannotRun checks that detect --config refuses a file
// that asks for a rule that cannot run (a severity given to
// sentinel.external_user, which has no allowed_domains), naming the line,
// the rule and what to do, as check and run refuse it; and that it runs
// when --param gives the rule what it lacks, --rule runs only other rules,
// or the file's detections block is off (run accepts that file). Before,
// detect ran without the rule, exit status 0, with only a note that it
// was off (fresh-user trial).
func TestDetectConfigCannotRun(t *testing.T) {
	const rules = "  rules:\n" +
		"    sentinel.bruteforce:\n" +
		"      enabled: false\n" +
		"      severity: high\n" +
		"    sentinel.external_user:\n" +
		"      severity: Low\n" +
		"    falco.pat_created:\n" +
		"      severity: warning\n"
	audit := filepath.Join("..", "..", "testdata", "audit_json.log")
	tests := []struct {
		name    string
		enabled string // detections.enabled line, "" for none
		params  []string
		rules   []string
		wantErr string // "" for a run
	}{
		{"refused", "", nil, nil,
			"d1.yaml:7: detections.rules.sentinel.external_user: rule sentinel.external_user cannot run: no allowed_domains (the e-mail domains of your users); " +
				"give it that (for this run alone: --param allowed_domains=VALUE), or remove the rule's settings (or set enabled: false) to leave it off, or run only other rules with --rule ID"},
		{"given by --param", "", []string{"allowed_domains=corp.example"}, nil, ""},
		{"left out by --rule", "", nil, []string{"falco.pat_created"}, ""},
		{"named by --rule", "", nil, []string{"falco.pat_created", "sentinel.external_user"}, "rule sentinel.external_user cannot run"},
		{"detections off", "  enabled: false\n", nil, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := writeFile(t, filepath.Join(t.TempDir(), "d1.yaml"), "detections:\n"+tt.enabled+"  lateness: 2h\n"+rules)
			var out, errOut bytes.Buffer
			o := detectOptions{format: "json", config: cfg, params: tt.params, rules: tt.rules}
			err := runDetect(context.Background(), &o, []string{audit}, strings.NewReader(""), &out, &errOut)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("detect: %v\n%s", err, errOut.String())
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("detect error\n%v\nwant one containing\n%s\nstderr:\n%s", err, tt.wantErr, errOut.String())
			case tt.wantErr != "" && out.Len() > 0:
				t.Errorf("detect printed alerts before refusing the file:\n%s", out.String())
			}
		})
	}
}
