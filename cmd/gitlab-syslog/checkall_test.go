package main

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestCheckGoesOnAfterValueErrors: mistakes of keys and values do not stop
// check: the state directory, source and rule-file checks and the
// warnings still run on the rest of the file, every problem is listed in
// the order of the lines, and the verdict, counting them all, is the last
// line of the output. A bare string in sources hides none of the lines
// before it, nor the items after it, which keep their own index (they
// were left out of the check).
func TestCheckGoesOnAfterValueErrors(t *testing.T) {
	dir := t.TempDir()
	notDir := writeFile(t, filepath.Join(dir, "plain"), "x")
	ti := writeFile(t, filepath.Join(dir, "ti.txt"), "bad1\n10.0.0.1\nbad2\n")
	typeless := writeFile(t, filepath.Join(dir, "audit_json.log"), "{}\n")
	typed := writeFile(t, filepath.Join(dir, "other.log"), "{}\n\n")
	for _, tc := range []struct {
		name, config string
		want         []string // the problems, in order, after the config's directory
		wantOut      []string
	}{
		{"value errors with an unusable state_dir, a relative path, a bad ti_file",
			"state_dir: " + notDir + "/s\nstart_at: middle\nmax_line_bytes: [1]\nsources:\n  - type: audit\n    path: relative.log\n" +
				"  - type: audti\n    path: /tmp/x.log\ndetections:\n  rules:\n    sentinel.ti_malicious_ip:\n      ti_file: " + ti + "\n",
			[]string{
				"config.yaml:1: state_dir " + notDir + "/s: ",
				`config.yaml:2: start_at: "middle" is not one of beginning, end`,
				"config.yaml:3: max_line_bytes: want a number of bytes",
				`config.yaml:7: sources[1].type: "audti" is not one of`,
				"config.yaml:12: detections.rules.sentinel.ti_malicious_ip.ti_file: rule sentinel.ti_malicious_ip: " + ti + ": run skips 2 line(s) of it:",
			},
			[]string{`WARNING: ` + dir + `/config.yaml:6: sources[0].path: "relative.log" is relative`, "NOT WRITABLE"}},
		{"a bare string in sources",
			"state_dir: " + dir + "/s\nstart_at: middle\nsources:\n  - /var/log/gitlab/audit_json.log\n",
			[]string{
				`config.yaml:2: start_at: "middle" is not one of beginning, end`,
				`config.yaml:4: sources[0]: a source is a mapping of keys, not a bare path "/var/log/gitlab/audit_json.log": write it as - {type: audit, path: /var/log/gitlab/audit_json.log}`,
			},
			nil},
		{"a bare string between sources: the later ones are still checked, under their own index",
			"state_dir: " + dir + "/s\nsources:\n  - {type: audit, path: " + typed + "}\n  - /a.log\n  - {type: audti, path: " + typeless + "}\n" +
				"  - {type: audit, path: " + dir + "/later.log}\n",
			[]string{
				`config.yaml:4: sources[1]: a source is a mapping of keys, not a bare path "/a.log"`,
				`config.yaml:5: sources[2].type: "audti" is not one of audit, application, access, auth (did you mean "audit"?)`,
			},
			[]string{"ok, readable, 4 bytes", "SEE PROBLEMS: readable, 3 bytes", dir + "/later.log", "does not exist yet"}},
		{"a number for a source's path: refused with the quoted form to write, the source not called missing a path",
			"state_dir: " + dir + "/s\nsources:\n  - type: audit\n    path: 42\n",
			[]string{`config.yaml:4: sources[0].path: want a path, got 42, which YAML reads as a number, not text; give the file's path, or, if it is really named 42, quote it: path: "42"`},
			nil},
		// An inputs item's listen that does not parse hides none of its
		// other mistakes (fresh-user trial 84: the port alone, the three
		// others once it was fixed), nor the next items'; a scheme that
		// is not one of the four leaves its tls keys unchecked.
		{"an input's bad listen hides none of its other mistakes",
			"state_dir: " + dir + "/s\nsources: []\ndetections: {enabled: false}\ninputs:\n" +
				"  - listen: tcp://127.0.0.1:99999\n    max_message_bytes: 1KiB\n    max_connections: -3\n    idle_timeout: -5s\n" +
				"  - listen: tls://127.0.0.1:70000\n    other: keep\n  - listen: udp://127.0.0.1:514\n    max_connections: -1\n",
			[]string{
				`config.yaml:5: inputs[0].listen: listen "tcp://127.0.0.1:99999": port "99999" is not a number from 0 to 65535`,
				"config.yaml:6: inputs[0].max_message_bytes: tcp://127.0.0.1:99999: max_message_bytes is 1024; want at least 2048 ",
				"config.yaml:7: inputs[0].max_connections: tcp://127.0.0.1:99999: max_connections must not be negative",
				"config.yaml:8: inputs[0].idle_timeout: tcp://127.0.0.1:99999: idle_timeout must not be negative",
				`config.yaml:9: inputs[1].listen: listen "tls://127.0.0.1:70000": port "70000" is not a number from 0 to 65535`,
				"config.yaml:9: inputs[1].tls.cert_file: tls://127.0.0.1:70000 needs tls.cert_file and tls.key_file",
				`config.yaml:10: inputs[1].other: tls://127.0.0.1:70000: other is "keep", want forward or drop`,
				`config.yaml:11: inputs[2].listen: listen "udp://127.0.0.1:514": unknown scheme "udp" (want tcp, tls, relp or relp+tls)`,
				"config.yaml:12: inputs[2].max_connections: udp://127.0.0.1:514: max_connections must not be negative",
			},
			[]string{"inputs:     listening on tcp://127.0.0.1:99999 (INVALID, see problems), messages spooled to "}},
		{"a source with a problem is not shown as ok",
			"state_dir: " + dir + "/s\nsources:\n  - path: " + typeless + "\n  - type: audit\n    path: " + typed + "\n",
			[]string{`config.yaml:3: sources[0]: type is missing (want audit, application, access or auth; it may be left out only with format cri, docker or auto); audit_json.log is audit: add type: audit`},
			[]string{"SEE PROBLEMS: readable, 3 bytes", "ok, readable, 4 bytes"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := writeFile(t, filepath.Join(dir, "config.yaml"), tc.config)
			out, err := execute(t, "check", "--config", cfg)
			if err == nil {
				t.Fatalf("check passed:\n%s", out)
			}
			var got []string
			for _, l := range strings.Split(err.Error(), "\n")[1:] {
				if strings.HasPrefix(l, "  "+dir) {
					got = append(got, strings.TrimPrefix(l, "  "+dir+"/"))
				}
			}
			if len(got) != len(tc.want) {
				t.Fatalf("check listed %d problems, want %d:\n%v", len(got), len(tc.want), err)
			}
			for i, w := range tc.want {
				if !strings.HasPrefix(got[i], w) {
					t.Errorf("problem %d = %q, want it to start with %q", i+1, got[i], w)
				}
			}
			lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
			verdict := "result:     " + cfg + ": " + strconv.Itoa(len(tc.want)) + " problem(s)"
			if last := lines[len(lines)-1]; !strings.HasPrefix(last, verdict) {
				t.Errorf("last line %q, want the verdict %q", last, verdict)
			}
			for _, w := range tc.wantOut {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}
