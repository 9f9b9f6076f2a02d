package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestSendContainerOrder: the copies of one container log given out of
// rotation order (a shell glob, 0.log*, puts 0.log first) are read oldest
// first, with a note, so that a line split across two of them is sent
// whole (fresh-user trial 280: its rest dropped, its first parts sent raw
// as unfinished). Copies named otherwise than the kubelet names them keep
// the order given.
func TestSendContainerOrder(t *testing.T) {
	env := fmt.Sprintf(`{"date":"2026-12-07T10:00:02.000Z","component": "gitlab","subcomponent":"audit_json","level":"info","file":"/var/log/gitlab/audit_json.log","message":%s}`,
		`{"severity":"INFO","time":"2026-12-07T10:00:02.000Z","author_id":1,"author_name":"A","entity_id":2,"entity_type":"User","target_details":"N2E"}`)
	cut := len(env) / 2
	for _, tc := range []struct {
		name, copy string
		whole      bool
	}{
		{"kubelet's copy", "0.log.20261207-100002", true},
		{"kubelet's compressed copy", "0.log.20261207-100002.gz", true},
		{"another name", "0.log.old", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "pods", "gitlab_a-1_u", "c")
			log := writeFile(t, filepath.Join(dir, "0.log"), "2026-12-07T10:00:02.000000000Z stdout F "+env[cut:]+"\n")
			copyPath := writeCopy(t, filepath.Join(dir, tc.copy), "2026-12-07T10:00:02.000000000Z stdout P "+env[:cut]+"\n")
			var stdout, stderr bytes.Buffer
			if err := runSendCollect(context.Background(), strings.NewReader(""), &stdout, &stderr, "send", "--format", "cri", "--to", "stdout", log, copyPath); err != nil {
				t.Fatalf("send: %v\n%s", err, stderr.String())
			}
			whole := strings.Count(stdout.String(), "\n") == 1 && strings.Contains(stdout.String(), `TargetDetails="N2E"`)
			noted := strings.Contains(stderr.String(), "send: the copies of "+filepath.Join(dir, "0.log")+" were given out of rotation order; they are read oldest first, so that a line's parts join from one into the next: "+copyPath+", "+log+"\n")
			if whole != tc.whole || noted != tc.whole {
				t.Errorf("sent whole %v, noted %v; want %v:\n%s\n%s", whole, noted, tc.whole, stdout.String(), stderr.String())
			}
		})
	}
}
