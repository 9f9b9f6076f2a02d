package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDetectLateBurstsSuppressed: with a lateness above the window (so
// older bursts are still folded), brute-force bursts read newest first
// give the alerts the same lines give in time order: a key's second
// burst 20 minutes after its first is suppressed, as in time order,
// instead of alerting because only the newest alert's quiet period was
// kept (fresh-user trial 245: 3 alerts out of order, 2 in order).
func TestDetectLateBurstsSuppressed(t *testing.T) {
	dir := t.TempDir()
	burst := func(b *strings.Builder, at time.Time, n int) {
		for i := range n {
			fmt.Fprintf(b, `{"severity":"INFO","time":%q,"correlation_id":"c%d","meta.caller_id":"SessionsController#create","meta.remote_ip":"45.33.32.156","message":"Failed Login: username=bob ip=45.33.32.156"}`+"\n",
				at.Add(time.Duration(i)*10*time.Second).Format("2006-01-02T15:04:05.000Z"), at.Unix()+int64(i))
		}
	}
	day := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	var late, sorted strings.Builder
	for _, h := range []time.Duration{12 * time.Hour, 8 * time.Hour, 8*time.Hour + 20*time.Minute} {
		burst(&late, day.Add(h), 11)
	}
	for _, h := range []time.Duration{8 * time.Hour, 8*time.Hour + 20*time.Minute, 12 * time.Hour} {
		burst(&sorted, day.Add(h), 11)
	}
	conf := writeFile(t, filepath.Join(dir, "late.yaml"), "detections:\n  lateness: 24h\n")
	run := func(name, content string) []string {
		t.Helper()
		file := writeFile(t, filepath.Join(dir, name), content)
		var out, errOut bytes.Buffer
		if err := runSendCollect(context.Background(), strings.NewReader(""), &out, &errOut, "detect", "--config", conf, "--rule", "sentinel.bruteforce", "application:"+file); err != nil {
			t.Fatalf("detect %s: %v\n%s", name, err, errOut.String())
		}
		var ids []string
		for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
			if l != "" {
				ids = append(ids, l[strings.Index(l, `"alert_id":`):][:46])
			}
		}
		return ids
	}
	inOrder, outOfOrder := run("sorted.log", sorted.String()), run("late.log", late.String())
	if len(inOrder) != 2 {
		t.Fatalf("%d alerts in time order, want 2 (08:00 and 12:00; 08:20 suppressed): %v", len(inOrder), inOrder)
	}
	if len(outOfOrder) != 2 || !(outOfOrder[0] == inOrder[1] && outOfOrder[1] == inOrder[0]) {
		t.Errorf("newest burst first: alerts %v, want those of time order %v (newest first)", outOfOrder, inOrder)
	}
}
