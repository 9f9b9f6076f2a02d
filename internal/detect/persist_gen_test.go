package detect

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// emptyEngineState is the engine's state file of an engine that saw
// nothing, as a release before generations wrote it.
const emptyEngineState = `{"schema":2,"rule":"_engine","saved_at":"2025-01-01T00:00:00Z","state":{"watermark":"0001-01-01T00:00:00Z","positions":{},"events":null,"alerts":null,"suppress":null}}` + "\n"

// TestStateGenerations: a rule's saved state is restored only together
// with the engine's state saved by the same save or a later one; else
// (the engine's file corrupt, missing, or older than the rule's) it is
// discarded with one warning and the rule starts again. Files written
// before generations were recorded load as before. The state is that of
// sentinel.pat_over_time after one token creation: restored, a second
// creation the same day alerts (more than min_tokens=1).
func TestStateGenerations(t *testing.T) {
	const rule = "sentinel.pat_over_time"
	tests := []struct {
		name     string
		edit     func(t *testing.T, dir string) // dir: state_dir/detect after two saves
		restored bool
	}{
		{"as saved", func(*testing.T, string) {}, true},
		{"engine file corrupt", func(t *testing.T, dir string) { writeState(t, dir, StateName, "{\"schema\":2,\"rule\":") }, false},
		{"engine file missing", func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, StateName+".json")) }, false},
		{"engine file of an earlier save", func(t *testing.T, dir string) { setGeneration(t, dir, StateName, 1) }, false},
		{"rule file of an earlier save", func(t *testing.T, dir string) { setGeneration(t, dir, rule, 1) }, true},
		{"both without generation (earlier release)", func(t *testing.T, dir string) {
			setGeneration(t, dir, StateName, 0)
			setGeneration(t, dir, rule, 0)
		}, true},
		{"rule file without generation, engine with", func(t *testing.T, dir string) { setGeneration(t, dir, rule, 0) }, true},
		{"engine file without generation, rule with", func(t *testing.T, dir string) { setGeneration(t, dir, StateName, 0) }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state := t.TempDir()
			e, _ := patEngine(t, state, nil)
			e.Process(patEvent(t, 1, "2025-09-18T12:01:00Z"))
			for range 2 { // generations 1 and 2
				if err := e.Save(); err != nil {
					t.Fatal(err)
				}
			}
			dir := filepath.Join(state, "detect")
			tt.edit(t, dir)
			var logs bytes.Buffer
			e2, alerts := patEngine(t, state, &logs)
			e2.Process(patEvent(t, 2, "2025-09-18T12:02:00Z"))
			if got := len(*alerts) == 1; got != tt.restored {
				t.Errorf("restored %v, want %v (alerts %d)\n%s", got, tt.restored, len(*alerts), logs.String())
			}
			discarded := strings.Count(logs.String(), "rules' state not restored")
			if want := map[bool]int{true: 0, false: 1}[tt.restored]; discarded != want || tt.restored == false && !strings.Contains(logs.String(), rule) {
				t.Errorf("%d warnings that the rule's state was discarded, want %d naming %s:\n%s", discarded, want, rule, logs.String())
			}
			// The next save's generation is above every file's: a later
			// restart restores the set it writes (with the day alerted if
			// the first token was restored, else one token to alert on).
			if err := e2.Save(); err != nil {
				t.Fatal(err)
			}
			logs.Reset()
			e3, alerts3 := patEngine(t, state, &logs)
			e3.Process(patEvent(t, 3, "2025-09-18T12:03:00Z"))
			if want := map[bool]int{true: 0, false: 1}[tt.restored]; len(*alerts3) != want || e3.Stats().StateLoadErrors != 0 {
				t.Errorf("after a save by the restarted engine: %d alerts (want %d), %d load errors\n%s",
					len(*alerts3), want, e3.Stats().StateLoadErrors, logs.String())
			}
		})
	}
}

// patEngine is an engine running only sentinel.pat_over_time with its
// state in stateDir, logging to logs (nil: discarded), and its alerts.
func patEngine(t *testing.T, stateDir string, logs *bytes.Buffer) (*Engine, *[]string) {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	if logs != nil {
		log = slog.New(slog.NewTextHandler(logs, nil))
	}
	var alerts []string
	e, err := New(Config{Only: []string{"sentinel.pat_over_time"}, StateDir: stateDir, Log: log,
		Emit: func(a *Alert) { alerts = append(alerts, a.ID) }})
	if err != nil {
		t.Fatal(err)
	}
	return e, &alerts
}

// patEvent is the audit event of token creation n at ts.
func patEvent(t *testing.T, n int, ts string) *Event {
	t.Helper()
	line := fmt.Sprintf(`{"severity":"INFO","time":%q,"id":%d,"author_id":42,"entity_id":42,"entity_type":"User","author_name":"Alice Example","entity_path":"alice","target_type":"User","target_id":42,"event_name":"personal_access_token_created","custom_message":"Created personal access token with id %d"}`, ts, n, 600+n)
	var rec parser.Record
	if err := parser.New(parser.TypeAudit).Parse([]byte(line), &rec); err != nil {
		t.Fatal(err)
	}
	return NewEvent(&rec, []byte(line), "audit_json.log", OriginFile)
}

// writeState writes data as the state file name under dir.
func writeState(t *testing.T, dir, name, data string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name+".json"), []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

// setGeneration rewrites the generation of the state file name under dir
// (0: none, as before generations were recorded).
func setGeneration(t *testing.T, dir, name string, gen int) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	i, j := bytes.Index(b, []byte(`,"generation":`)), bytes.Index(b, []byte(`,"state":`))
	if i < 0 || j < i {
		t.Fatalf("%s: no generation: %s", name, b[:min(len(b), 200)])
	}
	field := ""
	if gen != 0 {
		field = fmt.Sprintf(`,"generation":%d`, gen)
	}
	writeState(t, dir, name, string(b[:i])+field+string(b[j:]))
}

// TestSaveEngineFileFailed: when the engine's file of a save cannot be
// written, the rules' files are not written either, so that the files on
// disk stay one save's and a restart restores the rules: rules' files of
// the failed save, newer than the engine's file left, would be discarded.
// The engine's file is made immutable (chattr +i), which makes its
// replacement fail while the directory stays writable.
func TestSaveEngineFileFailed(t *testing.T) {
	state := t.TempDir()
	e, _ := patEngine(t, state, nil)
	e.Process(patEvent(t, 1, "2025-09-18T12:01:00Z"))
	if err := e.Save(); err != nil {
		t.Fatal(err)
	}
	engineFile := filepath.Join(state, "detect", StateName+".json")
	if out, err := exec.Command("chattr", "+i", engineFile).CombinedOutput(); err != nil {
		t.Skipf("chattr +i %s: %v: %s (needs root and a file system with the immutable attribute)", engineFile, err, out)
	}
	t.Cleanup(func() { exec.Command("chattr", "-i", engineFile).Run() })
	e.Process(patEvent(t, 2, "2025-09-18T12:02:00Z")) // alerts (min_tokens=1): the day's state changes
	if err := e.Save(); err == nil {
		t.Fatal("Save passed with the engine's file immutable")
	}
	var logs bytes.Buffer
	e2, alerts := patEngine(t, state, &logs)
	if n := e2.Stats().StateLoadErrors; n != 0 {
		t.Fatalf("%d state files not restored after a save whose engine file failed:\n%s", n, logs.String())
	}
	e2.Process(patEvent(t, 3, "2025-09-18T12:03:00Z"))
	if len(*alerts) != 1 {
		t.Errorf("%d alerts for a second token of the day after the restart, want 1 (the first save's state restored)\n%s", len(*alerts), logs.String())
	}
}
