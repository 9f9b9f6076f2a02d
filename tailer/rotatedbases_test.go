package tailer

import (
	"slices"
	"testing"
)

func TestRotatedBases(t *testing.T) {
	for _, tc := range []struct {
		path, ext string // ext: Config.Extension
		want      []string
	}{
		{"/p/0.log", "", nil},
		{"/p/0.log.20261129-120000", "", []string{"/p/0.log", "/p/0.log.20261129"}},
		{"/p/0.log.20261129-120000.gz", "", []string{"/p/0.log", "/p/0.log.20261129"}},
		{"/p/app.log.1", "", []string{"/p/app.log"}},
		{"/p/app.log-20261129", "", []string{"/p/app.log"}},
		{"/p/app.log.2026-11-29", "", []string{"/p/app.log", "/p/app.log.2026", "/p/app.log.2026-11"}}, // dateformat .%Y-%m-%d
		{"/p/app.log_20261129.gz", "", []string{"/p/app.log"}},                                         // dateformat _%Y%m%d
		{"/p/app.log.bak", "", nil},
		// logrotate's extension .log, given; without it, live files of their own.
		{"/p/app.1.log", ".log", []string{"/p/app.log"}},
		{"/p/app-20261129-1796135832.log.gz", ".log", []string{"/p/app.log", "/p/app-20261129.log"}},
		{"/p/app.1.log", "", nil},
		{"/p/worker-1.log", "", nil},
		{"/p/worker-1.log", ".log", nil}, // not a date: a live file (trial 67)
		{"/p/worker_2.log", ".log", nil},
		{"/p/app.1.log", ".txt", nil},
		{"/p/app-x.log", ".log", nil},
		{"/p/app.log.1a", "", nil},
		{"/p/app.log.gz", "", nil}, // compressed, but not a rotation name
		{"/p/a-b.log", "", nil},
	} {
		if got := RotatedBases(tc.path, tc.ext); !slices.Equal(got, tc.want) {
			t.Errorf("RotatedBases(%q, %q) = %q, want %q", tc.path, tc.ext, got, tc.want)
		}
	}
}
