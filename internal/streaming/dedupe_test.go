package streaming

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Two repository_git_operation events of older GitLab versions (issue 10):
// their id is created_at in whole seconds, so different events in one
// second share it.
const (
	gitOpJane = `{"id":1653461355,"author_id":1,"entity_id":7,"entity_type":"Project","details":{"author_name":"Jane Roe","target_type":"Project","target_details":"tools/builder","custom_message":{"protocol":"http","action":"git-upload-pack"},"ip_address":"192.0.2.10","entity_path":"tools/builder"},"ip_address":"192.0.2.10","author_name":"Jane Roe","entity_path":"tools/builder","target_details":"tools/builder","created_at":"2022-05-25T06:49:15.213Z","target_type":"Project","target_id":7,"event_type":"repository_git_operation"}`
	gitOpBot  = `{"id":1653461355,"author_id":4,"entity_id":9,"entity_type":"Project","details":{"author_name":"ci-bot","target_type":"Project","target_details":"ops/vault","custom_message":{"protocol":"http","action":"git-upload-pack"},"ip_address":"198.51.100.77","entity_path":"ops/vault"},"ip_address":"198.51.100.77","author_name":"ci-bot","entity_path":"ops/vault","target_details":"ops/vault","created_at":"2022-05-25T06:49:15.871Z","target_type":"Project","target_id":9,"event_type":"repository_git_operation"}`
)

// TestSharedIDDifferentEvents posts the two events of issue 10 as GitLab
// does (form content type, token and event type headers) over a real
// socket: both must be spooled.
func TestSharedIDDifferentEvents(t *testing.T) {
	tr := start(t, Config{})
	for _, body := range []string{gitOpJane, gitOpBot} {
		req, err := http.NewRequest(http.MethodPost, tr.url, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set(TokenHeader, tokenA)
		req.Header.Set(EventTypeHeader, "repository_git_operation")
		resp, err := tr.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		answer, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK || string(answer) != "ok\n" {
			t.Fatalf("answer %d %q, want 200 \"ok\\n\"", resp.StatusCode, answer)
		}
	}
	lines := spoolLines(t, tr.SpoolPath())
	if len(lines) != 2 || lines[0] != gitOpJane || lines[1] != gitOpBot {
		t.Fatalf("spool holds %d lines, want both events in order:\n%s", len(lines), strings.Join(lines, "\n"))
	}
	if s := tr.Stats(); s.Accepted != 2 || s.Duplicates != 0 {
		t.Errorf("stats %+v, want 2 accepted and no duplicate", s)
	}
}

// TestSameEvent posts two bodies to a fresh receiver and checks whether the
// second is dropped as a repeat of the first, per the rule of eventKey.
func TestSameEvent(t *testing.T) {
	pretty := "{\n  \"id\": 7,\n  \"details\": {\"a\": 1}\n}"
	tests := []struct {
		name        string
		first, next string
		same        bool
	}{
		{"issue 10: one id, two created_at", gitOpJane, gitOpBot, false},
		{"redelivery", gitOpJane, gitOpJane, true},
		{"same id, type and created_at, other members differ",
			`{"id":5,"event_type":"user_created","created_at":"2024-01-02T03:04:05.678Z","author_id":1}`,
			`{"id":5,"event_type":"user_created","created_at":"2024-01-02T03:04:05.678Z","author_id":2,"extra":true}`, true},
		{"same id and created_at, another type",
			`{"id":5,"event_type":"user_created","created_at":"2024-01-02T03:04:05.678Z"}`,
			`{"id":5,"event_type":"user_blocked","created_at":"2024-01-02T03:04:05.678Z"}`, false},
		{"same instant written differently",
			`{"id":5,"event_type":"x","created_at":"2024-01-02T03:04:05.678Z"}`,
			`{"id":5,"event_type":"x","created_at":"2024-01-02T03:04:05.678+00:00"}`, false},
		{"escapes decoded before comparing", `{"id":5,"event_type":"x\u0041","created_at":"t\/1"}`, `{"id":5,"event_type":"xA","created_at":"t/1"}`, true},
		{"number id and string id", `{"id":1,"event_type":"x","created_at":"t"}`, `{"id":"1","event_type":"x","created_at":"t"}`, false},
		{"same UUID id",
			`{"id":"9b7c4f1e-3f0a-4d8e-a1b2-6c0d9e8f7a65","event_type":"x","created_at":"t"}`,
			`{"id":"9b7c4f1e-3f0a-4d8e-a1b2-6c0d9e8f7a65","event_type":"x","created_at":"t"}`, true},
		{"another UUID id",
			`{"id":"9b7c4f1e-3f0a-4d8e-a1b2-6c0d9e8f7a65","event_type":"x","created_at":"t"}`,
			`{"id":"9b7c4f1e-3f0a-4d8e-a1b2-6c0d9e8f7a66","event_type":"x","created_at":"t"}`, false},
		{"id only, identical bodies", `{"id":7,"details":{"a":1}}`, `{"id":7,"details":{"a":1}}`, true},
		{"id only, identical once compacted", pretty, `{"id":7,"details":{"a":1}}`, true},
		{"id only, bodies differ", `{"id":7,"details":{"a":1}}`, `{"id":7,"details":{"a":2}}`, false},
		{"id and type without created_at, bodies differ", `{"id":7,"event_type":"x","a":1}`, `{"id":7,"event_type":"x","a":2}`, false},
		{"no id, identical bodies", `{"event_type":"x","created_at":"t"}`, `{"event_type":"x","created_at":"t"}`, false},
		{"no id, bodies differ", `{"event_type":"x","a":1}`, `{"event_type":"x","a":2}`, false},
		{"null id, identical bodies", `{"id":null,"event_type":"x","created_at":"t"}`, `{"id":null,"event_type":"x","created_at":"t"}`, false},
		{"empty id, identical bodies", `{"id":"","event_type":"x","created_at":"t"}`, `{"id":"","event_type":"x","created_at":"t"}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := start(t, Config{})
			for _, b := range []string{tt.first, tt.next} {
				if code := tr.post(t, tokenA, formType, b); code != http.StatusOK {
					t.Fatalf("status %d", code)
				}
			}
			want := 2
			if tt.same {
				want = 1
			}
			if n := len(spoolLines(t, tr.SpoolPath())); n != want {
				t.Errorf("%d spool lines, want %d", n, want)
			}
			if s := tr.Stats(); s.Duplicates != uint64(2-want) {
				t.Errorf("Duplicates = %d, want %d", s.Duplicates, 2-want)
			}
		})
	}
}

// TestDedupeLogV1 starts a receiver on a dedupe log written by an older
// version (id only). Its ids must not be used, so an event whose id it
// holds is spooled, and the log is rewritten in the current format.
func TestDedupeLogV1(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, DedupeFile)
	old := "4102444800 1653461355\n4102444800 \"1\"\n"
	if err := os.WriteFile(path, []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	tr := start(t, Config{SpoolDir: dir})
	for _, b := range []string{gitOpBot, payloadDocs} {
		if code := tr.post(t, tokenA, formType, b); code != http.StatusOK {
			t.Fatalf("status %d", code)
		}
	}
	if s := tr.Stats(); s.Accepted != 2 || s.Duplicates != 0 {
		t.Errorf("stats %+v, want both events accepted", s)
	}
	tr.stop()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) != 3 || lines[0] != dedupeHeader {
		t.Fatalf("dedupe log %q, want the header and two keys", data)
	}
	for _, l := range lines[1:] {
		_, k, ok := strings.Cut(l, " ")
		if !ok || !validKey([]byte(k)) {
			t.Errorf("dedupe log line %q is not \"<unix> <key>\"", l)
		}
	}
	// And the new log is read back: both events are now repeats.
	tr2 := start(t, Config{SpoolDir: dir})
	for _, b := range []string{gitOpBot, payloadDocs} {
		tr2.post(t, tokenA, formType, b)
	}
	if s := tr2.Stats(); s.Duplicates != 2 || s.Accepted != 0 {
		t.Errorf("after restart: stats %+v, want 2 duplicates", s)
	}
}

// keyOf returns the dedupe key of body.
func keyOf(t testing.TB, body string) string {
	t.Helper()
	_, ev, err := normalize([]byte(body))
	if err != nil || ev.key == "" {
		t.Fatalf("normalize %q: key %q, err %v", body, ev.key, err)
	}
	return ev.key
}
