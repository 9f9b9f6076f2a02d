package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestContainerRecordsNamed checks that parse, send and detect tell a
// container runtime's record (the bundled CRI and Docker json-file samples
// of the GitLab chart's pods) from a GitLab line: each record does not
// parse, with a cause naming what it is and how to read it (run, format:
// cri or docker), and none is typed as audit. Before, CRI records were of
// "unknown type; use TYPE:FILE", and Docker records whose "log" held an
// audit line parsed as audit events with only EventTime: send shipped them
// as GitLab-Audit-Logs and detect counted them (fresh-user trial #14).
func TestContainerRecordsNamed(t *testing.T) {
	for _, tc := range []struct {
		dir, cause string
		record     *regexp.Regexp // a line that is a record (the samples have one that is not)
	}{
		{"cri", "a CRI container log record (containerd, CRI-O: <time> <stream> <tag> <line>), not a GitLab line: parse and detect read GitLab's own lines; read a container log with run, a source with format: cri (or auto), or send it with send --format cri",
			regexp.MustCompile(`(?m)^2024-[0-9-]+T[0-9:.]+Z (stdout|stderr) [FP] `)},
		{"docker", `a Docker json-file container log record ({"log":...,"stream":...,"time":...}), not a GitLab line: parse and detect read GitLab's own lines; read a container log with run, a source with format: docker (or auto), or send it with send --format docker`,
			regexp.MustCompile(`(?m)^\{"log":`)},
	} {
		files, err := filepath.Glob(filepath.Join("..", "..", "testdata", "kubernetes", tc.dir, "*.log"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no samples in %s: %v", tc.dir, err)
		}
		for _, file := range files {
			name := tc.dir + "/" + filepath.Base(file)[:20]
			run := func(args ...string) (string, string) {
				var stdout, stderr bytes.Buffer
				runSendCollect(context.Background(), strings.NewReader(""), &stdout, &stderr, append(args, file)...)
				return stdout.String(), stderr.String()
			}
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			records := len(tc.record.FindAll(data, -1))
			stdout, stderr := run("parse")
			lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
			jsonCause := strings.ReplaceAll(tc.cause, `"`, `\"`)
			if n := strings.Count(stdout, jsonCause); n != records {
				t.Errorf("%s: parse: %d _error say %s, want %d (every record):\n%.2000s", name, n, tc.cause, records, stdout)
			}
			if want := "parsed " + itoa(len(lines)) + " lines, " + itoa(len(lines)) + " failed"; !strings.Contains(stderr, want) {
				t.Errorf("%s: parse: stderr\n%s\nwant %q", name, stderr, want)
			}

			cause := tc.cause
			stdout, stderr = run("send", "--to", "-")
			if strings.Contains(stdout, "GitLab-Audit-Logs") || !strings.Contains(stderr, "did not parse and were sent raw") || !strings.Contains(stderr, cause) {
				t.Errorf("%s: send: stdout\n%.600s\nstderr\n%s\nwant no audit message and a warning saying %s", name, stdout, stderr, cause)
			}
			stdout, stderr = run("detect")
			if !strings.Contains(stderr, " 0 events for the rules") || !strings.Contains(stderr, cause) {
				t.Errorf("%s: detect: stdout\n%s\nstderr\n%s\nwant 0 events and a warning saying %s", name, stdout, stderr, cause)
			}
		}
	}
}
