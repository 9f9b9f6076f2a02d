package detect

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSaveErrorMessage: a failed save names the file once, without a
// doubled prefix ("detections: rule X: detections: save X: ..."): the
// rule's when its file alone cannot be written (a directory in its
// place), the engine's when no file can (state_dir/detect a file), with
// the note that the rules' files were left as the last save wrote them.
func TestSaveErrorMessage(t *testing.T) {
	for _, tc := range []struct {
		name  string
		spoil func(t *testing.T, det string)
		want  string
	}{
		{"rule's file", func(t *testing.T, det string) {
			if err := os.MkdirAll(filepath.Join(det, "sentinel.bruteforce.json", "x"), 0o755); err != nil {
				t.Fatal(err)
			}
		}, "detections: save sentinel.bruteforce: "},
		{"every file", func(t *testing.T, det string) {
			if err := os.RemoveAll(det); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(det, []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, "detections: save _engine: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			e, err := New(Config{StateDir: dir, Only: []string{"sentinel.bruteforce"}})
			if err != nil {
				t.Fatal(err)
			}
			tc.spoil(t, filepath.Join(dir, "detect"))
			err = e.Save()
			if err == nil {
				t.Fatal("Save passed")
			}
			for _, line := range strings.Split(err.Error(), "\n") {
				if strings.Count(line, "detections:") != 1 {
					t.Errorf("error line %q: want detections: once", line)
				}
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not name the file (%s)", err, tc.want)
			}
		})
	}
}

// TestSaveRulesAfterOneFailed: once the engine's file is written, every
// rule's file is attempted: one rule's file that cannot be written (a
// directory in its place) leaves the others saved.
func TestSaveRulesAfterOneFailed(t *testing.T) {
	dir := t.TempDir()
	e, err := New(Config{StateDir: dir, Only: []string{"sentinel.bruteforce", "gitlab.password_spray"}})
	if err != nil {
		t.Fatal(err)
	}
	det := filepath.Join(dir, "detect")
	for _, id := range []string{"sentinel.bruteforce", "gitlab.password_spray"} {
		t.Run(id, func(t *testing.T) {
			if err := os.RemoveAll(det); err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Join(det, id+".json", "x"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := e.Save(); err == nil || !strings.Contains(err.Error(), "save "+id+":") {
				t.Fatalf("Save: %v; want the error of %s's file", err, id)
			}
			other := "gitlab.password_spray"
			if id == other {
				other = "sentinel.bruteforce"
			}
			if _, err := os.Stat(filepath.Join(det, other+".json")); err != nil {
				t.Errorf("%s's file not written after %s's failed: %v", other, id, err)
			}
		})
	}
}
