package parser

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// checkColIDs fails unless r.Col(id) is r.Get(id.Name()) for every ColID.
// and, when ColIDs reports an index, that it has the bits of the columns
// present.
func checkColIDs(t *testing.T, what string, r *Record) {
	t.Helper()
	ids, indexed := r.ColIDs()
	for id := range NumColIDs {
		gv, gok := r.Get(id.Name())
		cv, cok := r.Col(id)
		if gok != cok || !bytes.Equal(gv, cv) {
			t.Errorf("%s: Col(%s) = %q, %v; Get = %q, %v", what, id.Name(), cv, cok, gv, gok)
		}
		if indexed && (ids&(1<<id) != 0) != gok {
			t.Errorf("%s: ColIDs bit of %s is %v, Get found %v", what, id.Name(), ids&(1<<id) != 0, gok)
		}
		i, aok := r.ColAt(id)
		switch {
		case aok && (!indexed || !gok):
			t.Errorf("%s: ColAt(%s) = %d, true; indexed %v, Get found %v", what, id.Name(), i, indexed, gok)
		case aok && (i >= len(r.Fields) || r.firstOf(id.Name()) != i):
			t.Errorf("%s: ColAt(%s) = %d, first column of that name is %d", what, id.Name(), i, r.firstOf(id.Name()))
		case !aok && indexed && gok:
			t.Errorf("%s: ColAt(%s) reports none on an indexed record that has it", what, id.Name())
		}
	}
	if !indexed && ids != 0 {
		t.Errorf("%s: ColIDs = %#x without index", what, ids)
	}
}

// firstOf returns the position of the first column called name in r.Fields,
// -1 when there is none.
func (r *Record) firstOf(name string) int {
	for i := range r.Fields {
		if r.Fields[i].Name == name {
			return i
		}
	}
	return -1
}

// TestColMatchesGet parses every sample and case line with every parser and
// checks that Col answers what Get does, for every column id.
func TestColMatchesGet(t *testing.T) {
	files := map[string]Type{}
	for name, typ := range sampleFiles {
		files[filepath.Join("..", "testdata", name)] = typ
	}
	for name, typ := range caseFiles {
		files[filepath.Join("testdata", name)] = typ
	}
	var r Record
	n := 0
	for path, typ := range files {
		for i, line := range readFileLines(t, path) {
			for _, pt := range []Type{TypeAudit, TypeApplication, TypeAuth, TypeAccess, typ} {
				p := New(pt)
				if p == nil || p.Parse(line, &r) != nil {
					continue
				}
				what := fmt.Sprintf("%s:%d as %s", path, i+1, pt)
				checkColIDs(t, what, &r)
				if _, indexed := r.ColIDs(); indexed != (pt == TypeAudit) {
					t.Errorf("%s: ColIDs reports index %v", what, indexed)
				}
				n++
			}
		}
	}
	if n < 100 {
		t.Fatalf("only %d records checked", n)
	}
}

// TestColDuplicateKeys checks that Col gives the value the parser's rules
// make win when a line repeats a key: the last of the top level, the top
// level over details, the later details object, the last of a meta.* key
// (at its first position), event_type only without event_name.
func TestColDuplicateKeys(t *testing.T) {
	cases := []struct {
		line string
		id   ColID
		want string // "" absent
	}{
		{`{"author_id":1,"author_id":2}`, IDAuthorID, "2"},
		{`{"author_id":1,"author_id":"x"}`, IDAuthorID, ""},
		{`{"author_id":1,"author_id":null}`, IDAuthorID, ""},
		{`{"entity_id":null,"details":{"custom_message":"a"},"custom_message":"b"}`, IDCustomMessage, "b"},
		{`{"entity_id":null,"custom_message":"b","details":{"custom_message":"a"}}`, IDCustomMessage, "b"},
		{`{"entity_id":null,"details":{"custom_message":"a"},"details":{"custom_message":"c"}}`, IDCustomMessage, "c"},
		{`{"entity_id":null,"details":{"custom_message":"a"},"details":{}}`, IDCustomMessage, ""},
		{`{"entity_id":null,"meta.user":"a","meta.project":"p","meta.user":"b"}`, IDMetaUser, "b"},
		{`{"entity_id":null,"meta.user":"a","meta.us\u0065r":"b"}`, IDMetaUser, "b"},
		{`{"entity_id":null,"meta.user ":"a"}`, IDMetaUser, "a"},
		{`{"entity_id":null,"meta.user":"","meta.project":"p"}`, IDMetaUser, ""},
		{`{"entity_id":null,"event_type":"t","event_name":"n"}`, IDEventName, "n"},
		{`{"entity_id":null,"event_type":"t"}`, IDEventName, "t"},
		{`{"entity_id":null,"event_n\u0061me":"e","event_name":"f"}`, IDEventName, "f"},
		{`{"entity_id":null,"time":"-","created_at":"2024-01-02T03:04:05Z"}`, IDEventTime, "2024-01-02T03:04:05Z"},
		{`{"entity_id":null,"target_id":"-","target_id":"7"}`, IDTargetID, "7"},
		{`{"entity_id":null,"target_id":"7","target_id":"-"}`, IDTargetID, ""},
		{`{"entity_id":null,"ip_address":"1.2.3.4","meta.remote_ip":"5.6.7.8","meta.remote_ip":"9.9.9.9"}`, IDMetaRemoteIP, "9.9.9.9"},
	}
	var p Audit
	var r Record
	for _, c := range cases {
		if err := p.Parse([]byte(c.line), &r); err != nil {
			t.Fatalf("%s: %v", c.line, err)
		}
		v, ok := r.Col(c.id)
		if string(v) != c.want || ok != (c.want != "") {
			t.Errorf("%s: Col(%s) = %q, %v, want %q", c.line, c.id.Name(), v, ok, c.want)
		}
		checkColIDs(t, c.line, &r)
	}
}

// TestColManyMeta checks Col for meta.* columns beyond the positions the
// index holds (it searches for them) and on the parser's slow path.
func TestColManyMeta(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"author_id":5`)
	for i := range 300 {
		fmt.Fprintf(&b, `,"meta.k%d":"v"`, i)
	}
	b.WriteString(`,"meta.user":"u","meta.caller_id":"c\u00e9"}`)
	var p Audit
	var r Record
	if err := p.Parse([]byte(b.String()), &r); err != nil {
		t.Fatal(err)
	}
	if v, _ := r.Col(IDMetaUser); string(v) != "u" {
		t.Errorf("Col(meta.user) = %q, want u", v)
	}
	if v, _ := r.Col(IDMetaCallerID); string(v) != "c\u00e9" {
		t.Errorf("Col(meta.caller_id) = %q", v)
	}
	checkColIDs(t, "300 meta keys", &r)
}

// TestColBeyondIndex checks a line with more columns than the index holds
// positions for: the record has no index (ColIDs reports none) and Col
// answers what Get does, for columns before and beyond the limit.
func TestColBeyondIndex(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"author_id":5,"meta.user":"u"`)
	for i := range maxColAt + 10 {
		fmt.Fprintf(&b, `,"meta.k%d":1`, i)
	}
	b.WriteString(`,"meta.caller_id":"c"}`)
	var p Audit
	var r Record
	if err := p.Parse([]byte(b.String()), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Fields) <= maxColAt+1 {
		t.Fatalf("%d fields, want more than %d", len(r.Fields), maxColAt+1)
	}
	if _, indexed := r.ColIDs(); indexed {
		t.Error("ColIDs reports an index beyond maxColAt")
	}
	for id, want := range map[ColID]string{IDAuthorID: "5", IDMetaUser: "u", IDMetaCallerID: "c"} {
		if v, ok := r.Col(id); !ok || string(v) != want {
			t.Errorf("Col(%s) = %q, %v; want %q", id.Name(), v, ok, want)
		}
	}
	checkColIDs(t, "beyond the index", &r)
	// The next line is indexed again.
	if err := p.Parse([]byte(`{"author_id":6}`), &r); err != nil {
		t.Fatal(err)
	}
	if ids, indexed := r.ColIDs(); !indexed || ids != 1<<IDAuthorID {
		t.Errorf("ColIDs = %#x, %v after a short line", ids, indexed)
	}
}

// TestColBadID checks Col and Name on values that are no ColID: every
// uint8, on an indexed record and on one built by hand (Col is then Get
// of "", which no column matches).
func TestColBadID(t *testing.T) {
	var p Audit
	var r Record
	if err := p.Parse([]byte(`{"severity":"INFO","author_id":1,"meta.user":"u"}`), &r); err != nil {
		t.Fatal(err)
	}
	hand := Record{Fields: []Field{{Name: ColSeverity, Value: []byte("INFO")}}}
	for id := NumColIDs; ; id++ {
		if id.Name() != "" {
			t.Errorf("ColID(%d).Name() = %q", id, id.Name())
		}
		for _, rec := range []*Record{&r, &hand} {
			if v, ok := rec.Col(id); ok || v != nil {
				t.Errorf("Col(%d) = %q, %v", id, v, ok)
			}
		}
		if id == 255 {
			break
		}
	}
}

// TestColHandBuilt checks Col on records not filled by the Audit parser:
// built by hand, filled by another parser, and changed after Parse (with
// DropIndex).
func TestColHandBuilt(t *testing.T) {
	r := Record{Fields: []Field{{Name: ColEventName, Value: []byte("x")}, {Name: "meta.user", Value: []byte("u")}}}
	checkColIDs(t, "by hand", &r)
	if v, ok := r.Col(IDEventName); !ok || string(v) != "x" {
		t.Errorf("Col(EventName) = %q, %v", v, ok)
	}
	var p Audit
	if err := p.Parse([]byte(`{"author_id":1,"meta.user":"u"}`), &r); err != nil {
		t.Fatal(err)
	}
	r.Fields = r.Fields[:1] // changed without DropIndex: Col must not read past Fields
	if v, ok := r.Col(IDMetaUser); ok {
		t.Errorf("Col(meta.user) = %q after the field was cut", v)
	}
	r.Fields = append(r.Fields[:0], Field{Name: ColEventName, Value: []byte("y")})
	r.DropIndex()
	checkColIDs(t, "changed and reindexed", &r)
	if _, ok := r.Col(IDAuthorID); ok {
		t.Error("Col(AuthorID) present after DropIndex of a record without it")
	}
}

// TestColIDNames checks that the ids name the Audit columns in order and
// the known meta.* columns, and that ColIDOf inverts Name.
func TestColIDNames(t *testing.T) {
	cols := Columns(TypeAudit)
	for i, c := range cols {
		if ColID(i).Name() != c {
			t.Errorf("ColID(%d).Name() = %q, want %q", i, ColID(i).Name(), c)
		}
	}
	if IDMetaUser.Name() != "meta.user" || NumColIDs.Name() != "" {
		t.Errorf("IDMetaUser %q, NumColIDs %q", IDMetaUser.Name(), NumColIDs.Name())
	}
	for id := range NumColIDs {
		if got, ok := ColIDOf(id.Name()); !ok || got != id {
			t.Errorf("ColIDOf(%q) = %d, %v", id.Name(), got, ok)
		}
	}
	if _, ok := ColIDOf("URI"); ok {
		t.Error("ColIDOf(URI) found")
	}
}
