package main

import (
	"bytes"
	"errors"
	"log/slog"
	"testing"
)

// TestCLIHandler: the engine's warnings and errors are written as detect's
// other messages ("detect: WARNING: FILE:LINE: message: cause (key:
// value); what to do"), its informational messages not at all. Before,
// they were slog's key=value lines (level=WARN msg=... file=... err=...).
func TestCLIHandler(t *testing.T) {
	for _, tc := range []struct {
		name string
		log  func(*slog.Logger)
		want string
	}{
		{"file, line and cause", func(l *slog.Logger) {
			l.Warn("threat-intelligence indicator skipped", "file", "ti.txt:2", "err", `"x" is not an IP address or CIDR`)
		}, "detect: WARNING: ti.txt:2: threat-intelligence indicator skipped: \"x\" is not an IP address or CIDR\n"},
		{"other attributes and a hint", func(l *slog.Logger) {
			l.Warn("file lists nothing", "file", "ti.txt", "skipped", 3, "hint", "list one per line")
		}, "detect: WARNING: ti.txt: file lists nothing (skipped: 3); list one per line\n"},
		{"error level, error value", func(l *slog.Logger) {
			l.Error("state not saved", "err", errors.New("disk full"))
		}, "detect: ERROR: state not saved: disk full\n"},
		{"attributes of With and a group", func(l *slog.Logger) {
			l.With("rule", "r1").WithGroup("g").Warn("m", "file", "not the file", "n", 1)
		}, "detect: WARNING: m (rule: r1, g.file: not the file, g.n: 1)\n"},
		{"info is left out", func(l *slog.Logger) { l.Info("indicators loaded", "file", "ti.txt") }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			tc.log(newCLILogger("detect", &b))
			if b.String() != tc.want {
				t.Errorf("got  %q\nwant %q", b.String(), tc.want)
			}
		})
	}
}
