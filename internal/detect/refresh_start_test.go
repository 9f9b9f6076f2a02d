package detect

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// TestKeepDataTIFileAtStart: an agent's engine (Config.Running) built at
// start (KeepData(nil)) with its ti_file missing, unusable or empty runs:
// the rule matches nothing, one line (an error for a missing or unusable
// file, a warning for an empty one) names the file, the cause and how to
// turn the rule off, and the file written later is read by Refresh with no
// SIGHUP. Without Running (check, detect) only the missing file is an
// error of New.
func TestKeepDataTIFileAtStart(t *testing.T) {
	for _, tc := range []struct {
		name, file   string // file "-": none
		level, cause string
		refused      bool // by New without Running
	}{
		{"missing", "-", "level=ERROR", "no such file", true},
		{"CSV", "ip,first_seen\n192.0.2.1,2026-01-01\n", "level=ERROR", "none of its lines", false},
		{"empty", "", "level=WARN", "lists no IP address or CIDR", false},
		{"comments only", "# none yet\n", "level=WARN", "lists no IP address or CIDR", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			var logs bytes.Buffer
			path := filepath.Join(t.TempDir(), "ti.txt")
			if tc.file != "-" {
				if err := os.WriteFile(path, []byte(tc.file), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			cfg := Config{Only: []string{"sentinel.ti_malicious_ip"}, Params: map[string]string{"ti_file": path},
				Now: func() time.Time { return now }, Log: slog.New(slog.NewTextHandler(&logs, nil))}
			if e, err := New(cfg); (err != nil) != tc.refused {
				t.Fatalf("without Running: err %v, want refused %v", err, tc.refused)
			} else if err == nil {
				e.Close()
			}
			logs.Reset()
			cfg.Running = true
			e, err := New(cfg)
			if err != nil {
				t.Fatalf("an agent's start: %v", err)
			}
			defer e.Close()
			e.KeepData(nil)
			rec := tiRecord(t)
			for range 3 {
				now = now.Add(tiCheckEvery)
				e.Refresh()
				if e.Want(parser.TypeAccess, rec) {
					t.Fatal("an address no file lists is wanted")
				}
			}
			var faults []string
			for _, l := range strings.Split(logs.String(), "\n") {
				if strings.Contains(l, "level=ERROR") || strings.Contains(l, "level=WARN") {
					faults = append(faults, l)
				}
			}
			if len(faults) != 1 || !strings.Contains(faults[0], tc.level) || !strings.Contains(faults[0], "file="+path+" ") ||
				!strings.Contains(faults[0], tc.cause) || !strings.Contains(faults[0], "enabled: false") && tc.name != "CSV" {
				t.Errorf("logged %d warnings and errors, want one %s naming %s, %q and how to turn the rule off:\n%s",
					len(faults), tc.level, path, tc.cause, logs.String())
			}
			if tc.level == "level=ERROR" && !strings.Contains(faults[0], "runs with no indicators") {
				t.Errorf("the error does not say that the rule runs with no indicators: %s", faults[0])
			}
			if err := os.WriteFile(path, []byte("192.0.2.0/24\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			later := time.Now().Add(time.Minute)
			if err := os.Chtimes(path, later, later); err != nil {
				t.Fatal(err)
			}
			now = now.Add(tiCheckEvery)
			e.Refresh()
			if !e.Want(parser.TypeAccess, rec) {
				t.Error("the file written after the start was not read by Refresh")
			}
		})
	}
}

// TestTIFileEmptiedWhileRunning: a ti_file that becomes empty (0 bytes,
// or only comments) while the rule holds indicators, as a feed job that
// truncates the file and then writes it leaves it for a moment, is a
// fault: the indicators stay, whether Refresh finds it, a SIGHUP rereads
// it (Reload) or an engine rebuilt at a SIGHUP takes over the old one's
// (KeepData); one error says that a running agent takes an empty list as a
// fault and how to turn the rule off. Once written, the file is read.
// Before, the empty file was taken and the rule went blind.
func TestTIFileEmptiedWhileRunning(t *testing.T) {
	for _, content := range []string{"", "# feed refresh in progress\n\n"} {
		for _, how := range []string{"Refresh", "Reload", "KeepData"} {
			t.Run(how+"/"+strings.TrimSpace(content), func(t *testing.T) {
				now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
				var logs bytes.Buffer
				e, path, rec := refreshFixture(t, "192.0.2.0/24\n", &now, &logs)
				if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
					t.Fatal(err)
				}
				later := time.Now().Add(time.Minute)
				if err := os.Chtimes(path, later, later); err != nil {
					t.Fatal(err)
				}
				logs.Reset()
				switch how {
				case "Refresh":
					now = now.Add(tiCheckEvery)
					e.Refresh()
				case "Reload":
					if err := e.Reload(); err == nil {
						t.Error("Reload of the emptied file returned no error")
					}
				case "KeepData":
					ne, err := New(Config{Only: []string{"sentinel.ti_malicious_ip"}, Params: map[string]string{"ti_file": path},
						Now: func() time.Time { return now }, Log: slog.New(slog.NewTextHandler(&logs, nil)), Running: true})
					if err != nil {
						t.Fatal(err)
					}
					ne.KeepData(e)
					e = ne
				}
				for range 2 {
					now = now.Add(tiCheckEvery)
					e.Refresh()
				}
				if !e.Want(parser.TypeAccess, rec) {
					t.Error("the indicators were dropped for an emptied file")
				}
				errs := strings.Count(logs.String(), "level=ERROR")
				if errs != 1 || !strings.Contains(logs.String(), "became empty") || !strings.Contains(logs.String(), "file="+path+" ") ||
					!strings.Contains(logs.String(), "indicators=1 ") || !strings.Contains(logs.String(), "enabled: false") ||
					strings.Contains(logs.String(), "level=WARN") {
					t.Errorf("%d errors logged, want one saying the file became empty, the indicators kept and how to turn the rule off:\n%s", errs, logs.String())
				}
				if err := os.WriteFile(path, []byte("198.51.100.7\n"), 0o600); err != nil {
					t.Fatal(err)
				}
				now = now.Add(tiCheckEvery)
				e.Refresh()
				if e.Want(parser.TypeAccess, rec) {
					t.Error("the file written again was not read")
				}
			})
		}
	}
}

// tiRecord is an access line from 192.0.2.1, parsed.
func tiRecord(t *testing.T) *parser.Record {
	t.Helper()
	rec := new(parser.Record)
	line := `192.0.2.1 - - [05/Mar/2025:14:00:01 +0000] "GET / HTTP/1.1" 200 10 "" "curl/8" -`
	if err := parser.New(parser.TypeAccess).Parse([]byte(line), rec); err != nil {
		t.Fatal(err)
	}
	return rec
}
