package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// TestTypeByName is the table of file names --type auto types by name.
func TestTypeByName(t *testing.T) {
	for name, want := range map[string]parser.Type{
		"/var/log/gitlab/gitlab-rails/audit_json.log": parser.TypeAudit,
		"audit_json.log.1":                            parser.TypeAudit,
		"audit_json.log-20240101.gz":                  parser.TypeAudit,
		"application_json.log.2.gz":                   parser.TypeApplication,
		"application.log":                             parser.TypeApplication,
		"nginx/gitlab_access.log.1":                   parser.TypeAccess,
		"auth_json.log":                               parser.TypeAuth,
		"auth.log.gz":                                 parser.TypeAuth,
		"audit_json.log.1.xz":                         parser.TypeAudit,
		"gitlab_access.log-20240101.zst":              parser.TypeAccess,
		"application_json.log.3.bz2":                  parser.TypeApplication,
		"audit_json.log.1.lz4":                        parser.TypeUnknown,
		"-":                                           parser.TypeUnknown,
		"mixed.log":                                   parser.TypeUnknown,
		"audit_json.log.bak":                          parser.TypeUnknown,
	} {
		if got := typeByName(name); got != want {
			t.Errorf("typeByName(%q) = %v, want %v", name, got, want)
		}
	}
}

// TestSendTypeByName checks that send --type auto types a file named as a
// GitLab log by its name, so that cut or malformed lines keep the file's
// APP-NAME, while stdin is typed per line (unknown lines: GitLab-Logs).
func TestSendTypeByName(t *testing.T) {
	dir := t.TempDir()
	audit := filepath.Join(dir, "audit_json.log.1")
	data, err := os.ReadFile(filepath.Join(samples, "audit_json.log"))
	if err != nil {
		t.Fatal(err)
	}
	data = append(data, "not json at all\n"...)
	if err := os.WriteFile(audit, data, 0o644); err != nil {
		t.Fatal(err)
	}
	nLines := bytes.Count(data, []byte("\n"))
	for _, tc := range []struct {
		name    string
		stdin   bool
		args    []string
		appName string // every message's APP-NAME but the last
		last    string // the last (not JSON) line's APP-NAME
	}{
		{"cut lines by name", false, []string{"--max-line-bytes", "1KiB", audit}, "GitLab-Audit-Logs", "GitLab-Audit-Logs"},
		{"whole lines by name", false, []string{audit}, "GitLab-Audit-Logs", "GitLab-Audit-Logs"},
		{"stdin per line", true, nil, "GitLab-Audit-Logs", "GitLab-Logs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			var in *bytes.Reader
			if tc.stdin {
				in = bytes.NewReader(data)
			} else {
				in = bytes.NewReader(nil)
			}
			args := append([]string{"send", "--to", "stdout"}, tc.args...)
			if err := runSendCollect(context.Background(), in, &out, &errOut, args...); err != nil {
				t.Fatalf("send: %v (%s)", err, errOut.String())
			}
			msgs := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
			if len(msgs) != nLines {
				t.Fatalf("%d messages, want %d", len(msgs), nLines)
			}
			for i, m := range msgs {
				want := tc.appName
				if i == len(msgs)-1 {
					want = tc.last
				}
				// <PRI>1 TIMESTAMP HOSTNAME APP-NAME ...
				f := strings.Fields(m)
				if len(f) < 4 || f[3] != want {
					t.Errorf("APP-NAME of %.80q: want %s", m, want)
				}
			}
		})
	}
}

// TestParseTypeByName checks that parse --type auto parses a file named
// as a GitLab log with that log's parser: an application_json.log line is
// read as application even where content detection would say otherwise.
func TestParseTypeByName(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile(filepath.Join(samples, "audit_json.log"))
	if err != nil {
		t.Fatal(err)
	}
	// An audit line in a file named as the auth log: parsed as auth, the
	// columns are the auth parser's.
	line := strings.SplitN(string(data), "\n", 2)[0]
	named := filepath.Join(dir, "auth_json.log")
	other := filepath.Join(dir, "other.log")
	for _, f := range []string{named, other} {
		if err := os.WriteFile(f, []byte(line+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var want [2]string
	for i, typ := range []string{"auth", "audit"} {
		out, _, err := runParse(t, nil, "--type", typ, named)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = out
	}
	if want[0] == want[1] {
		t.Fatal("test line parses the same as auth and audit; pick another")
	}
	for i, f := range []string{named, other} {
		out, _, err := runParse(t, nil, f)
		if err != nil {
			t.Fatal(err)
		}
		if out != want[i] {
			t.Errorf("parse %s:\n got %s\nwant %s", filepath.Base(f), out, want[i])
		}
	}
}
