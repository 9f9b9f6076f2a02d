package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestSendContainer: send --format cri reads container logs as run reads
// a source without type: a line's parts are joined across the rotated
// copies of one log given in order, not across two pods' logs (fresh-user
// trial 275: a part at the end of one pod's log was joined with the first
// line of the next pod's, which was lost); the lines of other
// gitlab-logger subcomponents and stderr are dropped and counted, or sent
// raw with --other-subcomponents forward; an input whose only record is a
// part of a line finished in the next input is not called empty.
func TestSendContainer(t *testing.T) {
	dir := t.TempDir()
	audit := func(n int) string {
		return fmt.Sprintf(`{"severity":"INFO","time":"2026-12-07T10:00:%02d.000Z","author_id":1,"author_name":"Admin","entity_id":%d,"entity_type":"Project","target_details":"N%dE"}`, n, n, n)
	}
	wrapped := func(sub, line string) string {
		return fmt.Sprintf(`{"date":"2026-12-07T10:00:00.000Z","component": "gitlab","subcomponent":%q,"level":"info","file":"/var/log/gitlab/%s.log","message":%s}`, sub, sub, line)
	}
	rec := func(stream, tag, text string) string {
		return "2026-12-07T10:00:00.000000000Z " + stream + " " + tag + " " + text + "\n"
	}
	one := wrapped("audit_json", audit(1))
	podA := filepath.Join(dir, "pods", "gitlab_a-1_u1", "c", "0.log")
	writeFile(t, podA+".20261207-100000", rec("stdout", "P", one[:40]))
	writeFile(t, podA, rec("stdout", "F", one[40:])+rec("stdout", "F", wrapped("production_json", `{"method":"GET"}`))+
		rec("stderr", "F", "E1207 some noise")+rec("stdout", "P", wrapped("audit_json", audit(2))[:110])+rec("stderr", "P", "panic: "))
	podB := writeFile(t, filepath.Join(dir, "pods", "gitlab_b-1_u2", "c", "0.log"), rec("stdout", "F", wrapped("audit_json", audit(3))))
	send := func(extra ...string) (string, string) {
		var stdout, stderr bytes.Buffer
		args := append([]string{"send", "--format", "cri", "--to", "stdout"}, extra...)
		args = append(args, podA+".20261207-100000", podA, podB)
		if err := runSendCollect(context.Background(), strings.NewReader(""), &stdout, &stderr, args...); err != nil {
			t.Fatalf("send: %v\n%s", err, stderr.String())
		}
		return stdout.String(), stderr.String()
	}
	out, errOut := send()
	msgs := strings.Split(strings.TrimSpace(out), "\n")
	if len(msgs) != 3 {
		t.Fatalf("%d messages, want 3:\n%s\n%s", len(msgs), out, errOut)
	}
	for i, w := range []string{"N1E", "N3E"} {
		if m := msgs[2*i]; !strings.Contains(m, " GitLab-Audit-Logs - audit [gitlab@32473 ") || !strings.Contains(m, w) || strings.Count(m, `"severity"`) != 1 {
			t.Errorf("want the audit line %s whole, with its columns: %s", w, m)
		}
	}
	// N2E's first part, never finished: sent as far as it got, raw, under
	// the APP-NAME of the log its envelope names, as run sends it (trial
	// 277: GitLab-Logs).
	if part := wrapped("audit_json", audit(2))[:110]; !strings.Contains(msgs[1], " GitLab-Audit-Logs ") || !strings.HasSuffix(msgs[1], " "+part) {
		t.Errorf("want pod a's unfinished part %q raw: %s", part, msgs[1])
	}
	if !strings.Contains(errOut, "3 container log lines of no GitLab log dropped") || strings.Contains(errOut, "is empty") {
		t.Errorf("summary: want 3 lines dropped (stderr's unfinished one too) and no input called empty:\n%s", errOut)
	}
	out, errOut = send("--other-subcomponents", "forward")
	if n := strings.Count(out, " GitLab-Logs - "); n != 3 || !strings.Contains(out, " E1207 some noise") || !strings.Contains(out, " panic: ") || strings.Contains(errOut, "dropped") {
		t.Errorf("forward: %d messages under GitLab-Logs, want 3 (stderr's and production_json's) and none dropped:\n%s\n%s", n, out, errOut)
	}
}
