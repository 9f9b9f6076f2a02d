package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunWarnsBareLinesDropped: a container source without type whose
// records hold GitLab's lines not wrapped by gitlab-logger drops every
// line (a source without type takes the type from gitlab-logger's
// subcomponent); run says so once, naming the file and the type to give,
// where it logged only an INFO count before (fresh-user trial 76), and
// check warns the same, judged as run judges it (mapping.DroppedTally),
// where it said nothing (fresh-user trial). A source of that type,
// one with other_subcomponents: forward (which sends the lines raw) and
// gitlab-logger's own stream get no warning from either. Format auto drops
// them too, records or plain lines, and is warned about as well, where it
// was not (fresh-user trial 115).
func TestRunWarnsBareLinesDropped(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile(filepath.Join(samples, "audit_json.log"))
	if err != nil {
		t.Fatal(err)
	}
	var cri, docker strings.Builder
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		cri.WriteString("2026-12-01T10:00:00.000000000Z stdout F " + l + "\n")
		rec, err := json.Marshal(map[string]string{"log": l + "\n", "stream": "stdout", "time": "2026-12-01T10:00:00.000000000Z"})
		if err != nil {
			t.Fatal(err)
		}
		docker.Write(append(rec, '\n'))
	}
	pod := writeFile(t, filepath.Join(dir, "pod.log"), cri.String())
	dockerPod := writeFile(t, filepath.Join(dir, "docker-pod.log"), docker.String())
	plain := writeFile(t, filepath.Join(dir, "plain.log"), string(data))
	web, err := filepath.Glob(filepath.Join(samples, "kubernetes", "cri", "gitlab-webservice-*.log"))
	if err != nil || len(web) != 1 {
		t.Fatalf("sample: %q, %v", web, err)
	}
	const msg = "the first lines read from the file are audit lines not wrapped by gitlab-logger: the source, without type, drops them"
	for _, tc := range []struct {
		name, src, file string
		warns           int
		check           string // check's warning, after the config's path; "" none
	}{
		{"CRI, no type", "{path: " + pod + ", format: cri}", pod, 1,
			":5: sources[0].path: no type, format cri, but 20 of the first 20 lines of pod.log are audit lines not wrapped by gitlab-logger: a source without type takes the type of each line from gitlab-logger's subcomponent and drops the others, so run would drop them (counted in lines_dropped_total; it warns once it read them); write type: audit"},
		{"Docker, no type", "{path: " + dockerPod + ", format: docker}", dockerPod, 1,
			":5: sources[0].path: no type, format docker, but 20 of the first 20 lines of docker-pod.log are audit lines not wrapped by gitlab-logger"},
		{"CRI, auto, no type", "{path: " + pod + ", format: auto}", pod, 1,
			":5: sources[0].path: no type, format auto, but 20 of the first 20 lines of pod.log are audit lines not wrapped by gitlab-logger"},
		{"plain lines, auto, no type", "{path: " + plain + ", format: auto}", plain, 1,
			":5: sources[0].path: no type, format auto, but "},
		{"CRI, type audit", "{type: audit, path: " + pod + ", format: cri}", pod, 0, ""},
		{"plain lines, auto, type audit", "{type: audit, path: " + plain + ", format: auto}", plain, 0, ""},
		{"CRI, no type, other_subcomponents forward", "{path: " + pod + ", format: cri, other_subcomponents: forward}", pod, 0, ""},
		{"gitlab-logger's stream, no type", "{path: " + web[0] + ", format: cri}", web[0], 0, ""},
		{"gitlab-logger's stream, auto, no type", "{path: " + web[0] + ", format: auto}", web[0], 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := t.TempDir()
			cfg := writeFile(t, filepath.Join(d, "c.yaml"), "state_dir: "+filepath.Join(d, "st")+
				"\nforward: {url: stdout}\ndetections: {enabled: false}\nsources:\n  - "+tc.src+"\n")
			out, _ := execute(t, "check", "--config", cfg)
			if got := strings.Contains(out, "not wrapped by gitlab-logger"); tc.check == "" && got || tc.check != "" && !strings.Contains(out, cfg+tc.check) {
				t.Errorf("check: want the warning %q, got:\n%s", tc.check, out)
			}
			r := runCmd(t, "--config", cfg, "--once")
			recs := r.records(msg)
			if len(recs) != tc.warns || tc.warns == 1 && (recs[0]["file"] != tc.file || !strings.Contains(recs[0]["hint"].(string), "type: audit")) {
				t.Errorf("run: %d WARN %q, want %d naming %s and type: audit:\n%s", len(recs), msg, tc.warns, tc.file, r.stderr)
			}
		})
	}
}
