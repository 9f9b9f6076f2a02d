package agent

import (
	"bytes"
	"encoding/json"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
)

// TestDetectionsGoldenSplit runs the agent over every golden case whose
// input is one audit or application log in time order, dealt at random
// over two files of that log (each keeping its order), which the agent
// reads side by side at their own pace: it must raise the alerts detect
// raised on the one file (expected.json), with the same alert_ids, so the
// same counts, times and first events. Before the engine's reorder
// buffer, a spray over two application logs alerted at a later event,
// and a repeat of it was lost (trial 122); repository deletions and PATs
// over time alerted at other events. sentinel.impersonation runs with a
// look-back (max_lookback), without which an action read before its start
// is not wanted (see the README).
func TestDetectionsGoldenSplit(t *testing.T) {
	root := filepath.Join(testdata, "detections")
	dirs, err := filepath.Glob(filepath.Join(root, "*", "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob(filepath.Join(root, "*", "*", "expected.json"))
	split := 0
	for _, exp := range append(dirs, more...) {
		dir := filepath.Dir(exp)
		rel, _ := filepath.Rel(root, dir)
		rule, _, _ := strings.Cut(rel, string(filepath.Separator))
		log, ok := soleTimedLog(t, dir)
		if !ok {
			continue
		}
		split++
		t.Run(rel, func(t *testing.T) {
			tmp := t.TempDir()
			splitLog(t, filepath.Join(dir, log), filepath.Join(tmp, log), filepath.Join(tmp, log+".b"), rel)
			params := caseParams(t, dir)
			if rule == "sentinel.impersonation" {
				params["max_lookback"] = "200000"
			}
			got, _ := runDetectionsTuned(t, tmp, true, func(c *config.Config) { c.Detections.Params = params })
			var ids []string
			for _, a := range got.alerts {
				if a.sd["alert@32473"]["rule"] == rule {
					ids = append(ids, a.sd["alert@32473"]["alert_id"])
				}
			}
			want := expectedIDs(t, exp, rule)
			slices.Sort(ids)
			if !slices.Equal(ids, want) {
				t.Errorf("%s alert_ids from the two halves read side by side\n got %v\nwant %v (detect's on the whole file)", rule, ids, want)
			}
		})
	}
	if split < 25 {
		t.Errorf("%d golden cases split, want at least 25: the selection checks little", split)
	}
}

// timeKey finds the time of an audit or application log line.
var timeKey = regexp.MustCompile(`"time":"([^"]+)"`)

// soleTimedLog returns the name of dir's one log file when it is an
// audit or application JSON log whose lines all have a time, in order,
// and dir holds no other input.
func soleTimedLog(t *testing.T, dir string) (string, bool) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var logs []string
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".log") || strings.Contains(e.Name(), ".log.") {
			logs = append(logs, e.Name())
		}
	}
	if len(logs) != 1 || (logs[0] != "audit_json.log" && logs[0] != "application_json.log") {
		return "", false
	}
	var times []string
	lines := readLines(t, filepath.Join(dir, logs[0]))
	if len(lines) < 2 {
		return "", false
	}
	for _, l := range lines {
		m := timeKey.FindStringSubmatch(l)
		if m == nil {
			return "", false
		}
		times = append(times, m[1])
	}
	return logs[0], slices.IsSorted(times)
}

// splitLog deals the lines of src (two or more) at random (seeded by
// seed) to a and b, at least one to each.
func splitLog(t *testing.T, src, a, b, seed string) {
	h := fnv.New64a()
	h.Write([]byte(seed))
	rng := rand.New(rand.NewPCG(h.Sum64(), 3))
	lines := readLines(t, src)
	toB := make([]bool, len(lines))
	for i := range toB {
		toB[i] = rng.IntN(2) == 1
	}
	if !slices.Contains(toB, !toB[0]) {
		toB[len(toB)-1] = !toB[0]
	}
	var wa, wb bytes.Buffer
	for i, l := range lines {
		w := &wa
		if toB[i] {
			w = &wb
		}
		w.WriteString(l + "\n")
	}
	for path, buf := range map[string]*bytes.Buffer{a: &wa, b: &wb} {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// caseParams reads a golden case's args file (--param NAME=VALUE pairs).
func caseParams(t *testing.T, dir string) map[string]string {
	params := map[string]string{}
	data, err := os.ReadFile(filepath.Join(dir, "args"))
	if os.IsNotExist(err) {
		return params
	} else if err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(dir)
	args := strings.Fields(string(data))
	for i := 0; i+1 < len(args); i += 2 {
		if args[i] != "--param" {
			t.Fatalf("args: %q is not --param", args[i])
		}
		k, v, _ := strings.Cut(strings.ReplaceAll(args[i+1], "$DIR", abs), "=")
		params[k] = v
	}
	return params
}

// expectedIDs returns the sorted alert_ids of rule in a golden case's
// expected.json (detect's output, one alert a line).
func expectedIDs(t *testing.T, path, rule string) []string {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		var e struct {
			Rule    string `json:"rule"`
			AlertID string `json:"alert_id"`
		}
		if err := dec.Decode(&e); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if e.Rule == rule {
			want = append(want, e.AlertID)
		}
	}
	slices.Sort(want)
	return want
}
