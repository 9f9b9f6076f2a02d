package agent

import (
	"bytes"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
)

// TestStreamingBatchForwarded posts the agent's receiver a batch as
// GitLab's batched delivery does (a pretty-printed JSON array of event
// bodies, without the X-Gitlab-Audit-Event-Type header; GitLab merge
// request 249861), after a single event that the batch repeats: each new
// element is forwarded as its own audit message, in array order, with its
// body compacted as MSG and its parsed columns, and the repeat is not
// forwarded again. Before, the receiver answered 400 and every event of
// the batch was lost.
func TestStreamingBatchForwarded(t *testing.T) {
	single := `{"id":7001,"author_id":1,"entity_id":7,"entity_type":"Project","details":{"author_name":"Jane Roe","target_type":"Project","target_details":"tools/builder"},"author_name":"Jane Roe","entity_path":"tools/builder","created_at":"2026-12-01T06:49:15.213Z","target_type":"Project","target_id":7,"event_type":"project_feature_updated"}`
	second := `{"id":7002,"author_id":4,"entity_id":9,"entity_type":"Project","details":{"author_name":"ci-bot","target_type":"Project","target_details":"ops/vault"},"author_name":"ci-bot","entity_path":"ops/vault","created_at":"2026-12-01T06:49:16.000Z","target_type":"Project","target_id":9,"event_type":"repository_git_operation"}`
	thirdPretty := `{
    "id": "5d0b7c5e-2f6a-4b8e-9c1d-0e2f3a4b5c6d",
    "author_id": 2,
    "entity_id": 3,
    "entity_type": "Group",
    "details": {"author_name": "Ann Admin", "custom_message": "line one\nline two"},
    "author_name": "Ann Admin",
    "entity_path": "acme",
    "created_at": "2026-12-01T06:49:17.500Z",
    "event_type": "group_created"
  }`
	third := `{"id":"5d0b7c5e-2f6a-4b8e-9c1d-0e2f3a4b5c6d","author_id":2,"entity_id":3,"entity_type":"Group","details":{"author_name":"Ann Admin","custom_message":"line one\nline two"},"author_name":"Ann Admin","entity_path":"acme","created_at":"2026-12-01T06:49:17.500Z","event_type":"group_created"}`
	url, got, _ := startStreamingAgent(t, config.Streaming{})
	const token = streamingToken

	post := func(body string) (string, error) {
		return postStreaming(url, token, body, "Content-Type", "application/json")
	}
	var answer string
	var err error
	waitFor(t, "the streaming receiver", 10*time.Second, func() bool {
		answer, err = post(single)
		return err == nil
	})
	if answer != "200 OK ok\n" {
		t.Fatalf("single event answered %q", answer)
	}
	batch := "[\n  " + second + ",\n  " + single + ",\n  " + thirdPretty + "\n]\n"
	if answer, err = post(batch); err != nil || answer != "200 OK ok: 2 spooled, 1 duplicate\n" {
		t.Fatalf("batch answered %q (%v), want 200 with 2 spooled, 1 duplicate", answer, err)
	}
	want := []struct{ msg, sd string }{
		{single, `AuthorName="Jane Roe"`},
		{second, `AuthorName="ci-bot"`},
		{third, `AuthorName="Ann Admin"`},
	}
	ms := got.wait(t, len(want))
	if len(ms) != len(want) {
		t.Fatalf("%d messages forwarded, want %d", len(ms), len(want))
	}
	for i, m := range ms {
		if string(m.Msg) != want[i].msg || string(m.AppName) != config.AppNameAudit || !bytes.Contains(m.SD, []byte(want[i].sd)) {
			t.Errorf("message %d: APP-NAME %q MSG %q SD %q, want MSG %q with %s", i, m.AppName, m.Msg, m.SD, want[i].msg, want[i].sd)
		}
	}
	time.Sleep(500 * time.Millisecond)
	got.mu.Lock()
	n := len(got.msgs)
	got.mu.Unlock()
	if n != len(want) {
		t.Errorf("%d messages forwarded, want %d: the repeat was forwarded again", n, len(want))
	}
}
