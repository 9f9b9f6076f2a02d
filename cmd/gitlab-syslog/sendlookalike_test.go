package main

import (
	"bytes"
	"context"
	"fmt"
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

// TestSendParseNoneParsedLookAlike checks that send and parse, when none
// of an input's lines parsed as the type it was read as (--type, or the
// file's name) and most look like another type's, name that type and the
// --type to give, as detect names it, instead of asking whether the input
// is a GitLab log: access-log lines in a file named audit_json.log
// (fresh-user trial).
func TestSendParseNoneParsedLookAlike(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(samples, "gitlab_access.log"))
	if err != nil {
		t.Fatal(err)
	}
	named := filepath.Join(t.TempDir(), "audit_json.log")
	if err := os.WriteFile(named, data, 0o644); err != nil {
		t.Fatal(err)
	}
	n := bytes.Count(bytes.TrimSpace(data), []byte("\n")) + 1
	head := fmt.Sprintf("none of the %d lines of %s parsed as audit ", n, named)
	byName := head + fmt.Sprintf("(its file name): %d of them look like access lines. Give --type access\n", n)
	fixed := head + fmt.Sprintf("(--type audit): %d of them look like access lines. Give --type access, or --type auto to type a file by its name, else each line by its content\n", n)
	for _, tc := range []struct {
		name string
		args []string
		want string
		err  bool // parse fails: no line parsed
	}{
		{"send by name", []string{"send", "--to", "stdout", named}, "send: WARNING: " + byName, false},
		{"send --type", []string{"send", "--to", "stdout", "--type", "audit", named}, "send: WARNING: " + fixed, false},
		{"parse by name", []string{"parse", named}, "gitlab-syslog: parse: WARNING: " + byName, true},
		{"parse --type", []string{"parse", "--type", "audit", named}, "gitlab-syslog: parse: WARNING: " + fixed, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := runSendCollect(context.Background(), strings.NewReader(""), &out, &errOut, tc.args...)
			if tc.err {
				want := fmt.Sprintf("no line parsed: all %d read failed (read as another type than they look like: the warning above names the type to give)", n)
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("error %v, want one with %q", err, want)
				}
			} else if err != nil {
				t.Fatalf("%v\n%s", err, errOut.String())
			}
			if !strings.Contains(errOut.String(), tc.want) {
				t.Errorf("stderr lacks\n%s\nin\n%s", tc.want, errOut.String())
			}
			for _, q := range []string{"is it a GitLab log?", "is --type audit right?", "are the lines of that type"} {
				if strings.Contains(errOut.String(), q) || err != nil && strings.Contains(err.Error(), q) {
					t.Errorf("still asks %q:\n%s%v", q, errOut.String(), err)
				}
			}
		})
	}
}
