package agent

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
)

// TestStateSaveWaitLoggedOnce: while the collector is down, an alert
// waits for its acknowledgement and every save (here every second) is
// skipped; the first skip is logged, not one line per save as before; the
// first save after the collector is back says how many were skipped and
// for how long; the next outage is logged again, once. The collector is a
// real TCP one, killed and started again on its address.
func TestStateSaveWaitLoggedOnce(t *testing.T) {
	got, col := listenCollected(t)
	audit := filepath.Join(t.TempDir(), "audit_json.log")
	appendLine(t, audit, patLine(1, 601))
	c := newConfig(t, "tcp://"+col.Addr(), config.Source{Type: "audit", Path: audit})
	c.Detections.StateSaveInterval = time.Second

	var logs syncBuffer
	a, err := New(c, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil)), ShutdownTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	alerts := func() int {
		got.mu.Lock()
		defer got.mu.Unlock()
		return len(got.alerts)
	}
	pending := func() int64 {
		a.mu.Lock()
		d := a.det
		a.mu.Unlock()
		return d.pending.Load()
	}
	lines := func(msg string) []string {
		var out []string
		for _, l := range strings.Split(logs.String(), "\n") {
			if strings.Contains(l, "msg=\""+msg) {
				out = append(out, l)
			}
		}
		return out
	}
	const waiting = "detection state not saved: alerts still wait for the collector's acknowledgement"
	waitFor(t, "the first alert", 10*time.Second, func() bool { return alerts() == 1 })
	waitFor(t, "the first save", 10*time.Second, func() bool {
		_, err := os.Stat(filepath.Join(c.StateDir, "detect", detect.StateName+".json"))
		return err == nil
	})

	col.Kill()
	appendLine(t, audit, patLine(2, 602))
	waitFor(t, "a save skipped", 15*time.Second, func() bool { return len(lines(waiting)) > 0 })
	time.Sleep(3 * time.Second) // a save every second, or at worst every other tick
	if pending() == 0 {
		t.Fatal("the alert was acknowledged with the collector down")
	}
	if n := len(lines(waiting)); n != 1 {
		t.Errorf("%d lines logged for the saves skipped in 3s while an alert waited, want 1:\n%s", n, logs.String())
	}

	if err := col.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the save after the collector is back", 30*time.Second, func() bool { return len(lines("detection state saved again")) > 0 })
	again := lines("detection state saved again")
	if len(again) != 1 || !regexp.MustCompile(`skipped_saves=([2-9]|\d\d+) skipped_for=\d+s\b`).MatchString(again[0]) {
		t.Errorf("saving again logged %q, want one line with the saves skipped (2 or more) and for how long", again)
	}
	if n := alerts(); n < 2 { // the second's batch may arrive twice: at least once
		t.Errorf("%d alerts delivered, want 2", n)
	}

	// Down again until the shutdown.
	col.Kill()
	appendLine(t, audit, patLine(3, 603))
	waitFor(t, "a save skipped again", 15*time.Second, func() bool { return len(lines(waiting)) > 1 })
	time.Sleep(3 * time.Second)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := len(lines(waiting)); n != 2 {
		t.Errorf("%d lines logged for the saves skipped in two outages, want 2:\n%s", n, logs.String())
	}
}
