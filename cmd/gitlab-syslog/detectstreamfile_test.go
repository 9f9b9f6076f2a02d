package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/gziptest"
)

// TestDetectStreamOfFileLines: a file of audit_json.log lines given as
// stream: is refused before anything is read, saying to give it as audit:
// (also gzipped, after lines of white space, NUL bytes and byte order
// marks, after byte order marks, and after a stream body: most of its
// first lines decide); read as stream bodies, a kept --state-dir knew its events
// by id, and the run that gave it as audit: next raised its alerts again
// (fresh-user trial 237). On standard input, whose lines cannot be looked
// at first, the summary warns instead, also of what a kept --state-dir
// then does (trial 238). Real stream bodies are read.
func TestDetectStreamOfFileLines(t *testing.T) {
	audit := filepath.Join("..", "..", "testdata", "audit_json.log")
	lines, err := os.ReadFile(audit)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	padded := writeFile(t, filepath.Join(dir, "padded.log"), "\n  \n"+string(lines))
	bom := writeFile(t, filepath.Join(dir, "bom.log"), "\xef\xbb\xbf"+string(lines))                           // trial 241
	boms := writeFile(t, filepath.Join(dir, "boms.log"), "\xef\xbb\xbf\xef\xbb\xbf"+string(lines))             // trial 242
	nuls := writeFile(t, filepath.Join(dir, "nuls.log"), "\x00\x00\x00\n"+string(lines))                       // trial 242
	bomNULs := writeFile(t, filepath.Join(dir, "bomnuls.log"), "\xef\xbb\xbf\x00\x00\n \x00 \n"+string(lines)) // trial 243
	gz := writeFile(t, filepath.Join(dir, "audit.log.gz"), string(gziptest.Compress(t, lines)))
	rules := []string{"falco.pat_created", "sentinel.repo_public"}
	body, err := os.ReadFile(filepath.Join("..", "..", "testdata", "detections", "falco.pat_created", "events.log"))
	if err != nil {
		t.Fatal(err)
	}
	mixed := writeFile(t, filepath.Join(dir, "mixed.log"), string(body)+string(lines)) // trial 244: a stream body first
	for _, path := range []string{audit, padded, bom, boms, nuls, bomNULs, gz, mixed} {
		var stdout, stderr bytes.Buffer
		o := keptDirOptions(rules[0], t.TempDir())
		o.rules = rules
		err := runDetect(context.Background(), o, []string{"stream:" + path}, strings.NewReader(""), &stdout, &stderr)
		head := path + ": given as stream:, for Audit Event Streaming bodies, but "
		tail := " lines are GitLab's audit_json.log lines (they begin {\"severity\":): give audit:" + path
		if err == nil || !strings.Contains(err.Error(), head) || !strings.Contains(err.Error(), tail) {
			t.Errorf("stream:%s: err %v, want %q ... %q", path, err, head, tail)
		}
		if stdout.Len() != 0 {
			t.Errorf("stream:%s: alerts printed before the refusal:\n%s", path, stdout.String())
		}
	}

	state := t.TempDir()
	var stdout, stderr bytes.Buffer
	o := keptDirOptions(rules[0], state)
	o.rules = rules
	if err := runDetect(context.Background(), o, []string{"stream:-"}, bytes.NewReader(lines), &stdout, &stderr); err != nil {
		t.Fatalf("stream:- : %v\n%s", err, stderr.String())
	}
	for _, want := range []string{"look like audit lines but were read as Audit Event Streaming events",
		"--state-dir " + state + " now holds their events as streamed ones, known by their ids: a later run with it that reads these lines as audit: raises their alerts again"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stream:- of audit_json.log lines: no warning %q:\n%s", want, stderr.String())
		}
	}

	stream := writeFile(t, filepath.Join(dir, "events.ndjson"), `{"id":7,"author_id":1,"entity_id":29,"entity_type":"Project","details":{"change":"visibility","from":"Private","to":"Public","author_name":"root"},"created_at":"2024-06-10T09:00:00.000Z","event_type":"project_visibility_level_updated"}`+"\n")
	alerts, summary := detectRules(t, t.TempDir(), rules, "stream:"+stream)
	if len(alerts) != 1 || strings.Contains(summary, "look like") {
		t.Errorf("stream:%s: %d alerts, want 1, and no look-alike warning:\n%s", stream, len(alerts), summary)
	}
}
