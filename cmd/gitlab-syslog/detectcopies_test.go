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

// TestDetectRepoDeletionEitherCopy: sentinel.repo_deletion dates a
// deletion by when GitLab recorded it (created_at), not by when it wrote
// the audit line (time, 7 ms later), so the file's lines and the streamed
// bodies of the same deletions give the same alert: the eleventh, recorded
// at 13:59:59.998 and written at 14:00:00.005, fell in the 14:00 bucket
// from the file and the 13:55 one from the stream, and the file alone
// raised no alert (fresh-user trial 276: run, which counts the copy read
// first, and detect gave different alerts).
func TestDetectRepoDeletionEitherCopy(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Date(2025, 6, 1, 13, 0, 10, 0, time.UTC)
	var file, stream strings.Builder
	for i := range 11 {
		created := t0.Add(time.Duration(i) * 5 * time.Minute)
		if i == 10 {
			created = time.Date(2025, 6, 1, 13, 59, 59, 998e6, time.UTC)
		}
		body := fmt.Sprintf(`"id":%d,"author_id":7,"entity_id":%d,"entity_type":"Project","details":{"event_name":"project_destroyed","author_name":"Eve","target_id":%d,"target_type":"Project","target_details":"acme/p%d","entity_path":"acme/p%d","remove":"project"},"author_name":"Eve","entity_path":"acme/p%d","target_details":"acme/p%d","created_at":%q,"target_type":"Project","target_id":%d`,
			9000+i, 900+i, 900+i, i, i, i, i, created.Format("2006-01-02T15:04:05.000Z"), 900+i)
		fmt.Fprintf(&file, `{"severity":"INFO","time":%q,%s,"event_name":"project_destroyed","remove":"project"}`+"\n", created.Add(7*time.Millisecond).Format("2006-01-02T15:04:05.000Z"), body)
		fmt.Fprintf(&stream, `{%s,"event_type":"project_destroyed"}`+"\n", body)
	}
	auditLog := writeFile(t, filepath.Join(dir, "audit_json.log"), file.String())
	events := writeFile(t, filepath.Join(dir, "events.log"), stream.String())
	alerts := func(input string) string {
		o := &detectOptions{rules: []string{"sentinel.repo_deletion"}, format: "json", now: func() time.Time { return detectedAt }}
		var stdout, stderr bytes.Buffer
		if err := runDetect(context.Background(), o, []string{input}, strings.NewReader(""), &stdout, &stderr); err != nil {
			t.Fatalf("detect %s: %v\n%s", input, err, stderr.String())
		}
		return stdout.String()
	}
	fromFile, fromStream := alerts(auditLog), alerts("stream:"+events)
	if strings.Count(fromFile, `"rule":"sentinel.repo_deletion"`) != 1 || !strings.Contains(fromFile, `"window_start":"2025-06-01T13:00:00Z"`) {
		t.Errorf("from the file: want one alert of the window from 13:00:\n%s", fromFile)
	}
	if alertIDOf(fromFile) != alertIDOf(fromStream) {
		t.Errorf("the file's and the stream's alerts differ:\n%s\n%s", fromFile, fromStream)
	}
}

// alertIDOf returns the quoted alert_id of the first alert of detect's
// output out, "" when it has none.
func alertIDOf(out string) string {
	_, rest, ok := strings.Cut(out, `"alert_id":`)
	if !ok {
		return ""
	}
	id, _, _ := strings.Cut(rest, ",")
	return id
}
