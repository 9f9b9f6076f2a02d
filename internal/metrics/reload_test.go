package metrics

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// TestReloadResult: the start counts as a configuration applied; a
// refused reload sets config_last_reload_successful to 0 and keeps the
// time of the last one applied; an applied one sets both (fresh-user
// trial 69: a refused SIGHUP showed only in the log).
func TestReloadResult(t *testing.T) {
	m := New()
	srv, err := Listen("127.0.0.1:0", m.Handler(func() error { return nil }, func() error { return nil }), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close(context.Background())
	scrape := func() string {
		_, b := get(t, "http://"+srv.Addr().String()+"/metrics")
		return b
	}
	at := time.Unix(1764590400, 0)
	for _, step := range []struct {
		ok   bool
		want []string
	}{
		{true, []string{"gitlab_syslog_config_last_reload_successful 1", "gitlab_syslog_config_last_reload_success_timestamp_seconds 1.7645904e+09"}},
		{false, []string{"gitlab_syslog_config_last_reload_successful 0", "gitlab_syslog_config_last_reload_success_timestamp_seconds 1.7645904e+09"}},
	} {
		m.ReloadResult(step.ok, at)
		at = at.Add(time.Hour)
		b := scrape()
		for _, w := range step.want {
			if !strings.Contains(b, w+"\n") {
				t.Errorf("after ReloadResult(%v): /metrics lacks %q", step.ok, w)
			}
		}
	}
	start := New() // the start: applied
	if ok, at := testutil.ToFloat64(start.reloadOK), testutil.ToFloat64(start.reloadTime); ok != 1 || at < float64(time.Now().Add(-time.Minute).Unix()) {
		t.Errorf("at New: config_last_reload_successful %v, timestamp %v; want 1 and now", ok, at)
	}
}
