package detect

import (
	"errors"
	"os"
	"strings"
	"testing"
)

func TestStoreRoundTrip(t *testing.T) {
	s, err := OpenStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load("sentinel.bruteforce", 1); !errors.Is(err, ErrNoState) {
		t.Fatalf("Load of nothing: %v, want ErrNoState", err)
	}
	if err := s.Save("sentinel.bruteforce", 1, []byte(`{"keys":[1,2]}`)); err != nil {
		t.Fatal(err)
	}
	got, err := s.Load("sentinel.bruteforce", 1)
	if err != nil || string(got) != `{"keys":[1,2]}` {
		t.Fatalf("Load = %s, %v", got, err)
	}
	tests := []struct {
		name    string
		version int
		file    string
		want    string
	}{
		{"other schema version", 2, "", "state schema 1, this version reads 2"},
		{"corrupt file", 1, `{"schema":1,"rule":"sentinel.bruteforce","state":{`, "corrupt state file"},
		{"file of another rule", 1, `{"schema":1,"rule":"x","state":{}}`, `state file is for "x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.file != "" {
				if err := os.WriteFile(s.Path("sentinel.bruteforce"), []byte(tt.file), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			_, err := s.Load("sentinel.bruteforce", tt.version)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), s.Path("sentinel.bruteforce")) {
				t.Errorf("Load: %v; want an error naming the file and %q", err, tt.want)
			}
		})
	}
	if err := s.Save("x", 1, []byte("not json")); err == nil {
		t.Error("Save accepted state that is not JSON")
	}
	ents, _ := os.ReadDir(s.Dir())
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}
