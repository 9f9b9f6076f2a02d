package detect

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var updateRules = flag.Bool("update-rules", false, "rewrite the expected.json of the stateful rules' golden cases")

// goldenAlert is the comparable form of an alert in expected.json.
type goldenAlert struct {
	Rule         string            `json:"rule"`
	AlertID      string            `json:"alert_id"`
	Time         string            `json:"time"`
	Key          map[string]string `json:"key,omitempty"`
	Columns      map[string]string `json:"columns,omitempty"`
	Count        int               `json:"count,omitempty"`
	Threshold    *float64          `json:"threshold,omitempty"`
	BaselineMean *float64          `json:"baseline_mean,omitempty"`
	BaselineSD   *float64          `json:"baseline_sd,omitempty"`
	Learning     bool              `json:"learning,omitempty"`
	WindowStart  string            `json:"window_start,omitempty"`
	FirstEvent   string            `json:"first_event,omitempty"`
	LastEvent    string            `json:"last_event,omitempty"`
	EventIDs     []string          `json:"event_ids,omitempty"`
	Event        string            `json:"event,omitempty"` // the triggering line, per-event alerts
}

func ts(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// round keeps 4 decimals, so that expected.json does not depend on the
// last bits of a float.
func round(f float64) *float64 {
	r := float64(int64(f*10000+0.5)) / 10000
	return &r
}

func toGolden(a *Alert) goldenAlert {
	g := goldenAlert{Rule: a.Info.ID, AlertID: a.ID, Time: ts(a.Time), Count: a.Count, Learning: a.Learning,
		WindowStart: ts(a.WindowStart), FirstEvent: ts(a.FirstEvent), LastEvent: ts(a.LastEvent), EventIDs: a.EventIDs}
	if len(a.Key) > 0 {
		g.Key = map[string]string{}
		for _, c := range a.Key {
			g.Key[c.Name] = c.Value
		}
	}
	if len(a.Columns) > 0 {
		g.Columns = map[string]string{}
		for _, c := range a.Columns {
			g.Columns[c.Name] = c.Value
		}
	}
	if a.HasThreshold {
		g.Threshold = round(a.Threshold)
	}
	if a.HasBaseline {
		g.BaselineMean, g.BaselineSD = round(a.BaselineMean), round(a.BaselineSD)
	}
	if a.Event != nil {
		g.Event = a.Event.Raw
	}
	return g
}

// readParams reads the case's params file: NAME=VALUE lines as given to
// detect --param; blank lines and # comments are skipped.
func readParams(t *testing.T, dir string) map[string]string {
	f, err := os.Open(filepath.Join(dir, "params"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("%s/params: %q is not NAME=VALUE", dir, line)
		}
		out[k] = v
	}
	return out
}

// TestGoldenStatefulRules runs every case under
// testdata/detections/<rule id>/<case>/ of the rules in statefulSpecs: the
// log files of the case merged in event-time order, only that rule on, with
// the case's params and the test GeoIP database. The alerts must equal
// expected.json; a case named near-miss* must expect none, every rule
// must have at least one case that fires.
func TestGoldenStatefulRules(t *testing.T) {
	geo := testGeoDB(t)
	for _, s := range statefulSpecs() {
		id := s.Info.ID
		root := filepath.Join("..", "..", "testdata", "detections", id)
		cases, err := os.ReadDir(root)
		if err != nil {
			t.Errorf("%s: no golden cases: %v", id, err)
			continue
		}
		fired, silent := false, false
		for _, c := range cases {
			if !c.IsDir() {
				continue
			}
			dir := filepath.Join(root, c.Name())
			t.Run(id+"/"+c.Name(), func(t *testing.T) {
				alerts, _ := runRule(t, id, readParams(t, dir), geo, "", readEvents(t, dir))
				got := make([]goldenAlert, 0, len(alerts))
				for _, a := range alerts {
					got = append(got, toGolden(a))
				}
				b, err := json.MarshalIndent(got, "", "  ")
				if err != nil {
					t.Fatal(err)
				}
				b = append(b, '\n')
				file := filepath.Join(dir, "expected.json")
				if *updateRules {
					if err := os.WriteFile(file, b, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(file)
				if err != nil {
					t.Fatalf("%v (run with -update-rules to create it, then check it by hand)", err)
				}
				if !bytes.Equal(b, want) {
					t.Errorf("alerts differ from %s:\n got: %s\nwant: %s", file, b, want)
				}
				if strings.HasPrefix(c.Name(), "near-miss") && len(alerts) > 0 {
					t.Errorf("near-miss case fired %d alerts", len(alerts))
				}
			})
			if strings.HasPrefix(c.Name(), "near-miss") {
				silent = true
			} else {
				fired = true
			}
		}
		if !fired || !silent {
			t.Errorf("%s: want at least one firing case and one near-miss case", id)
		}
	}
}
