package checkpoint

import (
	"os"
	"path/filepath"
	"testing"
)

// TestPositionKeySymlinkedDir: a file reached through a symlink to its
// directory has the key of its real path; a record saved under the key of
// the unresolved path (before keys resolved symlinks) is still found and
// moved to the new key.
func TestPositionKeySymlinkedDir(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "gitlab-rails")
	if err := os.Mkdir(real, 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "logs")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	viaReal := filepath.Join(real, "audit_json.log")
	viaLink := filepath.Join(link, "audit_json.log")
	if PositionKey(viaLink) != PositionKey(viaReal) {
		t.Fatalf("PositionKey(%s) = %s, PositionKey(%s) = %s; want one key", viaLink, PositionKey(viaLink), viaReal, PositionKey(viaReal))
	}

	s := openTemp(t)
	old := legacyPositionKey(viaLink)
	if old == PositionKey(viaLink) {
		t.Fatal("the legacy key of a symlinked path equals the resolved one; the test needs them apart")
	}
	want := Position{Version: PositionVersion, Path: viaLink, File: viaLink, Offset: 42}
	if err := s.Save(old, want); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{viaLink, viaReal} { // the first load migrates
		p, err := s.LoadPosition(path)
		if err != nil || p == nil || p.Offset != 42 {
			t.Fatalf("LoadPosition(%s) = %+v, %v; want the legacy record at offset 42", path, p, err)
		}
	}
	if _, err := os.Stat(s.File(PositionKey(viaReal))); err != nil {
		t.Errorf("record not moved to the resolved key: %v", err)
	}
	if _, err := os.Stat(s.File(old)); !os.IsNotExist(err) {
		t.Errorf("legacy record %s still there after the move (stat: %v)", s.File(old), err)
	}
}
