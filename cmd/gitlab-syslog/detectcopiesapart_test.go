package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDetectSummaryCopiesApart: given both application logs, the summary
// says how many text events found no JSON copy within 2 ms but one with
// the same message up to 1 s later (copies GitLab wrote further apart,
// counted twice), and what to do; copies 1 ms apart, and a JSON event of
// the same message 2 s later, give no such line.
func TestDetectSummaryCopiesApart(t *testing.T) {
	const msg = "Failed Login: username=bob ip=198.51.100.7"
	t0 := time.Date(2025, 5, 12, 14, 0, 0, 100e6, time.UTC)
	logs := func(apart map[int]time.Duration) (text, json string) {
		var tb, jb strings.Builder
		for i := range 6 {
			at := t0.Add(time.Duration(i) * time.Minute)
			fmt.Fprintf(&tb, "%s: %s\n", at.Format("2006-01-02T15:04:05.000Z"), msg)
			d, ok := apart[i]
			if !ok {
				d = time.Millisecond
			}
			fmt.Fprintf(&jb, `{"severity":"INFO","time":%q,"correlation_id":"c%d","message":%q}`+"\n", at.Add(d).Format("2006-01-02T15:04:05.000Z"), i, msg)
		}
		return tb.String(), jb.String()
	}
	for _, c := range []struct {
		name  string
		apart map[int]time.Duration
		want  string // "": no such line
	}{
		{"two copies 400 ms apart", map[int]time.Duration{1: 400 * time.Millisecond, 4: 400 * time.Millisecond},
			"detect: 2 events of application.log found no copy in application_json.log within 2 ms, but one with the same message up to 1 s later"},
		{"copies 1 ms apart", nil, ""},
		{"a JSON event 2 s later", map[int]time.Duration{2: 2 * time.Second}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			text, json := logs(c.apart)
			in := []string{writeFile(t, filepath.Join(dir, "application.log"), text), writeFile(t, filepath.Join(dir, "application_json.log"), json)}
			_, summary := detectState(t, "", nil, in)
			has := strings.Contains(summary, "found no copy in application_json.log")
			switch {
			case c.want != "" && !strings.Contains(summary, c.want+": most likely copies GitLab wrote further apart"):
				t.Errorf("want %q in:\n%s", c.want, summary)
			case c.want == "" && has:
				t.Errorf("copies apart reported in:\n%s", summary)
			}
		})
	}
}
