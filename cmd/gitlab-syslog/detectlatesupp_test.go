package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestDetectLateBurstsSuppressed: with a lateness above the window (so
// older failures are still folded), brute-force failures read out of time
// order give the alerts (by alert_id) the same lines give in time order:
//   - bursts read newest first: a key's second burst 20 minutes after its
//     first is suppressed, as in time order, instead of alerting because
//     only the newest alert's quiet period was kept (fresh-user trial 245:
//     3 alerts out of order, 2 in order);
//   - a file read backwards whose older burst, completed last, counts in
//     two windows over the threshold: it alerts with the first, as time
//     order does, instead of with the later one, which the newer burst's
//     alert keeps quiet (fresh-user trial 248: its alert was missing).
func TestDetectLateBurstsSuppressed(t *testing.T) {
	day := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	type burst struct {
		at    time.Duration // after midnight
		n     int
		every time.Duration
	}
	for _, tc := range []struct {
		name    string
		bursts  []burst // in time order
		order   func([]string) []string
		inOrder int // alerts in time order
	}{
		{"bursts newest first", []burst{{8 * time.Hour, 11, 10 * time.Second}, {8*time.Hour + 20*time.Minute, 11, 10 * time.Second}, {12 * time.Hour, 11, 10 * time.Second}},
			func(l []string) []string { return slices.Concat(l[22:], l[:11], l[11:22]) }, 2},
		{"a file read backwards", []burst{{9*time.Hour + 11*time.Minute + 6*time.Second, 11, 281 * time.Second}, {10*time.Hour + 8*time.Minute + 22*time.Second, 1, 0}, {10*time.Hour + 54*time.Minute + 40*time.Second, 11, 26 * time.Second}},
			func(l []string) []string { l = slices.Clone(l); slices.Reverse(l); return l }, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var lines []string
			for _, b := range tc.bursts {
				for i := range b.n {
					at := day.Add(b.at + time.Duration(i)*b.every)
					lines = append(lines, fmt.Sprintf(`{"severity":"INFO","time":%q,"correlation_id":"c%d","meta.caller_id":"SessionsController#create","meta.remote_ip":"45.33.32.156","message":"Failed Login: username=bob ip=45.33.32.156"}`,
						at.Format("2006-01-02T15:04:05.000Z"), at.Unix()))
				}
			}
			dir := t.TempDir()
			conf := writeFile(t, filepath.Join(dir, "late.yaml"), "detections:\n  lateness: 24h\n")
			inOrder := lateAlertIDs(t, conf, writeFile(t, filepath.Join(dir, "sorted.log"), strings.Join(lines, "\n")+"\n"))
			outOfOrder := lateAlertIDs(t, conf, writeFile(t, filepath.Join(dir, "late.log"), strings.Join(tc.order(lines), "\n")+"\n"))
			if len(inOrder) != tc.inOrder {
				t.Fatalf("%d alerts in time order, want %d: %v", len(inOrder), tc.inOrder, inOrder)
			}
			if !slices.Equal(outOfOrder, inOrder) {
				t.Errorf("out of order: alerts %v, want those of time order %v", outOfOrder, inOrder)
			}
		})
	}
}

// lateAlertIDs runs detect --config conf --rule sentinel.bruteforce over
// the application log file and returns the alert_ids of its alerts,
// sorted.
func lateAlertIDs(t *testing.T, conf, file string) []string {
	t.Helper()
	o := keptDirOptions("sentinel.bruteforce", "") // no --state-dir: a temporary one
	o.config = conf
	alerts, _ := detectWith(t, o, "application:"+file)
	ids := alertIDs(alerts)
	slices.Sort(ids)
	return ids
}
