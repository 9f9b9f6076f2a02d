package streaming

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/fulldisk"
)

// TestDiskFullLogPaced: on a full disk every event is answered 503, and
// the error is logged for the first one, then at most once per
// refusalLogInterval with the count of those not logged, as 401s and
// 415s are (trial 232: one ERROR line per refused event, 1,892 of them).
// The spool is on a tmpfs mounted for the test (root only), filled up.
func TestDiskFullLogPaced(t *testing.T) {
	dir := fulldisk.Mount(t, "1m")
	var logs strings.Builder
	tr := start(t, Config{SpoolDir: filepath.Join(dir, "spool"), Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	fulldisk.Fill(t, filepath.Join(dir, "filler"), 0)
	const n = 20
	for i := range n {
		body := strings.Replace(payloadDocs, `"id":"1"`, fmt.Sprintf(`"id":"full-%d"`, i), 1)
		if code := tr.post(t, tokenA, "application/json", body); code != 503 {
			t.Fatalf("event %d on a full disk: %d, want 503", i, code)
		}
	}
	if got := strings.Count(logs.String(), "not persisted"); got != 1 {
		t.Errorf("%d errors logged for %d events refused within %v, want 1:\n%s", got, n, refusalLogInterval, logs.String())
	}
	if got := tr.Stats().SpoolErrors; got != n {
		t.Errorf("SpoolErrors = %d, want %d", got, n)
	}
}

// TestSpoolFault: SpoolFault is nil while events are spooled; once an
// event is refused 503 on a full disk it names the spool and the error,
// so that /healthz takes the receiver out of a load balancer while it
// would refuse GitLab's events (fresh-user trial 283: /healthz answered
// 200 all along); once the disk has room for max_body again it is nil
// without waiting for an event, and after an event is spooled too.
func TestSpoolFault(t *testing.T) {
	dir := fulldisk.Mount(t, "1m")
	tr := start(t, Config{SpoolDir: filepath.Join(dir, "spool"), MaxBody: 64 << 10})
	post := func(id string, want int) {
		t.Helper()
		body := strings.Replace(payloadDocs, `"id":"1"`, `"id":"`+id+`"`, 1)
		if code := tr.post(t, tokenA, "application/json", body); code != want {
			t.Fatalf("event %s: %d, want %d", id, code, want)
		}
	}
	post("before", 200)
	if err := tr.SpoolFault(); err != nil {
		t.Fatalf("SpoolFault after an event spooled: %v", err)
	}
	filler := filepath.Join(dir, "filler")
	fulldisk.Fill(t, filler, 0)
	for i := 0; ; i++ { // the spool's space reserved ahead takes some first
		body := strings.Replace(payloadDocs, `"id":"1"`, fmt.Sprintf(`"id":"full-%d"`, i), 1)
		code := tr.post(t, tokenA, "application/json", body)
		if code == 503 {
			break
		}
		if code != 200 || i == 10000 {
			t.Fatalf("event %d on a full disk: %d, want 200 until the reserve is used, then 503", i, code)
		}
	}
	err := tr.SpoolFault()
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "spool")) || !strings.Contains(err.Error(), "not retried") {
		t.Fatalf("SpoolFault on a full disk: %v, want the spool named and what it costs", err)
	}
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if err := tr.SpoolFault(); err != nil {
		t.Errorf("SpoolFault once the disk has room again, before any event: %v, want nil", err)
	}
	post("after", 200)
	if err := tr.SpoolFault(); err != nil {
		t.Errorf("SpoolFault after an event spooled again: %v", err)
	}
}
