package detect

import (
	"os"
	"strings"
	"testing"
)

// TestStoreErrorsSayWhatToDo: a state file that cannot be saved or
// restored is named with the cause and what to do. A directory in place
// of _engine.json (found by a fresh-user trial) gave only "rename ...:
// file exists"; a corrupt file is named with how to start fresh.
func TestStoreErrorsSayWhatToDo(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, path string)
		save  []string // in Save's error; nil: Save succeeds
		load  []string // in Load's error
	}{
		{"a directory in place of the file", func(t *testing.T, path string) {
			if err := os.MkdirAll(path+"/x", 0o750); err != nil {
				t.Fatal(err)
			}
		}, []string{"save " + StateName, "is a directory, not a state file: remove or move it"},
			[]string{"is a directory, not a state file: remove or move it"}},
		{"a corrupt file", func(t *testing.T, path string) {
			if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
				t.Fatal(err)
			}
		}, nil, []string{"corrupt state file", "remove or move " + "PATH" + " to start fresh"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, err := OpenStore(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			path := st.Path(StateName)
			tc.setup(t, path)
			_, lerr := st.Load(StateName, 1)
			for _, w := range tc.load {
				w = strings.ReplaceAll(w, "PATH", path)
				if lerr == nil || !strings.Contains(lerr.Error(), w) || !strings.Contains(lerr.Error(), path) {
					t.Errorf("Load: %v, want it to name %s and say %q", lerr, path, w)
				}
			}
			serr := st.Save(StateName, 1, []byte(`{}`))
			if tc.save == nil {
				if serr != nil {
					t.Errorf("Save: %v", serr)
				}
				return
			}
			for _, w := range tc.save {
				if serr == nil || !strings.Contains(serr.Error(), w) || !strings.Contains(serr.Error(), path) {
					t.Errorf("Save: %v, want it to name %s and say %q", serr, path, w)
				}
			}
		})
	}
}
