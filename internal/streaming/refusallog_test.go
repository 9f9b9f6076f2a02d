package streaming

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// TestInvalidAndLargeLogPaced: bodies refused with 400 (not one JSON
// object) and 413 (over max_body) are logged as a 401 is: the first of
// each, then none within refusalLogInterval, then the first after it
// with the count not logged (trial 253: 300 bad bodies made 300
// warnings). Each is still answered and counted.
func TestInvalidAndLargeLogPaced(t *testing.T) {
	var buf syslogtest.Buffer
	clock := &testClock{t: time.Now()}
	tr := start(t, Config{MaxBody: 1024, Logger: slog.New(slog.NewJSONHandler(&buf, nil))}, func(r *Receiver) { r.now = clock.now })
	send := func(n int) {
		t.Helper()
		for range n {
			if code := tr.post(t, tokenA, formType, "not json"); code != http.StatusBadRequest {
				t.Fatalf("invalid body: status %d, want 400", code)
			}
			if code := tr.post(t, tokenA, formType, `{"id":1,"p":"`+strings.Repeat("x", 2000)+`"}`); code != http.StatusRequestEntityTooLarge {
				t.Fatalf("large body: status %d, want 413", code)
			}
		}
	}
	send(5)
	clock.advance(refusalLogInterval)
	send(1)
	type rec struct {
		Msg       string
		NotLogged json.Number `json:"not_logged_since_last"`
	}
	got := map[string][]string{}
	for _, l := range strings.Split(buf.String(), "\n") {
		var r rec
		if l == "" || json.Unmarshal([]byte(l), &r) != nil {
			continue
		}
		switch {
		case strings.Contains(r.Msg, "invalid body"):
			got["400"] = append(got["400"], r.NotLogged.String())
		case strings.Contains(r.Msg, "body too large"):
			got["413"] = append(got["413"], r.NotLogged.String())
		}
	}
	for _, code := range []string{"400", "413"} {
		if strings.Join(got[code], ",") != "0,4" {
			t.Errorf("%s lines with not_logged_since_last %v, want [0 4]:\n%s", code, got[code], buf.String())
		}
	}
	if s := tr.Stats(); s.Invalid != 6 || s.TooLarge != 6 {
		t.Errorf("stats %+v, want 6 invalid and 6 too large", s)
	}
}
