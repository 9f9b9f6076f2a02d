package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestSendUnfinishedPart: a container log line whose last part is in no
// input is sent as far as it got, and the summary says so, naming the
// file to give, instead of calling it a line that does not parse and
// asking whether the input is a GitLab log (fresh-user trial 278).
func TestSendUnfinishedPart(t *testing.T) {
	line := `{"component": "gitlab","subcomponent":"audit_json","message":{"severity":"INFO","time":"2026-12-07T10:00:00.000Z","author_id":1,"author_na`
	for _, tc := range []struct {
		name, records string
		at            int // the line where the unfinished parts end
		want, dont    []string
	}{
		{"alone", "2026-12-07T10:00:00.000000000Z stdout P " + line + "\n", 1,
			[]string{"sent 1 line of 1 read from 1 container log record", "(1 container log line unfinished, sent raw as far as it got: its last part is in none of the files; the first ends at "},
			[]string{"unparsed", "did not parse", "is it a GitLab log?"}},
		{"after a line that does not parse", "2026-12-07T10:00:00.000000000Z stdout F {\"severity\":\"INFO\",\"time\":\n" +
			"2026-12-07T10:00:00.000000000Z stdout P " + line + "\n", 2,
			[]string{"sent 2 lines of 2 read from 2 container log records", "(1 unparsed, sent raw; 1 container log line unfinished", "0.log:1: "},
			[]string{"0.log:2: audit"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := writeFile(t, filepath.Join(t.TempDir(), "0.log"), tc.records)
			var stdout, stderr bytes.Buffer
			if err := runSendCollect(context.Background(), strings.NewReader(""), &stdout, &stderr, "send", "--format", "cri", "--type", "audit", "--to", "stdout", file); err != nil {
				t.Fatalf("send: %v\n%s", err, stderr.String())
			}
			if at := fmt.Sprintf("the first ends at %s:%d, and the log's next file holds its rest (when that is the file a first start of run read, run sent the rest raw: do not send that file, whose lines run sent))", file, tc.at); !strings.Contains(stderr.String(), at) {
				t.Errorf("want %q in:\n%s", at, stderr.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("want %q in:\n%s", w, stderr.String())
				}
			}
			for _, d := range tc.dont {
				if strings.Contains(stderr.String(), d) {
					t.Errorf("want no %q in:\n%s", d, stderr.String())
				}
			}
		})
	}
}

// TestSendOtherSubcomponentsPlain: --other-subcomponents, which says what
// to do with the container log lines of no GitLab log, is refused with
// plain lines, where it would do nothing (fresh-user trial 278).
func TestSendOtherSubcomponentsPlain(t *testing.T) {
	file := writeFile(t, filepath.Join(t.TempDir(), "audit_json.log"), `{"severity":"INFO","time":"2026-12-07T10:00:00.000Z"}`+"\n")
	var stdout, stderr bytes.Buffer
	err := runSendCollect(context.Background(), strings.NewReader(""), &stdout, &stderr, "send", "--other-subcomponents", "forward", "--to", "stdout", file)
	if err == nil || !strings.Contains(err.Error(), "--other-subcomponents forward is for container logs, with --format cri, docker or auto") {
		t.Fatalf("send --other-subcomponents forward with plain lines: err %v, want it refused", err)
	}
	if stdout.Len() != 0 {
		t.Errorf("sent %q, want nothing", stdout.String())
	}
}

// TestSendRestAfterInput: a container log line split between an input
// and the next one that send does not join to it (standard input) goes
// out in two raw pieces, as run sends such a line, with a note, in either
// order; before, its rest was dropped as a line of no GitLab log (fresh-
// user trial 281).
func TestSendRestAfterInput(t *testing.T) {
	env := func(n int) string {
		return fmt.Sprintf(`{"date":"2026-12-07T10:00:%02d.000Z","component": "gitlab","subcomponent":"audit_json","level":"info","file":"/var/log/gitlab/audit_json.log","message":{"severity":"INFO","time":"2026-12-07T10:00:%02d.000Z","author_id":1,"author_name":"A","entity_id":%d,"entity_type":"User","target_details":"N%dE"}}`, n, n, n, n)
	}
	split := env(2)
	cut := len(split) / 2
	first := "2026-12-07T10:00:01.000000000Z stdout F " + env(1) + "\n2026-12-07T10:00:02.000000000Z stdout P " + split[:cut] + "\n"
	rest := "2026-12-07T10:00:02.000000000Z stdout F " + split[cut:] + "\n2026-12-07T10:00:03.000000000Z stdout F " + env(3) + "\n"
	dir := t.TempDir()
	for _, tc := range []struct {
		name, file, stdin string
		stdinFirst        bool
	}{
		{"rest on standard input", writeFile(t, filepath.Join(dir, "a.log"), first), rest, false},
		{"first parts on standard input", writeFile(t, filepath.Join(dir, "b.log"), rest), first, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"send", "--format", "cri", "--to", "stdout", tc.file, "-"}
			if tc.stdinFirst {
				args = []string{"send", "--format", "cri", "--to", "stdout", "-", tc.file}
			}
			var stdout, stderr bytes.Buffer
			if err := runSendCollect(context.Background(), strings.NewReader(tc.stdin), &stdout, &stderr, args...); err != nil {
				t.Fatalf("send: %v\n%s", err, stderr.String())
			}
			out := stdout.String()
			if strings.Count(out, "\n") != 4 || !strings.Contains(out, " GitLab-Audit-Logs - audit - "+split[:cut]+"\n") ||
				!strings.Contains(out, " GitLab-Audit-Logs - audit - "+split[cut:]+"\n") || !strings.Contains(out, `TargetDetails="N3E"`) {
				t.Errorf("sent\n%s\nwant lines 1 and 3 and line 2 in its two raw pieces", out)
			}
			if !strings.Contains(stderr.String(), "(1 container log line split between two inputs not joined, standard input or a copy not named as the kubelet names them: sent raw in two pieces, as run sends them;") ||
				strings.Contains(stderr.String(), "dropped") || strings.Contains(stderr.String(), "unfinished") {
				t.Errorf("summary:\n%s", stderr.String())
			}
		})
	}
}
