package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestValidateSameFileThroughSymlink: two sources naming one file, once
// through a symlink to its directory, are refused (they would share one
// checkpoint and send every line twice).
func TestValidateSameFileThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "gitlab-rails")
	if err := os.Mkdir(real, 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "logs")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	c := &Config{StateDir: t.TempDir(), Hostname: "h", Sources: []Source{
		{Type: "audit", Path: filepath.Join(real, "audit_json.log")},
		{Type: "audit", Path: filepath.Join(link, "audit_json.log")},
	}}
	c.Forward.URL = "stdout://"
	if _, err := c.Resolve(); err != nil {
		t.Fatal(err)
	}
	err := c.Validate()
	if err == nil || !strings.Contains(err.Error(), "sources[1].path: "+filepath.Join(link, "audit_json.log")+" is the file of sources[0]") {
		t.Errorf("Validate() = %v, want sources[1].path refused as the file of sources[0]", err)
	}
	c.Sources = c.Sources[1:]
	if err := c.Validate(); err != nil {
		t.Errorf("Validate() with the symlinked source alone = %v", err)
	}
}
