package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestFirstStartOlderCopies: at its first start with a file (no
// checkpoint), run says which rotated copies beside it it does not read,
// and the send command that sends them, oldest first; a later start, from
// the checkpoint, says nothing (fresh-user trial 144, item 9: the copies
// were skipped silently).
func TestFirstStartOlderCopies(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile(filepath.Join(samples, "audit_json.log"))
	if err != nil {
		t.Fatal(err)
	}
	log := writeFile(t, filepath.Join(dir, "l", "audit_json.log"), string(data))
	one := writeFile(t, log+".1", string(data))
	gz, err := gzipBytes(data)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, log+".2.gz", string(gz))
	cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+filepath.Join(dir, "st")+"\nforward: {url: stdout}\ndetections: {enabled: false}\nsources:\n"+
		"  - {type: audit, path: "+log+"}\n")
	older := func() []map[string]any {
		r := runCmd(t, "--config", cfg, "--once")
		if r.err != nil {
			t.Fatalf("run --once: %v\n%s", r.err, r.stderr)
		}
		var got []map[string]any
		for _, l := range r.logs {
			if strings.HasPrefix(l["msg"].(string), "rotated copies older than this first start are not read") {
				got = append(got, l)
			}
		}
		return got
	}
	got := older()
	if len(got) != 1 {
		t.Fatalf("first start: %d notes of older copies, want 1", len(got))
	}
	if c := got[0]["copies"]; c != one+", "+log+".2.gz" {
		t.Errorf("copies %q", c)
	}
	if s, _ := got[0]["send"].(string); !strings.HasPrefix(s, "gitlab-syslog send --type audit --to URL -- "+log+".2.gz "+one+" ") {
		t.Errorf("send %q: want the copies oldest first", s)
	}
	if got := older(); len(got) != 0 {
		t.Errorf("a start from the checkpoint: %v, want no note", got)
	}
}

// TestFirstStartOlderContainerCopies: for a glob of container logs (no
// type, format cri), the send command of the first start's note has
// --type auto and --format cri, and running it sends the GitLab lines of
// the copies, unwrapped from their CRI records and gitlab-logger
// envelopes, a line split into parts across two copies joined (fresh-user
// trial 274: "--type  --to", and send could not unwrap the records).
func TestFirstStartOlderContainerCopies(t *testing.T) {
	dir := t.TempDir()
	line := func(n int) string {
		return fmt.Sprintf(`{"severity":"INFO","time":"2026-12-07T10:00:%02d.000Z","author_id":1,"author_name":"Admin","entity_id":%d,"entity_type":"Project","target_details":"N%dE"}`, n, n, n)
	}
	record := func(n int) string {
		env := fmt.Sprintf(`{"date":"2026-12-07T10:00:%02d.000Z","component": "gitlab","subcomponent":"audit_json","level":"info","file":"/var/log/gitlab/audit_json.log","message":%s}`, n, line(n))
		return fmt.Sprintf("2026-12-07T10:00:%02d.000000000Z stdout F %s\n", n, env)
	}
	split := record(3) // its parts: the first at the end of the older copy
	cut := len(split) / 2
	head := strings.Replace(split[:cut], " stdout F ", " stdout P ", 1) + "\n"
	tail := split[:31] + "stdout F " + split[cut:]
	logDir := filepath.Join(dir, "pods", "gitlab_webservice-1_uid", "webservice")
	log := writeFile(t, filepath.Join(logDir, "0.log"), record(5))
	older := record(1) + record(2) + head
	gz, err := gzipBytes([]byte(older))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, log+".20261207-100002.gz", string(gz))
	writeFile(t, log+".20261207-100004", tail+record(4))
	cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+filepath.Join(dir, "st")+"\nforward: {url: stdout}\ndetections: {enabled: false}\nsources:\n"+
		"  - {path: "+filepath.Join(dir, "pods", "*", "*", "*.log")+", format: cri}\n")
	r := runCmd(t, "--config", cfg, "--once")
	if r.err != nil {
		t.Fatalf("run --once: %v\n%s", r.err, r.stderr)
	}
	cmd := olderSendCommand(r)
	want := "gitlab-syslog send --type auto --format cri --to URL -- " + log + ".20261207-100002.gz " + log + ".20261207-100004 "
	if !strings.HasPrefix(cmd, want) {
		t.Fatalf("send %q, want it to begin %q; log:\n%s", cmd, want, r.stderr)
	}
	args := strings.Fields(strings.TrimPrefix(cmd[:len(want)], "gitlab-syslog "))
	args[slices.Index(args, "URL")] = "stdout"
	var stdout, stderr bytes.Buffer
	if err := runSendCollect(context.Background(), strings.NewReader(""), &stdout, &stderr, args...); err != nil {
		t.Fatalf("%s: %v\n%s", cmd, err, stderr.String())
	}
	var got []string
	for _, m := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		if !strings.Contains(m, ` GitLab-Audit-Logs - audit [kubernetes@32473 Namespace="gitlab" Pod="webservice-1" Container="webservice"][gitlab@32473 `) {
			t.Errorf("not an audit message with its pod's kubernetes@ element and its columns: %s", m)
		}
		got = append(got, m[strings.Index(m, "] {")+2:])
	}
	if wantLines := []string{line(1), line(2), line(3), line(4)}; !slices.Equal(got, wantLines) {
		t.Errorf("send sent\n%s\nwant\n%s\nstderr:\n%s", strings.Join(got, "\n"), strings.Join(wantLines, "\n"), stderr.String())
	}
}

// TestFirstStartTailOfOlderCopy: at a first start, a container log whose
// first record is the last part of a line whose first parts end the
// newest rotated copy (which a first start does not read) sends that rest
// of the line raw under the APP-NAME of the line's log, with a warning
// that says why, and the send command the log prints sends the first
// parts: the line reaches the collector in two raw pieces instead of
// losing its end as a line no gitlab-logger wrapped (fresh-user trial
// 278), also when the newest copy is compressed and when the source has a
// type, whose parser the rest would fail (trial 280).
func TestFirstStartTailOfOlderCopy(t *testing.T) {
	for _, tc := range []struct {
		name, source string
		gz           bool
	}{
		{"plain copy", "format: cri", false},
		{"compressed copy", "format: cri", true},
		{"typed source", "type: audit, format: cri", false},
	} {
		t.Run(tc.name, func(t *testing.T) { testFirstStartTailOfOlderCopy(t, tc.source, tc.gz) })
	}
}

func testFirstStartTailOfOlderCopy(t *testing.T, source string, gz bool) {
	dir := t.TempDir()
	line := func(n int) string {
		return fmt.Sprintf(`{"severity":"INFO","time":"2026-12-07T10:00:%02d.000Z","author_id":1,"author_name":"Admin","entity_id":%d,"entity_type":"Project","target_details":"N%dE"}`, n, n, n)
	}
	envelope := func(n int) string {
		return fmt.Sprintf(`{"date":"2026-12-07T10:00:%02d.000Z","component": "gitlab","subcomponent":"audit_json","level":"info","file":"/var/log/gitlab/audit_json.log","message":%s}`, n, line(n))
	}
	split := envelope(3)
	cut := len(split) / 2
	logDir := filepath.Join(dir, "pods", "gitlab_webservice-1_uid", "webservice")
	log := writeFile(t, filepath.Join(logDir, "0.log"), "2026-12-07T10:00:03.000000000Z stdout F "+split[cut:]+"\n"+
		"2026-12-07T10:00:04.000000000Z stdout F "+envelope(4)+"\n")
	older := "2026-12-07T10:00:02.000000000Z stdout F " + envelope(2) + "\n" +
		"2026-12-07T10:00:03.000000000Z stdout P " + split[:cut] + "\n"
	if gz {
		z, err := gzipBytes([]byte(older))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, log+".20261207-100002.gz", string(z))
	} else {
		writeFile(t, log+".20261207-100002", older)
	}
	cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+filepath.Join(dir, "st")+"\nforward: {url: stdout}\ndetections: {enabled: false}\nsources:\n"+
		"  - {path: "+filepath.Join(dir, "pods", "*", "*", "*.log")+", "+source+"}\n")
	r := runCmd(t, "--config", cfg, "--once")
	if r.err != nil {
		t.Fatalf("run --once: %v\n%s", r.err, r.stderr)
	}
	msgs := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(msgs) != 2 || !strings.Contains(msgs[0], " GitLab-Audit-Logs ") || !strings.HasSuffix(msgs[0], " "+split[cut:]) ||
		!strings.HasSuffix(msgs[1], "] "+line(4)) {
		t.Fatalf("run sent\n%s\nwant the rest of line 3 raw under GitLab-Audit-Logs, then line 4; log:\n%s", r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "the file begins with the last part of a line whose first parts end its newest rotated copy") {
		t.Errorf("want the rest's warning; log:\n%s", r.stderr)
	}
}

// TestFirstStartOlderCopiesSendFlags: the send command a first start logs
// for the copies it does not read carries the settings that make run's
// messages what they are, so that the backfill is sent as run would have
// sent it: the source's other_subcomponents: forward, the hostname and
// forward's facility and sd_id (fresh-user trial 280: a backfill under
// another host, facility and SD-ID, its stderr parts dropped).
func TestFirstStartOlderCopiesSendFlags(t *testing.T) {
	dir := t.TempDir()
	logDir := filepath.Join(dir, "pods", "gitlab_webservice-1_uid", "webservice")
	log := writeFile(t, filepath.Join(logDir, "0.log"), "2026-12-07T10:00:04.000000000Z stdout F x\n")
	writeFile(t, log+".20261207-100002", "2026-12-07T10:00:02.000000000Z stdout F y\n")
	cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+filepath.Join(dir, "st")+"\nhostname: node-1\n"+
		"forward: {url: stdout, facility: local3, sd_id: \"gl@99999\"}\ndetections: {enabled: false}\nsources:\n"+
		"  - {path: "+filepath.Join(dir, "pods", "*", "*", "*.log")+", format: cri, other_subcomponents: forward}\n")
	r := runCmd(t, "--config", cfg, "--once")
	if r.err != nil {
		t.Fatalf("run --once: %v\n%s", r.err, r.stderr)
	}
	cmd := olderSendCommand(r)
	if want := "gitlab-syslog send --type auto --format cri --other-subcomponents forward --hostname node-1 --facility local3 --sd-id gl@99999 --to URL -- " + log + ".20261207-100002 "; !strings.HasPrefix(cmd, want) {
		t.Errorf("send %q, want it to begin %q", cmd, want)
	}
}

// olderSendCommand returns the send command of the note of run's first
// start about the rotated copies it does not read; "" when none.
func olderSendCommand(r runResult) string {
	var cmd string
	for _, l := range r.logs {
		if strings.HasPrefix(l["msg"].(string), "rotated copies older than this first start are not read") {
			cmd, _ = l["send"].(string)
		}
	}
	return cmd
}
