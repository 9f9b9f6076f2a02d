package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestSendRestOfCopy: a container log given without the copy whose last
// records are the first parts of the line it begins with (the kubelet's
// copy, in its directory, not given; or a copy named otherwise given
// after it, out of order) has the rest of that line sent raw under the
// APP-NAME of the line's log, as run's first start sends it, with a
// warning naming the input, the copy and how to send the line whole;
// before, the rest was dropped as a line no gitlab-logger wrapped
// (fresh-user trial 281). A copy not given that ends in a complete line
// leaves the first line as it is: dropped, as run drops it.
func TestSendRestOfCopy(t *testing.T) {
	audit := func(n int) string {
		return fmt.Sprintf(`{"severity":"INFO","time":"2026-12-07T10:00:%02d.000Z","author_id":1,"author_name":"A","entity_id":%d,"entity_type":"User","target_details":"N%dE"}`, n, n, n)
	}
	env := func(n int) string {
		return fmt.Sprintf(`{"date":"2026-12-07T10:00:%02d.000Z","component": "gitlab","subcomponent":"audit_json","level":"info","file":"/var/log/gitlab/audit_json.log","message":%s}`, n, audit(n))
	}
	rec := func(tag, text string) string {
		return "2026-12-07T10:00:02.000000000Z stdout " + tag + " " + text + "\n"
	}
	split := env(2)
	cut, cut2 := len(split)/3, 2*len(split)/3
	for _, tc := range []struct {
		name      string
		copy      string // the copy that holds line 2's first parts
		copyData  string
		log       string // 0.log's records
		given     []string
		typ, rest string // --type; line 2's rest, "" when it is dropped
		note      string // the warning; COPY and LOG are the paths
		asRun     bool   // send sends what run's first start sends
	}{
		{"kubelet's copy not given", "0.log.20261207-100002", rec("F", env(1)) + rec("P", split[:cut2]), rec("F", split[cut2:]) + rec("F", env(3)),
			[]string{"0.log"}, "auto", split[cut2:],
			"send: WARNING: LOG:1 begins with the rest of a line whose first parts end COPY, an earlier copy of the log not given: the rest was sent raw, as run sends such a rest; give that copy first (COPY LOG) to send the line whole\n", true},
		{"compressed copy not given: rest in two parts", "0.log.20261207-100002.gz", rec("F", env(1)) + rec("P", split[:cut]), rec("P", split[cut:cut2]) + rec("F", split[cut2:]) + rec("F", env(3)),
			[]string{"0.log"}, "auto", split[cut:], "LOG:1 begins with the rest of a line whose first parts end COPY, an earlier copy of the log not given", true},
		{"--type audit", "0.log.20261207-100002", rec("P", split[:cut2]), rec("F", split[cut2:]) + rec("F", env(3)),
			[]string{"0.log"}, "audit", split[cut2:], "LOG:1 begins with the rest of a line", true},
		{"copy named otherwise given after", "0.log.old", rec("F", env(1)) + rec("P", split[:cut2]), rec("F", split[cut2:]) + rec("F", env(3)),
			[]string{"0.log", "0.log.old"}, "auto", split[cut2:],
			"send: WARNING: LOG:1 begins with the rest of a line whose first parts may end COPY, given after it: the copies of the log may be out of order (COPY is not named as the kubelet names its copies, so its place is not known); the rest was sent raw, as run sends such a rest, and the first parts, unfinished, raw too: give the copies oldest first (COPY before LOG) to send the line whole\n", false},
		{"copy not given ends in a complete line", "0.log.20261207-100002", rec("F", env(1)), rec("F", "a line of no gitlab-logger") + rec("F", env(3)),
			[]string{"0.log"}, "auto", "", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			logDir := filepath.Join(dir, "pods", "gitlab_webservice-1_uid", "webservice")
			log := writeFile(t, filepath.Join(logDir, "0.log"), tc.log)
			copyPath := writeCopy(t, filepath.Join(logDir, tc.copy), tc.copyData)
			args := []string{"send", "--format", "cri", "--type", tc.typ, "--hostname", "vm", "--to", "stdout"}
			for _, g := range tc.given {
				args = append(args, filepath.Join(logDir, g))
			}
			var stdout, stderr bytes.Buffer
			if err := runSendCollect(context.Background(), strings.NewReader(""), &stdout, &stderr, args...); err != nil {
				t.Fatalf("send: %v\n%s", err, stderr.String())
			}
			out := stdout.String()
			if tc.rest != "" && !strings.Contains(out, ` GitLab-Audit-Logs - audit [kubernetes@32473 Namespace="gitlab" Pod="webservice-1" Container="webservice"] `+tc.rest+"\n") || !strings.Contains(out, `TargetDetails="N3E"`) {
				t.Errorf("sent\n%s\nwant line 2's rest %q raw under GitLab-Audit-Logs, and line 3", out, tc.rest)
			}
			if tc.rest == "" && (strings.Count(out, "\n") != 1 || !strings.Contains(stderr.String(), "1 container log line of no GitLab log dropped")) {
				t.Errorf("sent\n%s\nwant only line 3, the line of no gitlab-logger dropped:\n%s", out, stderr.String())
			}
			note := strings.NewReplacer("COPY", copyPath, "LOG", log).Replace(tc.note)
			if note != "" && !strings.Contains(stderr.String(), note) || note == "" && strings.Contains(stderr.String(), "begins with the rest") {
				t.Errorf("want the note %q in:\n%s", note, stderr.String())
			}
			if strings.Contains(stderr.String(), "dropped") != (tc.rest == "") {
				t.Errorf("want a line dropped only when there is no rest:\n%s", stderr.String())
			}
			if !tc.asRun {
				return
			}
			source := "format: cri"
			if tc.typ != "auto" {
				source += ", type: " + tc.typ
			}
			cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+filepath.Join(dir, "st")+"\nhostname: vm\nforward: {url: stdout}\ndetections: {enabled: false}\nsources:\n"+
				"  - {path: "+filepath.Join(dir, "pods", "*", "*", "*.log")+", "+source+"}\n")
			r := runCmd(t, "--config", cfg, "--once")
			if r.err != nil {
				t.Fatalf("run --once: %v\n%s", r.err, r.stderr)
			}
			if got, want := sentNoReadTime(out), sentNoReadTime(r.stdout); got != want {
				t.Errorf("send sent\n%s\nrun's first start sent\n%s", got, want)
			}
		})
	}
}
