package detect

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSaveErrorMessage: a failed save names the rule's file once, without
// a doubled prefix ("detections: rule X: detections: save X: ...").
func TestSaveErrorMessage(t *testing.T) {
	dir := t.TempDir()
	e, err := New(Config{StateDir: dir, Only: []string{"sentinel.bruteforce"}})
	if err != nil {
		t.Fatal(err)
	}
	det := filepath.Join(dir, "detect")
	if err := os.RemoveAll(det); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(det, []byte("x"), 0o644); err != nil { // every write in it fails
		t.Fatal(err)
	}
	err = e.Save()
	if err == nil {
		t.Fatal("Save passed with state_dir/detect a file")
	}
	for _, line := range strings.Split(err.Error(), "\n") {
		if strings.Count(line, "detections:") != 1 {
			t.Errorf("error line %q: want detections: once", line)
		}
	}
	if !strings.Contains(err.Error(), "detections: save sentinel.bruteforce: ") {
		t.Errorf("error %q does not name the rule's state", err)
	}
}
