package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"regexp"
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
	for i, w := range []struct{ line, pod string }{{"N1E", "a-1"}, {"N3E", "b-1"}} {
		if m := msgs[2*i]; !strings.Contains(m, ` GitLab-Audit-Logs - audit [kubernetes@32473 Namespace="gitlab" Pod="`+w.pod+`" Container="c"][gitlab@32473 `) || !strings.Contains(m, w.line) || strings.Count(m, `"severity"`) != 1 {
			t.Errorf("want the audit line %s whole, with its pod's kubernetes@ element and its columns: %s", w.line, m)
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

// TestSendContainerAsRun: send --format cri sends a container log's lines
// as run sends them, byte for byte: the same kubernetes@ element (the
// namespace, pod and container the path names), columns and MSG (fresh-
// user trials 275, 277 and 278: send added no kubernetes@ element).
func TestSendContainerAsRun(t *testing.T) {
	dir := t.TempDir()
	env := func(n int) string {
		return fmt.Sprintf(`{"date":"2026-12-07T10:00:%02d.000Z","component": "gitlab","subcomponent":"audit_json","level":"info","file":"/var/log/gitlab/audit_json.log","message":{"severity":"INFO","time":"2026-12-07T10:00:%02d.000Z","author_id":1,"author_name":"A","entity_id":%d,"entity_type":"User","target_details":"N%dE"}}`, n, n, n, n)
	}
	log := writeFile(t, filepath.Join(dir, "pods", "gitlab_webservice-1_uid", "webservice", "0.log"),
		"2026-12-07T10:00:01.000000000Z stdout F "+env(1)+"\n"+
			"2026-12-07T10:00:02.000000000Z stdout P "+env(2)[:60]+"\n"+
			"2026-12-07T10:00:02.000000000Z stdout F "+env(2)[60:]+"\n"+
			"2026-12-07T10:00:03.000000000Z stdout F not a gitlab-logger line\n")
	cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+filepath.Join(dir, "st")+"\nhostname: h\nforward: {url: stdout}\ndetections: {enabled: false}\nsources:\n"+
		"  - {path: "+filepath.Join(dir, "pods", "*", "*", "*.log")+", format: cri, start_at: beginning, other_subcomponents: forward}\n")
	r := runCmd(t, "--config", cfg, "--once")
	if r.err != nil {
		t.Fatalf("run --once: %v\n%s", r.err, r.stderr)
	}
	var stdout, stderr bytes.Buffer
	if err := runSendCollect(context.Background(), strings.NewReader(""), &stdout, &stderr, "send", "--format", "cri", "--other-subcomponents", "forward", "--hostname", "h", "--to", "stdout", log); err != nil {
		t.Fatalf("send: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(r.stdout, `[kubernetes@32473 Namespace="gitlab" Pod="webservice-1" Container="webservice"]`) || strings.Count(r.stdout, "\n") != 3 {
		t.Fatalf("run sent, want 3 lines with their kubernetes@ element:\n%s", r.stdout)
	}
	if strings.Contains(r.stderr, "name only some of the lines") || !strings.Contains(r.stderr, "lines sent raw that no warning names") {
		t.Errorf("run: want the note that names the line of no gitlab-logger forwarded raw, not that warnings named only some (trial 280):\n%s", r.stderr)
	}
	// A line of no event time is dated when it is read, by each.
	readTime := regexp.MustCompile(`(?m)^(<\d+>1 )\S+( h GitLab-Logs )`)
	if got, want := readTime.ReplaceAllString(stdout.String(), "${1}READ${2}"), readTime.ReplaceAllString(r.stdout, "${1}READ${2}"); got != want {
		t.Errorf("send sent\n%s\nrun sent\n%s", got, want)
	}
}

// TestSendContainerBlankRecords: a container log's blank records are
// skipped and counted as blank lines, as run counts them, not as lines
// of no GitLab log dropped (fresh-user trial 280).
func TestSendContainerBlankRecords(t *testing.T) {
	line := `{"date":"2026-12-07T10:00:00.000Z","component": "gitlab","subcomponent":"audit_json","level":"info","file":"/var/log/gitlab/audit_json.log","message":{"severity":"INFO","time":"2026-12-07T10:00:00.000Z","author_id":1,"author_name":"A","entity_id":1,"entity_type":"User","target_details":"x"}}`
	file := writeFile(t, filepath.Join(t.TempDir(), "0.log"), "2026-12-07T10:00:00.000000000Z stdout F "+line+"\n"+
		"2026-12-07T10:00:01.000000000Z stdout F \n2026-12-07T10:00:02.000000000Z stdout F\n")
	var stdout, stderr bytes.Buffer
	if err := runSendCollect(context.Background(), strings.NewReader(""), &stdout, &stderr, "send", "--format", "cri", "--to", "stdout", file); err != nil {
		t.Fatalf("send: %v\n%s", err, stderr.String())
	}
	if want := "sent 1 line of 1 read from 3 container log records to stdout:// in "; !strings.Contains(stderr.String(), want) ||
		!strings.Contains(stderr.String(), "(2 blank lines skipped)") || strings.Contains(stderr.String(), "dropped") {
		t.Errorf("want %q and 2 blank lines skipped, none dropped:\n%s", want, stderr.String())
	}
}

// TestSendNotRecords: with --format cri or docker, a line that is no
// record of that format (a plain GitLab line, other text) is sent raw, as
// it is, as run sends it, and counted apart: the summary and a warning
// naming the input and its first such line, which says which --format
// reads it; before, it was counted as a container log record and, a
// GitLab line, sent parsed, else raw as a line that does not parse
// (fresh-user trial 281). With --format auto such lines are plain lines.
func TestSendNotRecords(t *testing.T) {
	audit := `{"severity":"INFO","time":"2026-12-07T10:00:01.000Z","author_id":1,"author_name":"A","entity_id":1,"entity_type":"User","target_details":"N1E"}`
	env := `{"date":"2026-12-07T10:00:02.000Z","component": "gitlab","subcomponent":"audit_json","level":"info","file":"/var/log/gitlab/audit_json.log","message":` +
		strings.ReplaceAll(strings.ReplaceAll(audit, "N1E", "N2E"), "entity_id\":1", "entity_id\":2") + "}"
	cri := "2026-12-07T10:00:02.000000000Z stdout F " + env + "\n"
	docker := `{"log":` + fmt.Sprintf("%q", env+"\n") + `,"stream":"stdout","time":"2026-12-07T10:00:02.000000000Z"}` + "\n"
	for _, tc := range []struct {
		name, format, data string
		raw                []string // the lines sent raw under GitLab-Logs
		want, dont         []string // in stderr
	}{
		{"cri", "cri", audit + "\n" + cri + "some junk\n", []string{audit, "some junk"},
			[]string{"sent 3 lines of 3 read from 1 container log record to stdout:// in ", "(2 lines were not CRI container log records: sent raw, as they are)",
				"send: WARNING: 2 of the 3 lines of FILE are not CRI container log records (--format cri) and were sent raw, as they are, as run sends them; the first: FILE:1: container: not a CRI log record: no timestamp at the start. If the file holds GitLab's own lines, give --format plain; if it mixes records and plain lines, --format auto"},
			[]string{"unparsed", "did not parse"}},
		{"docker", "docker", docker + cri, []string{strings.TrimSuffix(cri, "\n")},
			[]string{"(1 line was not a Docker json-file container log record: sent raw, as it is)", "1 of the 2 lines of FILE is not a Docker json-file container log record (--format docker) and was sent raw, as it is, as run sends such a line: FILE:2: ", "give --format plain"},
			[]string{"unparsed"}},
		{"auto: a plain line", "auto", audit + "\n" + cri, nil, []string{"sent 1 line of 1 read from 2 container log records", "1 container log line of no GitLab log dropped"}, []string{"not CRI", "WARNING"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := writeFile(t, filepath.Join(t.TempDir(), "0.log"), tc.data)
			var stdout, stderr bytes.Buffer
			if err := runSendCollect(context.Background(), strings.NewReader(""), &stdout, &stderr, "send", "--format", tc.format, "--type", "auto", "--hostname", "vm", "--to", "stdout", file); err != nil {
				t.Fatalf("send: %v\n%s", err, stderr.String())
			}
			for _, r := range tc.raw {
				if !strings.Contains(stdout.String(), " GitLab-Logs - - - "+r+"\n") {
					t.Errorf("want %q sent raw under GitLab-Logs, as run sends it:\n%s", r, stdout.String())
				}
			}
			if !strings.Contains(stdout.String(), `TargetDetails="N2E"`) {
				t.Errorf("want the record's line parsed:\n%s", stdout.String())
			}
			for _, w := range tc.want {
				if w = strings.ReplaceAll(w, "FILE", file); !strings.Contains(stderr.String(), w) {
					t.Errorf("want %q in:\n%s", w, stderr.String())
				}
			}
			for _, d := range tc.dont {
				if strings.Contains(stderr.String(), d) {
					t.Errorf("want no %q in:\n%s", d, stderr.String())
				}
			}
			if got, want := sentNoReadTime(stdout.String()), sentNoReadTime(runOnceOut(t, file, tc.format)); got != want {
				t.Errorf("send sent\n%s\nrun sent\n%s", got, want)
			}
		})
	}
}

// runOnceOut returns what run --once sends to stdout, with the host name
// vm, for a source of file in format, without type.
func runOnceOut(t *testing.T, file, format string) string {
	t.Helper()
	dir := t.TempDir()
	cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+filepath.Join(dir, "st")+"\nhostname: vm\nforward: {url: stdout}\ndetections: {enabled: false}\nsources:\n"+
		"  - {path: "+file+", format: "+format+", start_at: beginning}\n")
	r := runCmd(t, "--config", cfg, "--once")
	if r.err != nil {
		t.Fatalf("run --once: %v\n%s", r.err, r.stderr)
	}
	return r.stdout
}

// sentNoReadTime returns the messages sent with their TIMESTAMP replaced
// by TIME: a line of no event time, or sent raw, is dated when it is
// read, by send and by run; a parsed line's event time is in its
// STRUCTURED-DATA too.
func sentNoReadTime(out string) string {
	return regexp.MustCompile(`(?m)^(<\d+>1 )\S+ `).ReplaceAllString(out, "${1}TIME ")
}
