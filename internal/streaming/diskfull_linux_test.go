package streaming

import (
	"fmt"
	"log/slog"
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
