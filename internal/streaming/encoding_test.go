package streaming

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// TestContentEncoding: GitLab sends its bodies uncompressed, and the
// receiver decodes no content coding. A body with a Content-Encoding other
// than identity is refused with 415 (Accept-Encoding: identity) and an
// answer naming the header, before it is read, and nothing is spooled: a
// gzip body got 400 "the body is not JSON (it starts with '\x1f')", which
// does not name the header, and Content-Encoding: br on a plain JSON body
// got 200 as if it were identity (fresh-user trial 84). Identity, in any
// case, or an empty header, is taken.
func TestContentEncoding(t *testing.T) {
	var buf syslogtest.Buffer
	clock := time.Now()
	var mu sync.Mutex // guards clock: the server goroutines read it
	tr := start(t, Config{Logger: slog.New(slog.NewJSONHandler(&buf, nil))}, func(r *Receiver) {
		r.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	})
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	io.WriteString(zw, payloadMR88509)
	zw.Close()
	post := func(body string, encodings ...string) (int, string, http.Header) {
		t.Helper()
		var header []string
		for _, e := range encodings {
			header = append(header, "Content-Encoding", e)
		}
		return tr.postJSON(t, body, header...)
	}
	refused := []struct {
		name, body string
		encodings  []string
		named      string // in the answer
	}{
		{"gzip body", gz.String(), []string{"gzip"}, `"gzip"`},
		{"br on plain JSON", payloadMR88509, []string{"br"}, `"br"`},
		{"deflate in capitals", payloadMR88509, []string{"DEFLATE"}, `"DEFLATE"`},
		{"gzip after identity", gz.String(), []string{"identity, gzip"}, `"identity, gzip"`},
		{"two headers", gz.String(), []string{"identity", "gzip"}, `"identity, gzip"`},
	}
	for _, tc := range refused {
		code, answer, h := post(tc.body, tc.encodings...)
		if code != http.StatusUnsupportedMediaType {
			t.Errorf("%s: status %d %q, want 415", tc.name, code, answer)
			continue
		}
		for _, w := range []string{"Content-Encoding " + tc.named, "GitLab sends audit event bodies uncompressed"} {
			if !strings.Contains(answer, w) {
				t.Errorf("%s: answer %q does not say %q", tc.name, answer, w)
			}
		}
		if ae := h.Get("Accept-Encoding"); ae != "identity" {
			t.Errorf("%s: Accept-Encoding %q, want identity", tc.name, ae)
		}
	}
	if lines := spoolLines(t, tr.SpoolPath()); len(lines) != 0 {
		t.Errorf("spool after 415s: %q", lines)
	}
	if s := tr.Stats(); s.UnsupportedEncoding != uint64(len(refused)) || s.Invalid != 0 || s.Accepted != 0 {
		t.Errorf("stats %+v, want UnsupportedEncoding %d and nothing else", s, len(refused))
	}

	// Logged as a 401 is: the first, then none within the interval, then
	// the first after a quiet interval with the count of those not logged.
	mu.Lock()
	clock = clock.Add(refusalLogInterval)
	mu.Unlock()
	if code, answer, _ := post(payloadMR88509, "zstd"); code != http.StatusUnsupportedMediaType {
		t.Fatalf("zstd: status %d %q, want 415", code, answer)
	}
	type rec struct {
		Msg, Todo       string
		Status          int
		ContentEncoding string      `json:"content_encoding"`
		NotLogged       json.Number `json:"not_logged_since_last"`
	}
	var got []rec
	for _, l := range strings.Split(buf.String(), "\n") {
		var r rec
		if l != "" && json.Unmarshal([]byte(l), &r) == nil && strings.Contains(r.Msg, "Content-Encoding") {
			got = append(got, r)
		}
	}
	want := []rec{{ContentEncoding: "gzip", NotLogged: "0"}, {ContentEncoding: "zstd", NotLogged: json.Number(strconv.Itoa(len(refused) - 1))}}
	if len(got) != len(want) {
		t.Fatalf("logged %d 415 lines, want %d:\n%s", len(got), len(want), buf.String())
	}
	for i, w := range want {
		g := got[i]
		if g.Status != http.StatusUnsupportedMediaType || g.ContentEncoding != w.ContentEncoding || g.NotLogged != w.NotLogged ||
			!strings.Contains(g.Todo, "GitLab sends audit events uncompressed") || !strings.Contains(g.Todo, "custom HTTP header") {
			t.Errorf("415 line %d: %+v; want status 415, content_encoding %s, not_logged_since_last %s and a todo naming GitLab's uncompressed bodies",
				i, g, w.ContentEncoding, w.NotLogged)
		}
	}

	for _, encodings := range [][]string{nil, {"identity"}, {"Identity"}, {""}} {
		if code, answer, _ := post(payloadMR88509, encodings...); code != http.StatusOK {
			t.Errorf("Content-Encoding %q: status %d %q, want 200", encodings, code, answer)
		}
	}
}
