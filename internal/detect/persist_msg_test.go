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
