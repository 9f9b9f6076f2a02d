package detect

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestDefaultBucketFor: a window of an hour or more slides in 5-minute
// buckets, a shorter one in the longest of 1m, 30s, 15s, 10s, 5s and 1s
// that gives it at least 12 (trial 251: a 3-minute window was one bucket
// of its own, so 11 failures in one minute across its edge went
// unseen), and one under 12 seconds is one bucket.
func TestDefaultBucketFor(t *testing.T) {
	for _, tc := range []struct{ window, want time.Duration }{
		{2 * time.Hour, 5 * time.Minute},
		{time.Hour, 5 * time.Minute},
		{59 * time.Minute, time.Minute},
		{12 * time.Minute, time.Minute},
		{11 * time.Minute, 30 * time.Second},
		{3 * time.Minute, 15 * time.Second},
		{time.Minute, 5 * time.Second},
		{12 * time.Second, time.Second},
		{10 * time.Second, 10 * time.Second},
		// A bucket that divides the window (trial 273: 61m in 5m buckets
		// covered 65 minutes).
		{61 * time.Minute, time.Minute},
		{90*time.Minute + 30*time.Second, 30 * time.Second},
		{45*time.Minute + 7*time.Second, time.Second},
		{13 * time.Second, time.Second},
		{1500 * time.Millisecond, 1500 * time.Millisecond},
		{61*time.Minute + 500*time.Millisecond, 61*time.Minute + 500*time.Millisecond},
	} {
		if got := defaultBucketFor(tc.window); got != tc.want {
			t.Errorf("defaultBucketFor(%s) = %s, want %s", tc.window, got, tc.want)
		}
	}
}

// TestRebucket: slots counted in one bucket length are moved to the
// bucket of their first event in another, merging those that meet.
func TestRebucket(t *testing.T) {
	const m = int64(time.Minute)
	five := []slot{{I: 2, N: 3, First: 10 * m, Last: 14 * m}, {I: 3, N: 1, First: 15 * m, Last: 15 * m}, {I: 5, N: 2, First: 26 * m, Last: 29 * m}}
	for _, tc := range []struct {
		name     string
		from, to int64
		want     []slot
	}{
		{"saved without a bucket", 0, m, five},
		{"same bucket", 5 * m, 5 * m, five},
		{"finer", 5 * m, m, []slot{{I: 10, N: 3, First: 10 * m, Last: 14 * m}, {I: 15, N: 1, First: 15 * m, Last: 15 * m}, {I: 26, N: 2, First: 26 * m, Last: 29 * m}}},
		{"coarser", 5 * m, 15 * m, []slot{{I: 0, N: 3, First: 10 * m, Last: 14 * m}, {I: 1, N: 3, First: 15 * m, Last: 29 * m}}},
	} {
		if got := rebucket(append([]slot(nil), five...), tc.from, tc.to); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: rebucket = %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

// TestBucketChangeKeepsCounts: a brute force counted partly under one
// bucket, saved, and completed after a restart with another bucket still
// alerts: the saved slots are read in the new bucket (rebucket), not as
// bucket numbers of the new length, which would put them days back.
func TestBucketChangeKeepsCounts(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Date(2024, 6, 10, 9, 0, 0, 0, time.UTC)
	evs := make([]*Event, 11)
	for i := range evs {
		evs[i] = failedLogin("alice", "81.2.69.142", t0.Add(time.Duration(i)*time.Minute))
		evs[i].Raw, evs[i].FileID, evs[i].Offset = fmt.Sprintf("line %d", i), "f", int64(i+1)
	}
	if got := joinRun(t, "sentinel.bruteforce", map[string]string{"bucket": "5m"}, dir, evs[:6], false); len(got) != 0 {
		t.Fatalf("6 failures alerted: %v", got)
	}
	got := joinRun(t, "sentinel.bruteforce", map[string]string{"bucket": "1m"}, dir, evs[6:], true)
	if len(got) != 1 || !strings.Contains(got[0], `"count":11`) {
		t.Errorf("after the restart with bucket 1m: alerts %v, want one of count 11", got)
	}
}
