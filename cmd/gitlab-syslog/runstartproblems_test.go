package main

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestRunStartProblemsAsCheck: run refuses to start with every problem
// check lists that stops it, in check's words (file:line, cause, what to
// do), one per line, in the order of the lines (trial 33, F4): a missing
// geoip.city_db was "agent: geoip: open city_db ..." without file, line
// or advice; several source problems were joined with "; " into one line;
// with mistakes of keys and values, the sources' problems were not
// listed.
func TestRunStartProblemsAsCheck(t *testing.T) {
	dir := t.TempDir()
	logDir, err := filepath.Abs("../../testdata")
	if err != nil {
		t.Fatal(err)
	}
	srcDir := filepath.Join(dir, "srcdir")
	if err := os.Mkdir(srcDir, 0o755); err != nil {
		t.Fatal(err)
	}
	gz := writeFile(t, filepath.Join(dir, "audit.log"), "\x1f\x8b\x08\x00 not really gzip")
	writeFile(t, gz+".gz", "\x1f\x8b\x08\x00 not really gzip")
	noDB := filepath.Join(dir, "GeoLite2-City.mmdb")
	sources := "sources:\n  - type: audit\n    path: " + srcDir + "\n  - type: audit\n    path: " + gz + "\n"
	tests := []struct {
		name, config string
		want         []string // the start of each problem, after the config's path
	}{
		{"missing geoip.city_db", "log_dir: " + logDir + "\ngeoip:\n  city_db: " + noDB + "\n", []string{
			":3: geoip.city_db: open city_db " + noDB},
		},
		{"both geoip databases missing: each named (trial 35, F2)", "log_dir: " + logDir + "\ngeoip:\n  city_db: " + noDB + "\n  asn_db: " + noDB + ".asn\n", []string{
			":3: geoip.city_db: open city_db " + noDB,
			":4: geoip.asn_db: open asn_db " + noDB + ".asn",
		}},
		{"a missing asn_db beside a good city_db: its problem alone (trial 36, F1)", "log_dir: " + logDir + "\ngeoip:\n  city_db: " + filepath.Join(logDir, "geoip", "GeoIP2-City-Test.mmdb") + "\n  asn_db: " + noDB + ".asn\ndetections:\n  rules:\n    sentinel.signin_burst: {enabled: true}\n", []string{
			":4: geoip.asn_db: open asn_db " + noDB + ".asn",
		}},
		{"a .gz name, refused by the configuration: one problem (trial 36, F4)", "sources:\n  - type: audit\n    path: " + gz + ".gz\n", []string{
			":3: sources[0].path: " + gz + ".gz is named as a compressed file (.gz)",
		}},
		{"two sources that are not log files", sources, []string{
			":3: sources[0].path: source " + srcDir + ": is a directory",
			":5: sources[1].path: source " + gz + " holds gzip-compressed data",
		}},
		{"mistakes of values with the files' problems", "start_at: middle\nforward:\n  format: rfc9999\n" + sources + "geoip:\n  city_db: " + noDB + "\n", []string{
			`:1: start_at: "middle" is not one of beginning, end`,
			`:3: forward.format: "rfc9999" is not one of rfc5424, rfc3164`,
			":6: sources[0].path: source " + srcDir + ": is a directory",
			":8: sources[1].path: source " + gz + " holds gzip-compressed data",
			":10: geoip.city_db: open city_db " + noDB,
		}},
		{"an empty item in sources (fresh-user trial: left out silently)", "log_dir: " + logDir + "\nsources:\n  - {type: audit, path: " + filepath.Join(logDir, "audit_json.log") + "}\n  -\n", []string{
			":4: sources[1]: is an empty item (a - with nothing after it): give the source's keys after the -"},
		},
		{"streaming token_file a directory", "log_dir: " + logDir + "\nstreaming:\n  listen: 127.0.0.1:0\n  token_file: " + srcDir + "\n", []string{
			":4: streaming.token_file: " + srcDir + " is a directory; give the file"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := writeFile(t, filepath.Join(t.TempDir(), "config.yaml"), tt.config+"state_dir: "+filepath.Join(t.TempDir(), "state")+"\n")
			out, err := execute(t, "check", "--config", cfg, "--to", "stdout")
			var cp *checkProblems
			if !errors.As(err, &cp) {
				t.Fatalf("check: %v, want its problems:\n%s", err, out)
			}
			r := runCmd(t, "--config", cfg, "--to", "stdout", "--once")
			if r.err == nil {
				t.Fatalf("run started; log:\n%s", r.stderr)
			}
			got := strings.Split(r.err.Error(), "\n")
			if !slices.Equal(got, cp.problems) {
				t.Errorf("run's error, one line each:\n  %s\nwant check's problems:\n  %s", strings.Join(got, "\n  "), strings.Join(cp.problems, "\n  "))
			}
			if len(got) != len(tt.want) {
				t.Fatalf("run's error has %d lines, want %d:\n%v", len(got), len(tt.want), r.err)
			}
			for i, w := range tt.want {
				if !strings.HasPrefix(got[i], cfg+w) {
					t.Errorf("run's problem %d = %q, want it to start with %q", i+1, got[i], cfg+w)
				}
			}
			if r.stdout != "" {
				t.Errorf("run sent %d bytes before refusing", len(r.stdout))
			}
		})
	}
}
