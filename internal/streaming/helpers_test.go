package streaming

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	tokenA = "4pQbN8xJr2sVwT6yKz3LmC1d" // 24 characters, like a generated token
	tokenB = "group-dest-token-0123456"
)

// Verbatim Audit Event Streaming payloads: GitLab merge request 88509's
// example, the GitLab documentation's example, and a Falco-style test
// message.
const (
	payloadMR88509 = `{"id":1653461355,"author_id":1,"entity_id":6,"entity_type":"Project","details":{"author_name":"Administrator","target_id":6,"target_type":"Project","target_details":"Flight","custom_message":{"protocol":"ssh","action":"git-upload-pack"},"ip_address":"127.0.0.1","entity_path":"flightjs/Flight"},"ip_address":"127.0.0.1","author_name":"Administrator","entity_path":"flightjs/Flight","target_details":"Flight","created_at":"2022-05-25T06:49:15.213Z","target_type":"Project","target_id":6,"event_type":"repository_git_operation"}`
	payloadDocs    = `{"id":"1","author_id":-3,"entity_id":29,"entity_type":"Project","details":{"author_name":"deploy-key-name","author_class":"DeployKey","target_id":29,"target_type":"Project","target_details":"example-project","custom_message":{"protocol":"ssh","action":"git-upload-pack"},"ip_address":"127.0.0.1","entity_path":"example-group/example-project"},"ip_address":"127.0.0.1","author_name":"deploy-key-name","entity_path":"example-group/example-project","target_details":"example-project","created_at":"2022-07-26T05:43:53.662Z","target_type":"Project","target_id":29,"event_type":"repository_git_operation"}`
	// Falco-style test message: string UUID id, object custom_message,
	// pretty-printed as the plugin's test files are.
	payloadFalco = `{
  "id": "9b7c4f1e-3f0a-4d8e-a1b2-6c0d9e8f7a65",
  "author_id": 2,
  "entity_id": 7,
  "entity_type": "Project",
  "details": {
    "author_name": "Jane Doe",
    "author_class": "User",
    "target_id": 7,
    "target_type": "Project",
    "target_details": "secret-project",
    "custom_message": {"protocol": "web", "action": "git-receive-pack"},
    "ip_address": "81.2.69.142",
    "entity_path": "acme/secret-project"
  },
  "ip_address": "81.2.69.142",
  "created_at": "2024-03-01T10:11:12.000Z",
  "event_type": "repository_git_operation"
}`
)

type testReceiver struct {
	*Receiver
	url    string
	client *http.Client
	stop   func() // cancels Run and waits for it
}

// start creates and runs a Receiver on 127.0.0.1 with cfg (Listen, SpoolDir
// and Tokens filled in when empty). setup functions run before Run.
func start(t testing.TB, cfg Config, setup ...func(*Receiver)) *testReceiver {
	t.Helper()
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:0"
	}
	if cfg.SpoolDir == "" {
		cfg.SpoolDir = t.TempDir()
	}
	if cfg.Tokens == nil && cfg.TokenFile == "" && cfg.TokenEnv == "" {
		cfg.Tokens = []string{tokenA}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range setup {
		f(r)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(ShutdownTimeout + 5*time.Second):
			t.Fatal("Run did not return after cancel")
		}
	}
	t.Cleanup(stop)
	scheme := "http"
	if cfg.TLS.CertFile != "" {
		scheme = "https"
	}
	return &testReceiver{
		Receiver: r,
		url:      scheme + "://" + r.Addr().String() + r.path,
		client:   &http.Client{Timeout: 10 * time.Second},
		stop:     stop,
	}
}

// post sends body with the given token ("" for none) and content type and
// returns the status code.
func (tr *testReceiver) post(t testing.TB, token, contentType, body string) int {
	t.Helper()
	return tr.do(t, http.MethodPost, tr.url, token, contentType, body)
}

func (tr *testReceiver) do(t testing.TB, method, url, token, contentType, body string) int {
	t.Helper()
	code, _ := tr.doAnswer(t, method, url, token, contentType, body)
	return code
}

// postAnswer is post that also returns the answer's body.
func (tr *testReceiver) postAnswer(t testing.TB, token, contentType, body string) (int, string) {
	t.Helper()
	return tr.doAnswer(t, http.MethodPost, tr.url, token, contentType, body)
}

func (tr *testReceiver) doAnswer(t testing.TB, method, url, token, contentType, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set(TokenHeader, token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set(EventTypeHeader, "repository_git_operation")
	resp, err := tr.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	answer, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatalf("%s %s: read the answer: %v", method, url, err)
	}
	return resp.StatusCode, string(answer)
}

// spoolLines returns the lines of the spool file.
func spoolLines(t testing.TB, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) == 0 {
		return nil
	}
	if data[len(data)-1] != '\n' {
		t.Fatalf("spool %s does not end in a newline: %q", path, data)
	}
	return strings.Split(string(data[:len(data)-1]), "\n")
}

// decode parses JSON keeping numbers exact.
func decode(t testing.TB, s string) any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("decode %q: %v", s, err)
	}
	return v
}

// sameJSON fails unless got and want hold the same JSON value.
func sameJSON(t testing.TB, got, want string) {
	t.Helper()
	if g, w := decode(t, got), decode(t, want); !reflect.DeepEqual(g, w) {
		t.Errorf("JSON differs:\n got %s\nwant %s", got, want)
	}
}

// compact returns s compacted, as the spool holds it.
func compact(t testing.TB, s string) string {
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(s)); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// testClock is a clock a test sets, for Receiver.now: safe for the
// server goroutines that read it.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *testClock) advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }
