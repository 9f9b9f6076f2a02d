package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckProblemOnceWithAdvice: a GeoIP database that does not open is
// listed once, with what to do, also when the detections block has a
// mistake too (the rules' check reported it again, without the advice);
// a ti_file that names a directory says to give the file in it.
func TestCheckProblemOnceWithAdvice(t *testing.T) {
	dir := t.TempDir()
	head := "state_dir: " + filepath.Join(dir, "st") + "\nforward: {url: stdout}\nsources: [{type: audit, path: " + filepath.Join(dir, "audit_json.log") + "}, {type: access, path: " + filepath.Join(dir, "gitlab_access.log") + "}]\n"
	noDB := filepath.Join(dir, "GeoLite2-City.mmdb")
	for _, tc := range []struct {
		name, yaml, key, want string
	}{
		{"city_db, detections fine", head + "geoip:\n  city_db: " + noDB + "\n", "geoip.city_db:",
			"; give the path of a GeoLite2-City or GeoLite2-Country (or GeoIP2) .mmdb file"},
		{"city_db, a detections mistake", head + "geoip:\n  city_db: " + noDB + "\ndetections:\n  rules:\n    sentinel.bruteforce:\n      min_count: x\n", "geoip.city_db:",
			"; give the path of a GeoLite2-City or GeoLite2-Country (or GeoIP2) .mmdb file"},
		{"ti_file a directory", head + "detections:\n  rules:\n    sentinel.ti_malicious_ip:\n      ti_file: " + dir + "\n", "detections.rules.sentinel.ti_malicious_ip.ti_file:",
			": is a directory: ti_file is the indicator file (one IP address or CIDR per line), not its directory; give the file's path, or set enabled: false under detections.rules.sentinel.ti_malicious_ip"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := writeFile(t, filepath.Join(t.TempDir(), "c.yaml"), tc.yaml)
			out, err := execute(t, "check", "--config", cfg)
			if err == nil {
				t.Fatalf("check passed:\n%s", out)
			}
			_, problems, _ := strings.Cut(out, "problems:\n")
			if n := strings.Count(problems, ": "+tc.key); n != 1 {
				t.Errorf("%s listed %d times, want once:\n%s", tc.key, n, problems)
			}
			if !strings.Contains(problems, tc.want) {
				t.Errorf("no %q in:\n%s", tc.want, problems)
			}
		})
	}
}
