package detectconf

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
)

// TestLoadFileReportsAllMistakes: detect --config lists every mistake of
// the file at once, in the order of the lines, as check does: values of
// the wrong type, bad forward settings, a bad detections block, unknown
// rules and bad parameter values together.
func TestLoadFileReportsAllMistakes(t *testing.T) {
	path := writeConfig(t, "hostname: [x]\nforward:\n  facility: local9\ndetections:\n  lateness: -2m\n  rules:\n"+
		"    sentinel.bruteforce:\n      window: abc\n      min_count: [1]\n    sentinel.bruteforc:\n      enabled: true\n"+
		"    gitlab.password_spray:\n      min_users: -1\n")
	_, err := LoadFile(path, nil)
	if err == nil {
		t.Fatal("LoadFile accepted the file")
	}
	want := []string{
		"config.yaml:1: hostname: want a single value",
		"config.yaml:3: forward.facility: unknown facility",
		"config.yaml:5: detections.lateness: -2m0s is out of range",
		"config.yaml:8: detections.rules.sentinel.bruteforce.window: \"abc\"",
		"config.yaml:9: detections.rules.sentinel.bruteforce.min_count: want a single value",
		"config.yaml:10: detections.rules.sentinel.bruteforc: unknown rule",
		"config.yaml:13: detections.rules.gitlab.password_spray.min_users: \"-1\"",
	}
	checkMistakes(t, err, path, want)
}

// TestLoadFileMistakesInLineOrder: the bad parameter values a rule
// refuses (FileEngineErrs) are listed in the order of the file's lines,
// not in the order the rule reads them (fresh-user trial 111: sd_factor,
// line 10, came before min_count, line 8).
func TestLoadFileMistakesInLineOrder(t *testing.T) {
	path := writeConfig(t, "detections:\n  rules:\n    sentinel.bruteforce:\n      min_count: five\n      window: 60m\n      sd_factor: -1\n")
	dc, err := LoadFile(path, nil)
	if err != nil {
		t.Fatal(err) // the engine reads the parameters: detect.New refuses them
	}
	if _, err = detect.New(dc); err == nil {
		t.Fatal("detect.New accepted the parameters")
	}
	checkMistakes(t, FileEngineErrs(path, err), path,
		[]string{"config.yaml:4: detections.rules.sentinel.bruteforce.min_count", "config.yaml:6: detections.rules.sentinel.bruteforce.sd_factor"})
}

// checkMistakes checks that err lists one mistake per line, each
// starting with the directory of path, "/" and the entry of want in turn.
func checkMistakes(t *testing.T, err error, path string, want []string) {
	t.Helper()
	got := strings.Split(err.Error(), "\n")
	if len(got) != len(want) {
		t.Fatalf("%d mistakes reported, want %d:\n%v", len(got), len(want), err)
	}
	for i, w := range want {
		if !strings.HasPrefix(got[i], filepath.Dir(path)+"/"+w) {
			t.Errorf("mistake %d = %q, want it to start with %q", i+1, got[i], w)
		}
	}
}

// TestEmptyListNotAlsoMissing: a rule's list given empty is reported as
// empty, not as missing too ("cannot run: needs known_countries").
func TestEmptyListNotAlsoMissing(t *testing.T) {
	path := writeConfig(t, "detections:\n  rules:\n    falco.admin_mode_unknown_country:\n      enabled: true\n      known_countries: []\n")
	_, err := LoadFile(path, nil)
	want := path + ":5: detections.rules.falco.admin_mode_unknown_country.known_countries: the list is empty: give at least one item, or leave the key out"
	if err == nil || err.Error() != want {
		t.Errorf("LoadFile error\n%v\nwant\n%s", err, want)
	}
}

// writeConfig writes doc to config.yaml in a new temporary directory and
// returns its path.
func writeConfig(t *testing.T, doc string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
