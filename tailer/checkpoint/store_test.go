package checkpoint

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func openTemp(t *testing.T) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "state"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// A record saved is loaded back equal, and no temp file is left beside it.
func TestSaveLoad(t *testing.T) {
	s := openTemp(t)
	type rec struct {
		N    int      `json:"n"`
		Keys []string `json:"keys"`
	}
	want := rec{N: 7, Keys: []string{"a", "b"}}
	if err := s.Save("detect-brute-force", want); err != nil {
		t.Fatal(err)
	}
	var got rec
	found, err := s.Load("detect-brute-force", &got)
	if err != nil || !found || !reflect.DeepEqual(got, want) {
		t.Fatalf("Load = %v, %v, %+v; want true, nil, %+v", found, err, got, want)
	}
	data, err := os.ReadFile(s.File("detect-brute-force"))
	if err != nil || string(data) != `{"n":7,"keys":["a","b"]}`+"\n" {
		t.Errorf("file holds %q (%v)", data, err)
	}
	ents, _ := os.ReadDir(s.Dir())
	if len(ents) != 1 {
		t.Errorf("directory holds %d entries, want only the record", len(ents))
	}
}

func TestLoadMissingAndInvalid(t *testing.T) {
	s := openTemp(t)
	var v map[string]any
	if found, err := s.Load("nothing", &v); found || err != nil {
		t.Errorf("Load of a missing record = %v, %v; want false, nil", found, err)
	}
	if err := os.WriteFile(s.File("bad"), []byte(`{"version":1,"offs`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := s.Load("bad", &v)
	if err == nil || !strings.Contains(err.Error(), s.File("bad")) || !strings.Contains(err.Error(), "not valid JSON") {
		t.Errorf("Load of a cut record = %v, want an error naming the file and invalid JSON", err)
	}
	// An empty file is called so, and each kind of record by its name.
	for key, want := range map[string]string{
		PositionKeyPrefix + "0123": "checkpoint " + s.File(PositionKeyPrefix+"0123") + " is empty",
		WaitKeyPrefix + "0123":     "wait record " + s.File(WaitKeyPrefix+"0123") + " is empty",
		"other":                    "state record " + s.File("other") + " is empty",
	} {
		if err := os.WriteFile(s.File(key), []byte("\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Load(key, &v); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Load of an empty %s = %v, want it to say %q", key, err, want)
		}
	}
}

func TestKeys(t *testing.T) {
	cases := []struct {
		key string
		ok  bool
	}{
		{"tail-0123abcd", true},
		{"detect.state_v2", true},
		{"", false},
		{".hidden", false},
		{"../escape", false},
		{"a/b", false},
		{"spa ce", false},
	}
	s := openTemp(t)
	for _, c := range cases {
		err := s.Save(c.key, 1)
		if (err == nil) != c.ok {
			t.Errorf("Save(%q) = %v, want ok=%v", c.key, err, c.ok)
		}
	}
	// A temp file of an interrupted write and a file of another kind are
	// not records.
	os.WriteFile(filepath.Join(s.Dir(), ".tail-x.json.tmp-123"), nil, 0o600)
	os.WriteFile(filepath.Join(s.Dir(), "notes.txt"), nil, 0o600)
	all, err := s.Keys("")
	if err != nil || !reflect.DeepEqual(all, []string{"detect.state_v2", "tail-0123abcd"}) {
		t.Errorf("Keys(\"\") = %v, %v", all, err)
	}
	tails, _ := s.Keys("tail-")
	if !reflect.DeepEqual(tails, []string{"tail-0123abcd"}) {
		t.Errorf("Keys(\"tail-\") = %v", tails)
	}
	if err := s.Remove("tail-0123abcd"); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove("tail-0123abcd"); err != nil {
		t.Errorf("Remove of a removed record = %v, want nil", err)
	}
	if tails, _ := s.Keys("tail-"); len(tails) != 0 {
		t.Errorf("after Remove, Keys = %v", tails)
	}
}

// A checkpoint written in the version-1 format (testdata) loads, field for
// field, and is the record of its path.
func TestLoadPositionV1(t *testing.T) {
	data, err := os.ReadFile("testdata/position-v1.json")
	if err != nil {
		t.Fatal(err)
	}
	s := openTemp(t)
	path := "/var/log/gitlab/gitlab-rails/audit_json.log"
	if err := os.WriteFile(filepath.Join(s.Dir(), PositionKey(path)+".json"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := s.LoadPosition(path)
	if err != nil || p == nil {
		t.Fatalf("LoadPosition = %v, %v", p, err)
	}
	want := Position{Version: 1, Path: path, File: path, Dev: 2049, Ino: 1835047,
		Fingerprint: "6d0b3b1f0b7b0c4f0f4c1ed0c3a1f3e6c59f0f0ab9d0d9f5b3e7a0b6c8d2e4f1", FpLen: 1024,
		Offset: 7741, PreLen: 32, PreHash: "b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c",
		Updated: time.Date(2026, 11, 28, 17, 4, 5, 123456789, time.UTC)}
	if !reflect.DeepEqual(*p, want) {
		t.Errorf("LoadPosition =\n%+v\nwant\n%+v", *p, want)
	}
	// The first 16 hex digits of SHA-256 of the path (sha256sum).
	if k := PositionKey(path); k != "tail-b1ce4a06245ac4b2" {
		t.Errorf("PositionKey(%q) = %q, want tail-b1ce4a06245ac4b2", path, k)
	}
}

// A checkpoint written in the version-2 format (testdata), with the
// position of the newer file read while the older one was drained, loads
// field for field.
func TestLoadPositionV2(t *testing.T) {
	data, err := os.ReadFile("testdata/position-v2.json")
	if err != nil {
		t.Fatal(err)
	}
	s := openTemp(t)
	path := "/var/log/gitlab/gitlab-rails/audit_json.log"
	if err := os.WriteFile(s.File(PositionKey(path)), data, 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := s.LoadPosition(path)
	if err != nil || p == nil {
		t.Fatalf("LoadPosition = %v, %v", p, err)
	}
	want := Position{Version: 2, Path: path, File: path, Dev: 2049, Ino: 1835047,
		Fingerprint: "6d0b3b1f0b7b0c4f0f4c1ed0c3a1f3e6c59f0f0ab9d0d9f5b3e7a0b6c8d2e4f1", FpLen: 1024,
		Offset: 7741, PreLen: 32, PreHash: "b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c",
		Next: &FilePosition{File: path, Dev: 2049, Ino: 1835102,
			Fingerprint: "0f3c2a9e5d1b7c4f8e6a0d2b9c3e5f7a1b4d6c8e0f2a4b6c8d0e2f4a6b8c0d2e", FpLen: 512,
			Offset: 512, PreLen: 32, PreHash: "4e07408562bedb8b60ce05c1decfe3ad16b72230967de01f640b7e4729b49fce"},
		Updated: time.Date(2026, 11, 29, 13, 40, 5, 500000000, time.UTC)}
	if !reflect.DeepEqual(*p, want) {
		t.Errorf("LoadPosition =\n%+v\nwant\n%+v", *p, want)
	}
}

// A checkpoint in the version-1 format with the positions of the files
// between the renamed file and the newest (testdata) loads field for
// field.
func TestLoadPositionBetween(t *testing.T) {
	data, err := os.ReadFile("testdata/position-v1-between.json")
	if err != nil {
		t.Fatal(err)
	}
	s := openTemp(t)
	path := "/var/log/gitlab/gitlab-rails/audit_json.log"
	if err := os.WriteFile(s.File(PositionKey(path)), data, 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := s.LoadPosition(path)
	if err != nil || p == nil {
		t.Fatalf("LoadPosition = %v, %v", p, err)
	}
	want := Position{Version: 1, Path: path, File: path + ".3", Dev: 2049, Ino: 1835047,
		Fingerprint: "6d0b3b1f0b7b0c4f0f4c1ed0c3a1f3e6c59f0f0ab9d0d9f5b3e7a0b6c8d2e4f1", FpLen: 1024,
		Offset: 7741, PreLen: 32, PreHash: "b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c",
		Next: &FilePosition{File: path, Dev: 2049, Ino: 1835110,
			Fingerprint: "0f3c2a9e5d1b7c4f8e6a0d2b9c3e5f7a1b4d6c8e0f2a4b6c8d0e2f4a6b8c0d2e", FpLen: 512,
			Offset: 512, PreLen: 32, PreHash: "4e07408562bedb8b60ce05c1decfe3ad16b72230967de01f640b7e4729b49fce"},
		Between: []FilePosition{
			{File: path, Dev: 2049, Ino: 1835102, Fingerprint: "9a1c3e5f7b9d1f3a5c7e9b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a", FpLen: 1024,
				Offset: 20480, PreLen: 32, PreHash: "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"},
			{File: path, Dev: 2049, Ino: 1835107, Fingerprint: "c4e6a8b0d2f4c6e8a0b2d4f6c8e0a2b4d6f8c0e2a4b6d8f0c2e4a6b8d0f2c4e6", FpLen: 1024,
				Offset: 4096},
		},
		Updated: time.Date(2026, 11, 29, 17, 2, 11, 250000000, time.UTC)}
	if !reflect.DeepEqual(*p, want) {
		t.Errorf("LoadPosition =\n%+v\nwant\n%+v", *p, want)
	}
}

// A record saved with Between is used by the release before Between: it
// loaded version-1 records into a Position with Next and without Between,
// ignoring unknown fields, and then reads the files between again from 0
// (at least once) and the newest file from Next.
func TestSavePositionBetweenReadByPreviousAgent(t *testing.T) {
	s := openTemp(t)
	next := &FilePosition{File: "/x.log", Dev: 3, Ino: 7, Offset: 30}
	saved := Position{Path: "/x.log", File: "/x.log.3", Dev: 3, Ino: 4, Fingerprint: "ab", FpLen: 2, Offset: 10,
		Next: next, Between: []FilePosition{{File: "/x.log", Dev: 3, Ino: 5, Offset: 20}, {File: "/x.log", Dev: 3, Ino: 6, Offset: 25}}}
	if err := s.SavePosition(saved); err != nil {
		t.Fatal(err)
	}
	var prev struct { // the record as the release before Between declared it
		Version int           `json:"version"`
		Path    string        `json:"path"`
		File    string        `json:"file,omitempty"`
		Dev     uint64        `json:"dev"`
		Ino     uint64        `json:"ino"`
		Offset  int64         `json:"offset"`
		Next    *FilePosition `json:"next,omitempty"`
	}
	if found, err := s.Load(PositionKey("/x.log"), &prev); !found || err != nil {
		t.Fatalf("Load = %v, %v", found, err)
	}
	if prev.Version != 1 || prev.Ino != 4 || prev.Offset != 10 || !reflect.DeepEqual(prev.Next, next) {
		t.Errorf("the previous release reads %+v (next %+v); want version 1, inode 4, offset 10, next %+v", prev, prev.Next, next)
	}
	p, err := s.LoadPosition("/x.log")
	if err != nil || !reflect.DeepEqual(p.Between, saved.Between) || !reflect.DeepEqual(p.Next, next) {
		t.Errorf("LoadPosition = %+v, %v; want Next %+v and Between %+v", p, err, next, saved.Between)
	}
}

// SavePosition writes version 1, with or without Next, and LoadPosition
// reads Next back from version 1 as from version 2.
func TestSavePositionVersion(t *testing.T) {
	s := openTemp(t)
	next := &FilePosition{Dev: 1, Ino: 2, Offset: 30}
	for _, n := range []*FilePosition{nil, next} {
		if err := s.SavePosition(Position{Path: "/x.log", Offset: 10, Next: n}); err != nil {
			t.Fatal(err)
		}
		var raw struct {
			Version int             `json:"version"`
			Next    json.RawMessage `json:"next"`
		}
		if found, err := s.Load(PositionKey("/x.log"), &raw); !found || err != nil {
			t.Fatalf("Load = %v, %v", found, err)
		}
		if raw.Version != 1 || (n == nil) != (raw.Next == nil) {
			t.Errorf("saved with Next %v: version %d, next %s; want version 1", n, raw.Version, raw.Next)
		}
		p, err := s.LoadPosition("/x.log")
		if err != nil || p.Offset != 10 || !reflect.DeepEqual(p.Next, n) {
			t.Errorf("LoadPosition = %+v, %v; want offset 10 and Next %+v", p, err, n)
		}
	}
}

// A record saved with Next is used by an agent that knows only version 1
// (the release before Next): it loaded a record only when its version was
// 1, into a Position without Next, ignoring unknown fields. A version it
// did not know made it discard the record, and start_at then skipped the
// lines written while it was stopped (start_at: end) or the rotated
// file's rest.
func TestSavePositionReadByVersion1Agent(t *testing.T) {
	s := openTemp(t)
	saved := Position{Path: "/x.log", File: "/x.log", Dev: 3, Ino: 4, Fingerprint: "ab", FpLen: 2, Offset: 10,
		Next: &FilePosition{File: "/x.log", Dev: 3, Ino: 5, Offset: 30}}
	if err := s.SavePosition(saved); err != nil {
		t.Fatal(err)
	}
	var v1 struct { // the version-1 record, as that agent declared it
		Version     int    `json:"version"`
		Path        string `json:"path"`
		File        string `json:"file,omitempty"`
		Dev         uint64 `json:"dev"`
		Ino         uint64 `json:"ino"`
		Fingerprint string `json:"fingerprint"`
		FpLen       int    `json:"fp_len"`
		Offset      int64  `json:"offset"`
	}
	if found, err := s.Load(PositionKey("/x.log"), &v1); !found || err != nil {
		t.Fatalf("Load = %v, %v", found, err)
	}
	if v1.Version != 1 || v1.Ino != 4 || v1.Offset != 10 || v1.File != "/x.log" {
		t.Errorf("a version-1 agent reads %+v; want version 1, inode 4, offset 10 (the renamed file's position)", v1)
	}
}

// TestPositionVersion: a record of a version LoadPosition does not know
// is an error naming it, a newer one asking whether a newer agent wrote
// it; one without a version (0: "{}") says so, not that (fresh-user trial
// 121).
func TestPositionVersion(t *testing.T) {
	s := openTemp(t)
	for v, want := range map[int]string{0: "has no version (want 1 to 2)", 3: "has version 3, want 1 to 2 (written by a newer agent?)"} {
		if err := s.Save(PositionKey("/x.log"), Position{Version: v, Path: "/x.log"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.LoadPosition("/x.log"); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("LoadPosition of version %d = %v, want an error saying %q", v, err, want)
		}
	}
	if p, err := s.LoadPosition("/other.log"); p != nil || err != nil {
		t.Errorf("LoadPosition without a record = %v, %v", p, err)
	}
}

// AtEnd compares the saved position with the file the path names now.
func TestAtEnd(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.log")
	if err := os.WriteFile(path, []byte("one\ntwo\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	dev, ino := DevIno(fi)
	s := openTemp(t)
	if _, ok := s.AtEnd(path); ok {
		t.Error("AtEnd without a saved position reports ok")
	}
	cases := []struct {
		name     string
		dev, ino uint64
		off      int64
		next     *FilePosition
		want     bool
	}{
		{"at its end", dev, ino, 8, nil, true},
		{"before its end", dev, ino, 4, nil, false},
		{"another file", dev, ino + 1, 8, nil, false},
		// Kept in a file renamed away, the position of the file at the
		// path is Next.
		{"next at its end", dev, ino + 1, 3, &FilePosition{Dev: dev, Ino: ino, Offset: 8}, true},
		{"next before its end", dev, ino + 1, 8, &FilePosition{Dev: dev, Ino: ino, Offset: 4}, false},
		{"next in another file", dev, ino, 8, &FilePosition{Dev: dev, Ino: ino + 2, Offset: 8}, true},
	}
	for _, c := range cases {
		if err := s.SavePosition(Position{Path: path, Dev: c.dev, Ino: c.ino, Offset: c.off, Next: c.next}); err != nil {
			t.Fatal(err)
		}
		if at, ok := s.AtEnd(path); !ok || at != c.want {
			t.Errorf("%s: AtEnd = %v, %v; want %v, true", c.name, at, ok, c.want)
		}
	}
}

func TestProbe(t *testing.T) {
	s := openTemp(t)
	if err := s.Probe(); err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(s.Dir()); len(ents) != 0 {
		t.Errorf("Probe left %d files", len(ents))
	}
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o600)
	if _, err := Open(filepath.Join(file, "state")); err == nil {
		t.Error("Open under a plain file succeeded")
	}
}

// TestReadPosition: ReadPosition reads the record SavePosition wrote, by
// its file's name; a missing file is fs.ErrNotExist and a record of a
// version it does not know an error naming the file, as LoadPosition's.
func TestReadPosition(t *testing.T) {
	s := openTemp(t)
	want := Position{Path: "/var/log/gitlab/gitlab-rails/audit_json.log", Dev: 1, Ino: 2, Fingerprint: strings.Repeat("ab", 32), FpLen: 32, Offset: 99}
	if err := s.SavePosition(want); err != nil {
		t.Fatal(err)
	}
	name := s.File(PositionKey(want.Path))
	got, err := ReadPosition(name)
	if err != nil {
		t.Fatal(err)
	}
	if got.Path != want.Path || got.Offset != want.Offset || got.Fingerprint != want.Fingerprint || got.Version != 1 {
		t.Errorf("ReadPosition = %+v, want %+v (version 1)", got, want)
	}
	if _, err := ReadPosition(filepath.Join(s.Dir(), "tail-0000000000000000.json")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing record: %v, want fs.ErrNotExist", err)
	}
	if err := os.WriteFile(name, []byte(`{"version":7}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadPosition(name); err == nil || !strings.Contains(err.Error(), name+" has version 7") {
		t.Errorf("version 7: %v, want an error naming %s and its version", err, name)
	}
}

// TestRemoveTemps: the temporary files of saves a crash interrupted are
// removed, and nothing else: records, other dot files, directories
// (trial 252: ".tail-...json.tmp-2289480162" stayed for ever).
func TestRemoveTemps(t *testing.T) {
	dir := t.TempDir()
	temps := []string{".tail-abc.json.tmp-2289480162", ".probe-12345"}
	kept := []string{"tail-abc.json", ".tail-abc.json.tmp-x1", ".probe-", ".hidden", "x.tmp-123"}
	for _, n := range append(slices.Clone(temps), kept...) {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("{}\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, ".d.tmp-1"), 0o700); err != nil {
		t.Fatal(err)
	}
	got, err := RemoveTemps(dir)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	want := []string{filepath.Join(dir, temps[0]), filepath.Join(dir, temps[1])}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("removed %v, want %v", got, want)
	}
	for _, n := range append(kept, ".d.tmp-1") {
		if _, err := os.Stat(filepath.Join(dir, n)); err != nil {
			t.Errorf("%s: %v (it is not a temporary file of a save)", n, err)
		}
	}
	if got, err := RemoveTemps(filepath.Join(dir, "absent")); got != nil || err != nil {
		t.Errorf("RemoveTemps of a missing dir = %v, %v", got, err)
	}
}
