package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSendParseLookAlike checks that send and parse warn, as detect does,
// when most lines of an input read as one type (--type, or the file's name
// under --type auto) look like another type's, also when some of them
// parsed as the type given: audit_json.log read as application sends 19
// of its 25 audit events under GitLab-Application-Logs. Before, send said
// only that 6 lines did not parse, and parse nothing (fresh-user trial).
func TestSendParseLookAlike(t *testing.T) {
	audit := filepath.Join(samples, "audit_json.log")
	data, err := os.ReadFile(audit)
	if err != nil {
		t.Fatal(err)
	}
	named := filepath.Join(t.TempDir(), "application_json.log")
	if err := os.WriteFile(named, data, 0o644); err != nil {
		t.Fatal(err)
	}
	const fixed = "25 of the 25 lines of " + samples + "/audit_json.log look like audit lines but were read as application (--type application): " +
		"is the type right? Give --type audit, or --type auto to type a file by its name, else each line by its content\n"
	byName := "25 of the 25 lines of " + named + " look like audit lines but were read as application (its file name): is the type right? Give --type audit\n"
	for _, tc := range []struct {
		name string
		args []string
		want string // "": no such warning
	}{
		{"send --type", []string{"send", "--to", "stdout", "--type", "application", audit}, "send: WARNING: " + fixed},
		{"send by name", []string{"send", "--to", "stdout", named}, "send: WARNING: " + byName},
		{"send, right type", []string{"send", "--to", "stdout", "--type", "audit", audit}, ""},
		{"parse --type", []string{"parse", "--type", "application", audit}, "gitlab-syslog: parse: WARNING: " + fixed},
		{"parse by name", []string{"parse", named}, "gitlab-syslog: parse: WARNING: " + byName},
		{"parse, by content", []string{"parse", audit}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if err := runSendCollect(context.Background(), strings.NewReader(""), &out, &errOut, tc.args...); err != nil {
				t.Fatalf("%v\n%s", err, errOut.String())
			}
			switch {
			case tc.want == "" && strings.Contains(errOut.String(), "look like"):
				t.Errorf("a look-alike warning for lines of the type given:\n%s", errOut.String())
			case tc.want != "" && !strings.Contains(errOut.String(), tc.want):
				t.Errorf("stderr lacks\n%s\nin\n%s", tc.want, errOut.String())
			}
		})
	}
}
