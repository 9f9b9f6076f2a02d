package syslogtest

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFindSyslogNG checks the search order ($SYSLOG_NG, the unpacked root,
// $PATH) with real files and a real $PATH lookup, and that the error names
// every place looked in.
func TestFindSyslogNG(t *testing.T) {
	tmp := t.TempDir()
	unpacked := filepath.Join(tmp, "unpacked")
	mkExec(t, filepath.Join(unpacked, "usr/sbin/syslog-ng"))
	onPath := filepath.Join(tmp, "bin")
	mkExec(t, filepath.Join(onPath, "syslog-ng"))
	empty := filepath.Join(tmp, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	absent := filepath.Join(tmp, "absent")

	tests := []struct {
		name, env, opt, path string
		want                 SyslogNGInstall
		wantLooked           []string // substrings of the error, when not found
	}{
		{name: "env root", env: unpacked, opt: absent, path: empty,
			want: SyslogNGInstall{Bin: filepath.Join(unpacked, "usr/sbin/syslog-ng"), Root: unpacked}},
		{name: "env binary", env: filepath.Join(unpacked, "usr/sbin/syslog-ng"), opt: absent, path: empty,
			want: SyslogNGInstall{Bin: filepath.Join(unpacked, "usr/sbin/syslog-ng"), Root: unpacked}},
		{name: "opt root", opt: unpacked, path: onPath,
			want: SyslogNGInstall{Bin: filepath.Join(unpacked, "usr/sbin/syslog-ng"), Root: unpacked}},
		{name: "on PATH", opt: absent, path: empty + string(os.PathListSeparator) + onPath,
			want: SyslogNGInstall{Bin: filepath.Join(onPath, "syslog-ng")}},
		{name: "nowhere", opt: absent, path: empty,
			wantLooked: []string{"$SYSLOG_NG (not set)", filepath.Join(absent, "usr/sbin/syslog-ng"), "syslog-ng on $PATH (" + empty + ")"}},
		{name: "nowhere, env set", env: absent + "2", opt: absent, path: empty,
			wantLooked: []string{filepath.Join(absent+"2", "usr/sbin/syslog-ng"), filepath.Join(absent, "usr/sbin/syslog-ng"), "on $PATH"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("PATH", tc.path)
			got, err := FindSyslogNG(tc.env, tc.opt)
			if tc.wantLooked == nil {
				if err != nil || got != tc.want {
					t.Fatalf("FindSyslogNG = %+v, %v; want %+v", got, err, tc.want)
				}
				return
			}
			var nf *NotFoundError
			if !errors.As(err, &nf) {
				t.Fatalf("FindSyslogNG = %+v, %v; want a *NotFoundError", got, err)
			}
			if len(nf.Looked) != len(tc.wantLooked) {
				t.Fatalf("looked in %q; want %d places like %q", nf.Looked, len(tc.wantLooked), tc.wantLooked)
			}
			for i, w := range tc.wantLooked {
				if !strings.Contains(nf.Looked[i], w) || !strings.Contains(err.Error(), nf.Looked[i]) {
					t.Errorf("place %d = %q (error %q); want it to contain %q", i, nf.Looked[i], err, w)
				}
			}
		})
	}
}

func mkExec(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
}
