package main

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestCheckHidesNothing: one check reports the problems of the rules' own
// files (a ti_file that lists nothing usable, is empty or is missing) and
// of a GeoIP database with the other mistakes of the detections block, in
// the order of the lines, each with what to do, and what else a rule with
// a bad value lacks (a GeoIP database), and lists the rules; the
// problems are printed before the verdict, on its stream, so that the
// verdict is the last line, and the error main prints is one short line.
// Before, a bad value (min_count: ten) left the rules unlisted and hid
// the ti_file's problems, and the problems came after the verdict.
func TestCheckHidesNothing(t *testing.T) {
	dir := t.TempDir()
	garbage := writeFile(t, filepath.Join(dir, "garbage.txt"), "garbage\x00\x01not an ip\n")
	empty := writeFile(t, filepath.Join(dir, "empty.txt"), "# nothing yet\n")
	missing := filepath.Join(dir, "missing.txt")
	head := "state_dir: " + filepath.Join(dir, "state") + "\nsources: [{type: audit, path: /a}, {type: access, path: /b},\n  {type: application, path: /c}]\n"
	auditOnly := "state_dir: " + filepath.Join(dir, "state") + "\nsources:\n  - {type: audit, path: /a}\n"
	ti := func(file string) string {
		return "detections:\n  rules:\n    sentinel.ti_malicious_ip:\n      ti_file: " + file + "\n"
	}
	const badValue = "    sentinel.bruteforce:\n      min_count: ten\n"
	for _, tc := range []struct {
		name, config string
		want         []string // the problems, in order: the start of each after the config's directory
		wantOut      []string
	}{
		{"garbage ti_file with a bad value: one problem for the file", head + ti(garbage) + badValue, []string{
			"config.yaml:7: detections.rules.sentinel.ti_malicious_ip.ti_file: rule sentinel.ti_malicious_ip: " + garbage + " lists no IP address or CIDR (1 line(s) skipped), so the rule matches nothing: list one IP address or CIDR per line (# starts a comment); run rereads the file when it changes and on SIGHUP; the lines skipped:\n      " + garbage + ":1: ",
			`config.yaml:9: detections.rules.sentinel.bruteforce.min_count: "ten": want a whole number`,
		}, []string{"on   sentinel.ti_malicious_ip ", "BAD  sentinel.bruteforce               -              set: min_count=ten at " + dir + "/config.yaml:9; its min_count \"ten\" is wrong (listed with the problems)"}},
		{"garbage ti_file of a rule no source feeds: not opened, as an off rule's; the values checked", auditOnly + ti(garbage) + badValue, []string{
			`config.yaml:9: detections.rules.sentinel.bruteforce.min_count: "ten": want a whole number`,
		}, []string{"off  sentinel.ti_malicious_ip          -              it alerts on lines of the access log (nginx/gitlab_access.log) and no source reads it"}},
		{"empty ti_file with a bad value: its warning too", head + ti(empty) + badValue, []string{
			`config.yaml:9: detections.rules.sentinel.bruteforce.min_count: "ten": want a whole number`,
		}, []string{"MATCHES NOTHING (warning below)", "WARNING: " + dir + "/config.yaml:7: detections.rules.sentinel.ti_malicious_ip.ti_file: rule sentinel.ti_malicious_ip: " + empty + " lists no IP address or CIDR"}},
		{"missing ti_file: what run does and what to do", head + ti(missing), []string{
			`config.yaml:7: detections.rules.sentinel.ti_malicious_ip.ti_file: "` + missing + `": stat ` + missing + ": no such file or directory: run starts without the file, and rule sentinel.ti_malicious_ip runs with no indicators, so it raises none of their alerts; restore the file, fix ti_file, or set enabled: false under detections.rules.sentinel.ti_malicious_ip to run without the rule",
		}, []string{"on   sentinel.ti_malicious_ip          Medium         its ti_file does not exist: run would run it with NO INDICATORS"}},
		{"ti_file a directory: its row says so", head + ti(dir), []string{
			`config.yaml:7: detections.rules.sentinel.ti_malicious_ip.ti_file: "` + dir + `": read ` + dir + ": is a directory",
		}, []string{"on   sentinel.ti_malicious_ip          Medium         its ti_file is a directory: run would run it with NO INDICATORS"}},
		{"missing ti_file: the rule runs, at its configured severity", head + ti(missing) + "      severity: High\n", []string{
			`config.yaml:7: detections.rules.sentinel.ti_malicious_ip.ti_file: "` + missing + `": stat ` + missing + ": no such file or directory: run starts without the file",
		}, []string{"on   sentinel.ti_malicious_ip          High           its ti_file does not exist: run would run it with NO INDICATORS"}},
		{"bad known_countries: and the rule lacks a GeoIP database", head + "detections:\n  rules:\n    falco.admin_mode_unknown_country:\n      known_countries: [de, \"\", PT ES]\n", []string{
			"config.yaml:6: detections.rules.falco.admin_mode_unknown_country: rule falco.admin_mode_unknown_country cannot run: needs a GeoIP City or Country database",
			"config.yaml:7: detections.rules.falco.admin_mode_unknown_country.known_countries[1]: is empty",
			`config.yaml:7: detections.rules.falco.admin_mode_unknown_country.known_countries: "de,PT ES": want ISO 3166-1 alpha-2`,
		}, []string{"BAD  falco.admin_mode_unknown_country  -              set: known_countries=de,PT ES at "}},
		// Two codes refused: the rule's missing database is still listed
		// (fresh-user trial 87: with two bad codes it was not).
		{"two bad known_countries codes: and the rule lacks a GeoIP database", head + "detections:\n  rules:\n    falco.admin_mode_unknown_country:\n      known_countries: [UK, XX]\n", []string{
			"config.yaml:6: detections.rules.falco.admin_mode_unknown_country: rule falco.admin_mode_unknown_country cannot run: needs a GeoIP City or Country database",
			`config.yaml:7: detections.rules.falco.admin_mode_unknown_country.known_countries: "UK,XX": want ISO 3166-1 alpha-2 country codes such as DE,IE,PT (got "UK": the United Kingdom is GB)`,
			`config.yaml:7: detections.rules.falco.admin_mode_unknown_country.known_countries: "UK,XX": want ISO 3166-1 alpha-2 country codes such as DE,IE,PT (got "XX"`,
		}, []string{"BAD  falco.admin_mode_unknown_country  -              set: known_countries=UK,XX at "}},
		{"missing city_db: its key and what to do", head + "geoip:\n  city_db: " + missing + "\n", []string{
			"config.yaml:5: geoip.city_db: open city_db " + missing,
		}, []string{"give the path of a GeoLite2-City or GeoLite2-Country (or GeoIP2) .mmdb file (MaxMind's geoipupdate downloads them), or remove geoip.city_db"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := writeFile(t, filepath.Join(dir, "config.yaml"), tc.config)
			out, err := execute(t, "check", "--config", cfg)
			if err == nil {
				t.Fatalf("check passed:\n%s", out)
			}
			if strings.Contains(out, "not listed") {
				t.Errorf("the rules are not listed:\n%s", out)
			}
			for _, w := range tc.wantOut {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			verdict := "result:     " + cfg + ": " + itoa(len(tc.want)) + " problem(s)"
			if last := lines[len(lines)-1]; !strings.HasPrefix(last, verdict) {
				t.Errorf("last line %q, want the verdict %q", last, verdict)
			}
			_, list, ok := strings.Cut(out, "\nproblems:\n")
			if !ok {
				t.Fatalf("no problem list before the verdict:\n%s", out)
			}
			list = list[:strings.LastIndex(list, "\nresult:")]
			for _, w := range tc.want {
				i := strings.Index(list, "  "+dir+"/"+w)
				if i < 0 {
					t.Fatalf("problem list lacks (in order) %q:\n%s", w, list)
				}
				list = list[i+len(w):]
			}
			if short := exitMessage(t.Context(), err, false); short != "check: "+itoa(len(tc.want))+" problem(s), listed above the result line" {
				t.Errorf("main prints %q, want one short line", short)
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
