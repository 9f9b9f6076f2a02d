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
