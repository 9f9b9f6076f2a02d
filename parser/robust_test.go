package parser

import (
	"bytes"
	"strings"
	"testing"
)

// TestHugeLines parses lines over 1 MiB with every parser.
func TestHugeLines(t *testing.T) {
	big := strings.Repeat("a", 2<<20)
	lines := map[Type]string{
		TypeAudit:       `{"author_id":1,"custom_message":"` + big + `","details":{"x":[` + strings.Repeat(`"y",`, 1<<18) + `"z"]}}`,
		TypeApplication: `2020-04-09T14:04:00.667Z: Failed Login: username=` + big + ` ip=1.2.3.4`,
		TypeAccess:      `1.2.3.4 - - [13/Jun/2024:11:09:02 +0000] "GET /` + big + ` HTTP/1.1" 414 0 "" "ua" -`,
	}
	want := map[Type][2]string{
		TypeAudit:       {ColCustomMessage, big},
		TypeApplication: {ColUsername, big},
		TypeAccess:      {ColURI, "/" + big},
	}
	for typ, line := range lines {
		var r Record
		if err := New(typ).Parse([]byte(line), &r); err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		if v, _ := r.Get(want[typ][0]); string(v) != want[typ][1] {
			t.Errorf("%s: %s has %d bytes, want %d", typ, want[typ][0], len(v), len(want[typ][1]))
		}
	}
	// Deep nesting and garbage of the same size fail cleanly.
	for _, line := range []string{strings.Repeat("[", 1<<20), `{"a":` + strings.Repeat("[", 1<<20), strings.Repeat("\xff", 1<<20)} {
		for _, typ := range []Type{TypeAudit, TypeApplication, TypeAccess} {
			if err := New(typ).Parse([]byte(line), new(Record)); err == nil {
				t.Errorf("%s accepted %d bytes of garbage", typ, len(line))
			}
		}
	}
}

// TestRecordReuse parses every pair of sample lines into one Record and
// checks the second result equals a fresh parse: no state leaks between
// lines.
func TestRecordReuse(t *testing.T) {
	lines := allSampleLines(t)
	for _, typ := range []Type{TypeAudit, TypeApplication, TypeAccess} {
		p := New(typ)
		var reused Record
		for _, a := range lines {
			for _, b := range lines {
				var fresh Record
				errFresh := p.Parse(b, &fresh)
				_ = p.Parse(a, &reused)
				err := p.Parse(b, &reused)
				if (err == nil) != (errFresh == nil) || (err == nil && !reused.Equal(&fresh)) {
					t.Fatalf("%s: parsing %.40q after %.40q differs from a fresh parse", typ, b, a)
				}
			}
		}
	}
}

// TestValuesSurviveParserReuse checks that a Record keeps its values when
// the same parser later parses a different line into another Record.
func TestValuesSurviveParserReuse(t *testing.T) {
	lines := readLines(t, "audit_json.log")
	p := new(Audit)
	var r1, r2 Record
	if err := p.Parse(lines[9], &r1); err != nil {
		t.Fatal(err)
	}
	before := formatCols(recordCols(&r1))
	for _, l := range lines {
		p.Parse(l, &r2)
	}
	if after := formatCols(recordCols(&r1)); after != before {
		t.Errorf("Record changed after the parser was reused:\n%s\nvs\n%s", before, after)
	}
	if v, _ := r1.Get(ColCustomMessage); !bytes.Contains(v, []byte("git-upload-pack")) {
		t.Errorf("CustomMessage = %q", v)
	}
}
