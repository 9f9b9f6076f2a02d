package streaming

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

const (
	formType = "application/x-www-form-urlencoded"
	jsonType = "application/json"
)

func TestPostContentTypes(t *testing.T) {
	payloads := map[string]string{"MR88509": payloadMR88509, "docs": payloadDocs, "falco": payloadFalco}
	for _, ct := range []string{formType, jsonType, "", "text/plain; charset=utf-8"} {
		for name, p := range payloads {
			t.Run(ct+"/"+name, func(t *testing.T) {
				tr := start(t, Config{})
				if code := tr.post(t, tokenA, ct, p); code != http.StatusOK {
					t.Fatalf("status %d, want 200", code)
				}
				lines := spoolLines(t, tr.SpoolPath()) // read right after the ack, before any shutdown
				if len(lines) != 1 {
					t.Fatalf("spool has %d lines, want 1: %q", len(lines), lines)
				}
				if lines[0] != compact(t, p) {
					t.Errorf("spooled %s\nwant     %s", lines[0], compact(t, p))
				}
				sameJSON(t, lines[0], p)
				if s := tr.Stats(); s.Accepted != 1 || s.Syncs < 1 {
					t.Errorf("stats %+v", s)
				}
			})
		}
	}
}

// TestSpecialCharacters checks that characters form decoding would mangle
// reach the spool unchanged.
func TestSpecialCharacters(t *testing.T) {
	body := `{"id":42,"event_type":"ci_variable_updated","details":{"custom_message":"a=b&c=d+e %2B f%20g","target_details":"x+y=z & 100% \u00e9 \"q\" \\ /","from":"1+1=2","to":"50%&more","change":"é 日本 🙂"}}`
	for _, ct := range []string{formType, jsonType} {
		t.Run(ct, func(t *testing.T) {
			tr := start(t, Config{})
			if code := tr.post(t, tokenA, ct, body); code != http.StatusOK {
				t.Fatalf("status %d", code)
			}
			lines := spoolLines(t, tr.SpoolPath())
			if len(lines) != 1 {
				t.Fatalf("%d lines", len(lines))
			}
			if lines[0] != body { // already compact: byte for byte
				t.Errorf("spooled %s\nwant    %s", lines[0], body)
			}
			sameJSON(t, lines[0], body)
			// What a form decoder would have made of it, for contrast.
			if v, err := url.ParseQuery(body); err == nil && len(v) == 1 {
				t.Errorf("form decoding unexpectedly kept the body whole")
			}
		})
	}
}

func TestAuth(t *testing.T) {
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "tokens")
	// UTF-8 byte order marks (two: a file saved twice by an editor that adds
	// one) and CRLF line ends, as Windows editors write.
	if err := os.WriteFile(tokenFile, []byte("\xef\xbb\xbf\xef\xbb\xbffile-token-bom-1234567890\r\n# instance destination\r\n  file-token-abcdefgh12345  \n\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GLS_TEST_TOKENS", "env-token-one-123456789, env-token-two-987654321")
	tr := start(t, Config{Tokens: []string{tokenA, tokenB}, TokenFile: tokenFile, TokenEnv: "GLS_TEST_TOKENS"})

	refused := []struct {
		name   string
		header []string
	}{
		{"missing", nil},
		{"empty", []string{""}},
		{"wrong", []string{"wrong-token-000000000000"}},
		{"prefix", []string{tokenA[:10]}},
		{"longer", []string{tokenA + "x"}},
		{"case", []string{strings.ToUpper(tokenA)}},
		{"comment line", []string{"# instance destination"}},
		{"two values", []string{tokenA, tokenB}},
	}
	for i, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, tr.url, strings.NewReader(fmt.Sprintf(`{"id":%d}`, i)))
			for _, h := range tt.header {
				req.Header.Add(TokenHeader, h)
			}
			resp, err := tr.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("status %d, want 401", resp.StatusCode)
			}
			if lines := spoolLines(t, tr.SpoolPath()); len(lines) != 0 {
				t.Errorf("spool changed: %q", lines)
			}
		})
	}
	if s := tr.Stats(); s.Unauthorized != uint64(len(refused)) || s.Accepted != 0 {
		t.Errorf("stats %+v", s)
	}

	accepted := []string{tokenA, tokenB, "file-token-bom-1234567890", "file-token-abcdefgh12345", "env-token-one-123456789", "env-token-two-987654321"}
	for i, tok := range accepted {
		if code := tr.post(t, tok, formType, fmt.Sprintf(`{"id":%d}`, 100+i)); code != http.StatusOK {
			t.Errorf("token %d: status %d, want 200", i, code)
		}
	}
	if n := len(spoolLines(t, tr.SpoolPath())); n != len(accepted) {
		t.Errorf("spool has %d lines, want %d", n, len(accepted))
	}
}

// TestTokensNotLogged sends wrong and right tokens and checks the log output
// never contains any of them.
func TestTokensNotLogged(t *testing.T) {
	var buf syslogtest.Buffer
	tr := start(t, Config{Logger: newTestLogger(&buf)})
	tr.post(t, "a-wrong-token-1234567890", formType, `{"id":1}`)
	tr.post(t, tokenA, formType, `{"id":2}`)
	tr.post(t, tokenA, formType, `not json`)
	tr.stop()
	out := buf.String()
	if !strings.Contains(out, "request refused") {
		t.Fatalf("expected a refusal in the log, got:\n%s", out)
	}
	for _, secret := range []string{"a-wrong-token", tokenA, tokenA[:8]} {
		if strings.Contains(out, secret) {
			t.Errorf("log contains token material %q:\n%s", secret, out)
		}
	}
}

func TestNewErrors(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, []byte("# nothing\n\n"), 0o600)
	t.Setenv("GLS_EMPTY", "")
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no token", Config{}, "no verification token"},
		{"empty token", Config{Tokens: []string{" "}}, "tokens[0]: is empty"},
		{"empty token file", Config{TokenFile: empty}, "holds no token"},
		{"missing token file", Config{TokenFile: filepath.Join(dir, "nope")}, "token_file"},
		{"unset env", Config{TokenEnv: "GLS_EMPTY"}, "GLS_EMPTY is unset or empty"},
		{"no listen", Config{Tokens: []string{tokenA}, Listen: "-"}, "listen address is empty"},
		{"bad path", Config{Tokens: []string{tokenA}, Path: "x"}, "must start with /"},
		{"cert without key", Config{Tokens: []string{tokenA}, TLS: TLSFiles{CertFile: "c.pem"}}, "both cert and key"},
		{"missing cert", Config{Tokens: []string{tokenA}, TLS: TLSFiles{CertFile: "c.pem", KeyFile: "k.pem"}}, "load TLS certificate"},
		{"busy port", Config{Tokens: []string{tokenA}, Listen: "busy"}, "listen"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.SpoolDir = t.TempDir()
			switch cfg.Listen {
			case "":
				cfg.Listen = "127.0.0.1:0"
			case "-":
				cfg.Listen = ""
			case "busy":
				other := start(t, Config{})
				cfg.Listen = other.Addr().String()
			}
			r, err := New(cfg)
			if err == nil {
				r.Close()
				t.Fatal("New succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestOversize(t *testing.T) {
	tr := start(t, Config{MaxBody: 1024})
	pad := func(n int) string { // a valid object of exactly n bytes
		s := `{"id":1,"p":""}`
		return s[:len(s)-2] + strings.Repeat("x", n-len(s)) + `"}`
	}
	if code := tr.post(t, tokenA, formType, pad(2000)); code != http.StatusRequestEntityTooLarge {
		t.Errorf("2000 bytes: status %d, want 413", code)
	}
	if lines := spoolLines(t, tr.SpoolPath()); len(lines) != 0 {
		t.Errorf("spool changed after 413")
	}
	if code := tr.post(t, tokenA, formType, pad(1024)); code != http.StatusOK {
		t.Errorf("1024 bytes: status %d, want 200", code)
	}
	if s := tr.Stats(); s.TooLarge != 1 || s.Accepted != 1 {
		t.Errorf("stats %+v", s)
	}
}

func TestMethodAndPath(t *testing.T) {
	tr := start(t, Config{Path: "/hooks/gitlab"})
	for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodDelete, http.MethodHead} {
		req, _ := http.NewRequest(m, tr.url, nil)
		req.Header.Set(TokenHeader, tokenA)
		resp, err := tr.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "POST" {
			t.Errorf("%s: status %d Allow %q, want 405 POST", m, resp.StatusCode, resp.Header.Get("Allow"))
		}
	}
	base := strings.TrimSuffix(tr.url, "/hooks/gitlab")
	for _, p := range []string{"/", "/hooks", "/hooks/gitlab/", "/gitlab/audit", "/hooks/gitlab/x"} {
		if code := tr.do(t, http.MethodPost, base+p, tokenA, jsonType, `{"id":1}`); code != http.StatusNotFound {
			t.Errorf("POST %s: status %d, want 404", p, code)
		}
	}
	if code := tr.post(t, tokenA, jsonType, `{"id":1}`); code != http.StatusOK {
		t.Errorf("POST on the path: %d", code)
	}
	if n := len(spoolLines(t, tr.SpoolPath())); n != 1 {
		t.Errorf("spool has %d lines, want 1", n)
	}
	// Counted, so that scanners and a wrong destination URL show in
	// streaming_requests_total (fresh-user trial 283: they did not).
	if s := tr.Stats(); s.MethodNotAllowed != 4 || s.NotFound != 5 {
		t.Errorf("MethodNotAllowed %d, NotFound %d; want 4 and 5", s.MethodNotAllowed, s.NotFound)
	}
}

// TestInvalidJSON: a body that is not one JSON object, nor a JSON array of
// them (a batch, see TestBatch), is refused with 400
// and a reason in plain words, without Go's internals ("json: cannot
// unmarshal array into Go value of type struct { ID json.RawMessage ...",
// "invalid character 'o' in literal null": fresh-user trial), and nothing
// is spooled.
func TestInvalidJSON(t *testing.T) {
	tr := start(t, Config{})
	const one = "; GitLab sends one JSON event object per request, or a JSON array of them\n"
	cases := []struct{ body, answer string }{
		{"", "the body is empty" + one},
		{"not json", "the body is not JSON (it starts with 'n')" + one},
		{`{"id":1`, "the body is JSON cut off before its end (7 bytes)" + one},
		{` {"id":1,}`, "the body is not valid JSON: invalid character '}' looking for beginning of object key string, at byte 9" + one},
		{`[1,2]`, "element 0 of the array (counting from 0) is a JSON number, not an event object" + one},
		{`[{"id":1},`, "the body is JSON cut off before its end (10 bytes)" + one},
		{`[{"id":1}] [{"id":2}]`, "the body holds more than one JSON value (something follows the first, at byte 11)" + one},
		{`"a string"`, "the body is a JSON string, not an event object" + one},
		{`null`, "the body is JSON null, not an event object" + one},
		{`42`, "the body is a JSON number, not an event object" + one},
		{`{"id":1} trailing`, "the body holds more than one JSON value (something follows the first, at byte 9)" + one},
		{`{"id":1}{"id":2}`, "the body holds more than one JSON value (something follows the first, at byte 8)" + one},
		{`{"id":1} {"id":2}`, "the body holds more than one JSON value (something follows the first, at byte 9)" + one},
		{"\xef\xbb\xbf{\"id\":1}", "the body is not JSON: it starts with a byte order mark (EF BB BF)" + one},
		{`id=1&event_type=x`, "the body is not JSON (it starts with 'i')" + one}, // a real form body
	}
	for _, tc := range cases {
		code, answer := tr.postAnswer(t, tokenA, formType, tc.body)
		if code != http.StatusBadRequest || answer != tc.answer {
			t.Errorf("%q: %d %q, want 400 %q", tc.body, code, answer, tc.answer)
		}
	}
	if lines := spoolLines(t, tr.SpoolPath()); len(lines) != 0 {
		t.Errorf("spool changed: %q", lines)
	}
	if s := tr.Stats(); s.Invalid != uint64(len(cases)) {
		t.Errorf("Invalid = %d, want %d", s.Invalid, len(cases))
	}
}

func TestDedupe(t *testing.T) {
	dir := t.TempDir()
	tr := start(t, Config{SpoolDir: dir})
	posts := []struct {
		body string
		dup  bool
	}{
		{payloadMR88509, false},
		{payloadMR88509, true},
		{compact(t, payloadMR88509), true},   // same id, same event
		{payloadDocs, false},                 // "1"
		{`{"id":1,"event_type":"x"}`, false}, // 1 is not "1"
		{`{"id":"1","event_type":"repository_git_operation","created_at":"2022-07-26T05:43:53.662Z"}`, true}, // payloadDocs again
		{payloadFalco, false},                   // UUID
		{`{"event_type":"no id"}`, false},       // never deduplicated
		{`{"event_type":"no id"}`, false},       //
		{`{"id":null,"event_type":"z"}`, false}, //
		{`{"id":{"a":1},"event_type":"z"}`, false},
		{`{"id":{"a":1},"event_type":"z"}`, false},
		{`{"id":"","event_type":"z"}`, false},
	}
	want := 0
	for i, p := range posts {
		if code := tr.post(t, tokenA, formType, p.body); code != http.StatusOK {
			t.Fatalf("post %d: status %d", i, code)
		}
		if !p.dup {
			want++
		}
		if n := len(spoolLines(t, tr.SpoolPath())); n != want {
			t.Fatalf("after post %d: %d spool lines, want %d", i, n, want)
		}
	}
	if s := tr.Stats(); s.Duplicates != 3 || s.NoID != 6 {
		t.Errorf("stats %+v, want 3 duplicates and 6 without id", s)
	}
	tr.stop()

	// A new Receiver on the same directory remembers the events.
	tr2 := start(t, Config{SpoolDir: dir})
	for _, p := range []string{payloadMR88509, payloadDocs, payloadFalco, `{"id":1,"event_type":"x"}`} {
		if code := tr2.post(t, tokenA, jsonType, p); code != http.StatusOK {
			t.Fatalf("status %d", code)
		}
	}
	if s := tr2.Stats(); s.Duplicates != 4 || s.Accepted != 0 {
		t.Errorf("after restart: stats %+v, want 4 duplicates", s)
	}
	if code := tr2.post(t, tokenA, jsonType, `{"id":2}`); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	if n := len(spoolLines(t, tr2.SpoolPath())); n != want+1 {
		t.Errorf("spool has %d lines, want %d", n, want+1)
	}
}

func TestDedupeWindow(t *testing.T) {
	dir := t.TempDir()
	clock := time.Now().Add(-2 * time.Hour).Truncate(time.Second)
	var mu sync.Mutex // guards clock: the server goroutines read it
	tr := start(t, Config{SpoolDir: dir, DedupeWindow: time.Hour}, func(r *Receiver) {
		r.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	})
	advance := func(d time.Duration) { mu.Lock(); clock = clock.Add(d); mu.Unlock() }
	tr.post(t, tokenA, jsonType, `{"id":7}`)
	advance(59 * time.Minute)
	tr.post(t, tokenA, jsonType, `{"id":7}`)
	if s := tr.Stats(); s.Duplicates != 1 {
		t.Fatalf("within the window: %+v", s)
	}
	advance(2 * time.Minute)
	tr.post(t, tokenA, jsonType, `{"id":7}`)
	if s := tr.Stats(); s.Duplicates != 1 || s.Accepted != 2 {
		t.Fatalf("after the window: %+v", s)
	}
	tr.dedupe.expire(tr.now()) // what the commit loop's tick does
	tr.dedupe.mu.Lock()
	n := len(tr.dedupe.seen)
	tr.dedupe.mu.Unlock()
	if n != 1 {
		t.Errorf("%d ids remembered, want 1", n)
	}
	tr.stop()

	// Reload: expired lines are dropped, malformed ones skipped, the log compacted.
	f, err := os.OpenFile(filepath.Join(dir, DedupeFile), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "1 %s\ngarbage\n12x %s\n%d 99\n%d", keyOf(t, `{"id":99}`), keyOf(t, `{"id":5}`),
		time.Now().Unix(), time.Now().Unix()) // an old-format key; the last line is torn
	f.Close()
	tr2 := start(t, Config{SpoolDir: dir, DedupeWindow: 365 * 24 * time.Hour})
	data, err := os.ReadFile(filepath.Join(dir, DedupeFile))
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("%s\n%d %s\n", dedupeHeader, clock.Unix(), keyOf(t, `{"id":7}`)); string(data) != want {
		t.Errorf("compacted dedupe log %q, want %q (the latest line of id 7)", data, want)
	}
	tr2.post(t, tokenA, jsonType, `{"id":7}`)
	tr2.post(t, tokenA, jsonType, `{"id":99}`) // expired long ago
	if s := tr2.Stats(); s.Duplicates != 1 || s.Accepted != 1 {
		t.Errorf("after reload: %+v", s)
	}
}

func TestDedupeOff(t *testing.T) {
	tr := start(t, Config{DedupeWindow: -1})
	tr.post(t, tokenA, jsonType, `{"id":7}`)
	tr.post(t, tokenA, jsonType, `{"id":7}`)
	if n := len(spoolLines(t, tr.SpoolPath())); n != 2 {
		t.Errorf("%d lines, want 2", n)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(tr.SpoolPath()), DedupeFile)); err == nil {
		t.Error("dedupe log written with deduplication off")
	}
}

func TestDedupeMaxIDs(t *testing.T) {
	tr := start(t, Config{DedupeMaxIDs: 3})
	for i := 0; i < 5; i++ {
		tr.post(t, tokenA, jsonType, fmt.Sprintf(`{"id":%d}`, i))
	}
	tr.post(t, tokenA, jsonType, `{"id":4}`) // remembered
	tr.post(t, tokenA, jsonType, `{"id":0}`) // forgotten
	if s := tr.Stats(); s.Duplicates != 1 || s.Accepted != 6 || s.DedupeEvicted != 3 {
		t.Errorf("stats %+v", s)
	}
}

func TestRotation(t *testing.T) {
	tr := start(t, Config{SpoolMaxBytes: 1000})
	ev := func(i int) string { return fmt.Sprintf(`{"id":%d,"p":"%s"}`, i, strings.Repeat("x", 380)) }
	for i := 0; i < 4; i++ {
		if code := tr.post(t, tokenA, jsonType, ev(i)); code != http.StatusOK {
			t.Fatalf("status %d", code)
		}
	}
	old := spoolLines(t, tr.SpoolPath()+".1")
	cur := spoolLines(t, tr.SpoolPath())
	if len(old) != 2 || len(cur) != 2 || old[0] != ev(0) || old[1] != ev(1) || cur[0] != ev(2) || cur[1] != ev(3) {
		t.Errorf("after rotation: .1 = %d lines, current = %d lines", len(old), len(cur))
	}
	if s := tr.Stats(); s.Rotations != 1 {
		t.Errorf("Rotations = %d, want 1", s.Rotations)
	}
	fi, err := os.Stat(tr.SpoolPath())
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("spool mode %v, want 0600", fi.Mode().Perm())
	}
}

// TestRotationHeld: with a rotation check (Receiver.SetRotateCheck, set
// by the agent), the spool does not rotate while its reader is not done
// with events.log.1: it grows past SpoolMaxBytes, every event in one of the
// two files; once the check allows it, the next event rotates the spool.
func TestRotationHeld(t *testing.T) {
	var done atomic.Bool
	tr := start(t, Config{SpoolMaxBytes: 1000}, func(r *Receiver) {
		r.SetRotateCheck(func(os.FileInfo) bool { return done.Load() })
	})
	ev := func(i int) string { return fmt.Sprintf(`{"id":%d,"p":"%s"}`, i, strings.Repeat("x", 380)) }
	for i := range 10 {
		if code := tr.post(t, tokenA, jsonType, ev(i)); code != http.StatusOK {
			t.Fatalf("status %d", code)
		}
	}
	if _, err := os.Stat(tr.SpoolPath() + ".1"); !os.IsNotExist(err) {
		t.Fatalf("spool rotated while its reader was not done: %v", err)
	}
	if cur := spoolLines(t, tr.SpoolPath()); len(cur) != 10 {
		t.Fatalf("spool holds %d events, want 10", len(cur))
	}
	done.Store(true)
	if code := tr.post(t, tokenA, jsonType, ev(10)); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	old, cur := spoolLines(t, tr.SpoolPath()+".1"), spoolLines(t, tr.SpoolPath())
	if len(old) != 10 || len(cur) != 1 || cur[0] != ev(10) || tr.Stats().Rotations != 1 {
		t.Errorf("after the check allowed it: .1 = %d lines, current = %q, rotations %d", len(old), cur, tr.Stats().Rotations)
	}
}

func TestTornSpool(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, SpoolFile), []byte("{\"id\":1}\n{\"id\":2,\"trunc"), 0o600); err != nil {
		t.Fatal(err)
	}
	tr := start(t, Config{SpoolDir: dir})
	if code := tr.post(t, tokenA, jsonType, `{"id":3}`); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	data, _ := os.ReadFile(tr.SpoolPath())
	if want := "{\"id\":1}\n{\"id\":2,\"trunc\n{\"id\":3}\n"; string(data) != want {
		t.Errorf("spool %q, want %q", data, want)
	}
}

// TestSpoolFull makes the spool /dev/full: every write fails with ENOSPC, so
// the receiver must answer 503 and not remember the id.
func TestSpoolFull(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full")
	}
	dir := t.TempDir()
	if err := os.Symlink("/dev/full", filepath.Join(dir, SpoolFile)); err != nil {
		t.Fatal(err)
	}
	tr := start(t, Config{SpoolDir: dir})
	for i := 0; i < 2; i++ { // the second try is not a "duplicate"
		if code := tr.post(t, tokenA, jsonType, `{"id":5}`); code != http.StatusServiceUnavailable {
			t.Errorf("try %d: status %d, want 503", i, code)
		}
	}
	if s := tr.Stats(); s.SpoolErrors != 2 || s.Accepted != 0 || s.Duplicates != 0 {
		t.Errorf("stats %+v", s)
	}
}

// TestAckAfterSync checks that each acknowledged event is in the spool file
// when the 200 arrives, read through a separate file handle.
func TestAckAfterSync(t *testing.T) {
	tr := start(t, Config{})
	for i := 0; i < 20; i++ {
		body := fmt.Sprintf(`{"id":%d,"event_type":"user_created"}`, i)
		if code := tr.post(t, tokenA, jsonType, body); code != http.StatusOK {
			t.Fatalf("status %d", code)
		}
		lines := spoolLines(t, tr.SpoolPath())
		if len(lines) != i+1 || lines[i] != body {
			t.Fatalf("after ack %d: last line %q", i, lines[len(lines)-1])
		}
	}
	if s := tr.Stats(); s.Syncs != 20 {
		t.Errorf("Syncs = %d, want one per sequential event", s.Syncs)
	}
}

func TestConcurrentPosts(t *testing.T) {
	tr := start(t, Config{})
	const workers, per = 8, 40
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < per; i++ {
				// Every event is sent by two workers: w and w^1 share ids.
				id := (w/2)*per + i
				ct := formType
				if i%2 == 0 {
					ct = jsonType
				}
				body := fmt.Sprintf(`{"id":%d,"worker_pair":%d,"details":{"custom_message":"a&b=c+d"}}`, id, w/2)
				if code := tr.post(t, tokenA, ct, body); code != http.StatusOK {
					t.Errorf("worker %d: status %d", w, code)
					return
				}
			}
		}(w)
	}
	wg.Wait()
	lines := spoolLines(t, tr.SpoolPath())
	if len(lines) != workers/2*per {
		t.Fatalf("%d lines, want %d", len(lines), workers/2*per)
	}
	seen := map[string]bool{}
	for _, l := range lines {
		v := decode(t, l).(map[string]any)
		id := fmt.Sprint(v["id"])
		if seen[id] {
			t.Errorf("id %s spooled twice", id)
		}
		seen[id] = true
	}
	s := tr.Stats()
	if s.Accepted != workers/2*per || s.Duplicates != workers/2*per {
		t.Errorf("stats %+v", s)
	}
	t.Logf("%d events in %d fsyncs", s.Accepted, s.Syncs)
}

func TestShutdown(t *testing.T) {
	tr := start(t, Config{})
	tr.post(t, tokenA, jsonType, `{"id":1}`)
	tr.stop()
	req, _ := http.NewRequest(http.MethodPost, tr.url, strings.NewReader(`{"id":2}`))
	req.Header.Set(TokenHeader, tokenA)
	if resp, err := tr.client.Do(req); err == nil {
		resp.Body.Close()
		t.Errorf("request after shutdown answered %d", resp.StatusCode)
	}
	if err := tr.Run(t.Context()); err == nil {
		t.Error("second Run succeeded")
	}
	if n := len(spoolLines(t, tr.SpoolPath())); n != 1 {
		t.Errorf("%d lines", n)
	}
}

func TestRefusalLogLimited(t *testing.T) {
	var buf syslogtest.Buffer
	tr := start(t, Config{Logger: newTestLogger(&buf)})
	for i := 0; i < 5; i++ {
		if code := tr.post(t, "", jsonType, `{"id":1}`); code != http.StatusUnauthorized {
			t.Fatalf("status %d", code)
		}
	}
	if n := strings.Count(buf.String(), "request refused"); n != 1 {
		t.Errorf("%d refusal lines logged for 5 refusals within 10s, want 1", n)
	}
	if s := tr.Stats(); s.Unauthorized != 5 {
		t.Errorf("Unauthorized = %d, want 5", s.Unauthorized)
	}
}

// TestRefusalLogPerCause: the first 401 of each cause is logged with what
// to do, whatever came before it (a flood of another cause), and again
// after a quiet interval or a reload of the tokens, with the count of
// those not logged; 401s of one cause within the interval are not.
func TestRefusalLogPerCause(t *testing.T) {
	const (
		wrong   = "wrong"   // a token that matches none
		none    = "none"    // no token header
		several = "several" // two token headers
		quiet   = "quiet"   // the clock moves past the interval
		reload  = "reload"  // the tokens are reloaded
	)
	type line struct{ reason, todo, notLogged string }
	wrongLine := func(n string) line {
		return line{"wrong token", "with streaming.tokens (1) (agent.yaml:3: streaming.tokens), then reload", n}
	}
	noneLine := line{"no " + TokenHeader + " header", "a proxy in front of the receiver drops it", "0"}
	tests := []struct {
		name  string
		steps []string
		want  []line
	}{
		{"wrong token after a flood without the header",
			[]string{none, none, none, none, none, wrong},
			[]line{noneLine, wrongLine("0")}},
		{"wrong token after a flood of wrong tokens and a quiet interval",
			[]string{wrong, wrong, wrong, quiet, wrong, wrong},
			[]line{wrongLine("0"), wrongLine("2")}},
		{"several headers",
			[]string{wrong, several, several},
			[]line{wrongLine("0"), {"several " + TokenHeader + " headers", "a proxy in front of the receiver may add a second one", "0"}}},
		{"after a reload",
			[]string{wrong, wrong, reload, wrong},
			[]line{wrongLine("0"), wrongLine("1")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf syslogtest.Buffer
			clock := time.Now()
			var mu sync.Mutex // guards clock: the server goroutines read it
			where := func(key string) string { return "agent.yaml:3: streaming." + key }
			cfg := Config{Logger: slog.New(slog.NewJSONHandler(&buf, nil)), Tokens: []string{tokenA}, Where: where}
			tr := start(t, cfg, func(r *Receiver) {
				r.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
			})
			for _, step := range tt.steps {
				req, err := http.NewRequest(http.MethodPost, tr.url, strings.NewReader(`{"id":1}`))
				if err != nil {
					t.Fatal(err)
				}
				switch step {
				case quiet:
					mu.Lock()
					clock = clock.Add(refusalLogInterval)
					mu.Unlock()
					continue
				case reload:
					if err := tr.Reload(Config{Tokens: []string{tokenA}, Where: where}); err != nil {
						t.Fatal(err)
					}
					continue
				case wrong:
					req.Header.Set(TokenHeader, "a-wrong-token-1234567890")
				case several:
					req.Header.Add(TokenHeader, tokenA)
					req.Header.Add(TokenHeader, tokenA)
				}
				resp, err := tr.client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusUnauthorized {
					t.Fatalf("%s: status %d, want 401", step, resp.StatusCode)
				}
			}
			var got []line
			for _, l := range strings.Split(buf.String(), "\n") {
				var rec struct {
					Msg, Reason, Todo string
					NotLogged         json.Number `json:"not_logged_since_last"`
				}
				if l == "" || json.Unmarshal([]byte(l), &rec) != nil || rec.Msg != "streaming: request refused" {
					continue
				}
				got = append(got, line{rec.Reason, rec.Todo, rec.NotLogged.String()})
			}
			if len(got) != len(tt.want) {
				t.Fatalf("logged %d refusals, want %d:\n%s", len(got), len(tt.want), buf.String())
			}
			for i, w := range tt.want {
				g := got[i]
				if g.reason != w.reason || !strings.Contains(g.todo, w.todo) || g.notLogged != w.notLogged {
					t.Errorf("refusal %d: reason %q, todo %q, not_logged_since_last %s; want reason %q, todo containing %q, %s",
						i, g.reason, g.todo, g.notLogged, w.reason, w.todo, w.notLogged)
				}
			}
		})
	}
}
