package parser

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// bom is the UTF-8 byte order mark, U+FEFF, as the tests write it.
const bom = "\xef\xbb\xbf"

// TestByteOrderMark checks that a UTF-8 byte order mark before a JSON line
// (the first line of a file an editor saved) is skipped, as RFC 8259 §8.1
// allows, and so are two (saved twice; fresh-user trial 106): the line
// parses to the record it gives without the mark, and Detect gives it the
// same type; elsewhere in a line it stays an error.
func TestByteOrderMark(t *testing.T) {
	for _, c := range []struct {
		file string
		typ  Type
	}{
		{"audit_json.log", TypeAudit},
		{"application_json.log", TypeApplication},
		{"auth_json.log", TypeAuth},
	} {
		t.Run(c.file, func(t *testing.T) {
			line := firstLine(t, filepath.Join("..", "testdata", c.file))
			p := New(c.typ)
			var want, got Record
			if err := p.Parse(line, &want); err != nil {
				t.Fatalf("without the mark: %v", err)
			}
			want = cloneRecord(want)
			for _, marks := range []string{bom, bom + bom} {
				marked := append([]byte(marks), line...)
				if err := p.Parse(marked, &got); err != nil {
					t.Fatalf("with %d marks: %v", len(marks)/3, err)
				}
				if !reflect.DeepEqual(cloneRecord(got).Fields, want.Fields) || !got.Time.Equal(want.Time) {
					t.Errorf("with %d marks: %+v\nwithout: %+v", len(marks)/3, got.Fields, want.Fields)
				}
				if d := Detect(marked); d != c.typ {
					t.Errorf("Detect with %d marks: %v, want %v", len(marks)/3, d, c.typ)
				}
			}
			inside := append(append([]byte(`{"a":1,`), bom...), line[1:]...)
			if err := p.Parse(inside, &got); err == nil {
				t.Errorf("a mark inside the object parsed: %s", inside)
			}
		})
	}
}

func firstLine(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	if !sc.Scan() {
		t.Fatalf("%s: no line", path)
	}
	return bytes.Clone(sc.Bytes())
}

// cloneRecord returns r with its field values copied, so that a later
// Parse into the same parser does not change them.
func cloneRecord(r Record) Record {
	fs := make([]Field, len(r.Fields))
	for i, f := range r.Fields {
		fs[i] = Field{Name: f.Name, Value: bytes.Clone(f.Value)}
	}
	r.Fields = fs
	return r
}
