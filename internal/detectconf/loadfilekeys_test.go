package detectconf

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadFileReportsOnlyReadKeys: detect --config reports the mistakes
// of the keys it reads (the detections block, hostname, forward.facility,
// forward.sd_id, forward.format) and none of the others (max_line_bytes,
// checkpoint_interval, sources, forward.url), which run and check report;
// before, the mistakes of some keys it does not read were reported (those
// of a wrong type) and others not (start_at).
func TestLoadFileReportsOnlyReadKeys(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		want       []string // the error's lines, after the file's path; none: accepted
	}{
		{"keys detect does not read", "max_line_bytes: lots\ncheckpoint_interval: [1s]\nstart_at: middle\nsources:\n  - /a.log\nforward:\n  url: 5\n", nil},
		{"keys it reads with the others", "max_line_bytes: lots\nforward:\n  url: 5\n  facility: local9\ndetections:\n  lateness: 0s\n", []string{
			`:4: forward.facility: unknown facility "local9"`,
			`:6: detections.lateness: 0s is out of range`,
		}},
		{"an unknown key is still a mistake", "colr: 1\nsources: 5\n", []string{`:1: unknown key "colr"`}},
		{"an unknown key in a block it does not read", "sources:\n  - path: /a.log\n    typo: 1\npipeline:\n  typo: 2\n", nil},
		{"an unknown key in a block it reads", "sources:\n  - path: /a.log\n    typo: 1\ndetections:\n  rules:\n    sentinel.bruteforce:\n      enabled: true\n      windoww: 1h\n  enabeld: true\n", []string{
			`:8: detections.rules.sentinel.bruteforce.windoww: rule sentinel.bruteforce has no parameter "windoww"`,
			`:9: unknown key "enabeld" in detections`,
		}},
		{"an unknown key in forward, whose wire keys it reads", "forward:\n  urll: x\n", []string{`:2: unknown key "urll" in forward`}},
		// fresh-user trial 250: its lateness went unused without a word.
		{"a detections block indented under a block it does not read", "sources:\n  - path: /a.log\n    detections:\n      lateness: 24h\n", []string{`:3: unknown key "detections" in sources[0] (it is a top-level key`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config.yaml")
			if err := os.WriteFile(path, []byte(tc.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			dc, err := LoadFile(path, nil)
			if dc.Geo != nil {
				dc.Geo.Close()
			}
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted, want %q", tc.want)
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(tc.want) {
				t.Fatalf("%d errors, want %d:\n%v", len(lines), len(tc.want), err)
			}
			for i, w := range tc.want {
				if !strings.HasPrefix(lines[i], path+w) {
					t.Errorf("error %d = %q, want it to start with %q", i+1, lines[i], path+w)
				}
			}
		})
	}
}

// TestLoadFileJSONSkipsForward: for detect's JSON output (wire false) an
// unknown key in forward, none of whose keys it reads then, is left to
// run and check (trial 52: detect --config refused forward.urll); with
// the wire form it is reported, as forward.facility is read.
func TestLoadFileJSONSkipsForward(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte("forward:\n  urll: x\n  facility: local9\ndetections:\n  enabled: true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := LoadFileWire(path, nil, nil, false); err != nil {
		t.Errorf("JSON output refused the forward block: %v", err)
	}
	_, _, _, err := LoadFileWire(path, nil, nil, true)
	if err == nil || !strings.Contains(err.Error(), `unknown key "urll" in forward`) || !strings.Contains(err.Error(), "forward.facility") {
		t.Errorf("wire output: err = %v, want the unknown key and the facility", err)
	}
}
