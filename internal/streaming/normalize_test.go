package streaming

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		body, line, id string
		kind           byte // of the key: keyTriple, keyBody or 0 for none
		ok             bool
	}{
		{`{"id":1653461355}`, `{"id":1653461355}`, `1653461355`, keyBody, true},
		{"{ \"id\" : \"1\" ,\n \"a\": [1, 2] }", `{"id":"1","a":[1,2]}`, `"1"`, keyBody, true},
		{`{"id":"9b7c4f1e-3f0a"}`, `{"id":"9b7c4f1e-3f0a"}`, `"9b7c4f1e-3f0a"`, keyBody, true},
		{`{"id":"a\"b\nc"}`, `{"id":"a\"b\nc"}`, `"a\"b\nc"`, keyBody, true}, // Go-quoted: no raw newline
		{`{"id":-1}`, `{"id":-1}`, `-1`, keyBody, true},
		{`{"id":1.5e3}`, `{"id":1.5e3}`, `1.5e3`, keyBody, true},
		{`{"id":7,"event_type":"x","created_at":"t"}`, `{"id":7,"event_type":"x","created_at":"t"}`, `7`, keyTriple, true},
		{`{"id":7,"event_type":"x","created_at":""}`, `{"id":7,"event_type":"x","created_at":""}`, `7`, keyBody, true},
		{`{"id":7,"event_type":"x","created_at":5}`, `{"id":7,"event_type":"x","created_at":5}`, `7`, keyBody, true},
		{`{"id":7,"created_at":"t"}`, `{"id":7,"created_at":"t"}`, `7`, keyBody, true},
		{`{"event_type":"x","created_at":"t"}`, `{"event_type":"x","created_at":"t"}`, ``, 0, true},
		{`{"id":null}`, `{"id":null}`, ``, 0, true},
		{`{"id":true}`, `{"id":true}`, ``, 0, true},
		{`{"id":[1]}`, `{"id":[1]}`, ``, 0, true},
		{`{"id":""}`, `{"id":""}`, ``, 0, true},
		{`{"x":1}`, `{"x":1}`, ``, 0, true},
		{`{}`, `{}`, ``, 0, true},
		{"\t{\"a\":\"\\u00e9 \u00e9\"}\r\n", `{"a":"\u00e9 ` + "\u00e9" + `"}`, ``, 0, true},
		{``, ``, ``, 0, false},
		{`   `, ``, ``, 0, false},
		{`[]`, ``, ``, 0, false},
		{`null`, ``, ``, 0, false},
		{`{"a":1}x`, ``, ``, 0, false},
		{`{"a":1}{}`, ``, ``, 0, false},
		{`{"a":"` + "\n" + `"}`, ``, ``, 0, false}, // raw newline in a string
		{`{"a":01}`, ``, ``, 0, false},
		{`{'a':1}`, ``, ``, 0, false},
	}
	for _, tt := range tests {
		line, ev, err := normalize([]byte(tt.body))
		if (err == nil) != tt.ok {
			t.Errorf("%q: err = %v, want ok=%v", tt.body, err, tt.ok)
			continue
		}
		if !tt.ok {
			continue
		}
		if string(line) != tt.line+"\n" || ev.id != tt.id {
			t.Errorf("%q: line %q id %q, want %q %q", tt.body, line, ev.id, tt.line+"\n", tt.id)
		}
		switch {
		case tt.kind == 0 && ev.key != "":
			t.Errorf("%q: key %q, want none", tt.body, ev.key)
		case tt.kind != 0 && (!validKey([]byte(ev.key)) || ev.key[0] != tt.kind):
			t.Errorf("%q: key %q, want a valid key of kind %c", tt.body, ev.key, tt.kind)
		}
	}
}

// FuzzNormalize checks that whatever normalize accepts is one line holding
// one JSON object equal to the input, and that it accepts only what
// encoding/json considers valid.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{payloadMR88509, payloadDocs, payloadFalco, `{"id":1}`, `[]`, `{"a":"\u2028"}`, "{\"a\":\"\xff\"}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		line, _, err := normalize(body)
		if !json.Valid(body) {
			if err == nil {
				t.Fatalf("accepted invalid JSON %q", body)
			}
			return
		}
		if err != nil {
			return // valid JSON but not an object
		}
		if n := bytes.IndexByte(line, '\n'); n != len(line)-1 {
			t.Fatalf("line %q has a newline at %d", line, n)
		}
		var a, b any
		if json.Unmarshal(body, &a) != nil || json.Unmarshal(line, &b) != nil {
			t.Fatal("decode failed")
		}
		if _, ok := b.(map[string]any); !ok {
			t.Fatalf("accepted non-object %q", body)
		}
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if !bytes.Equal(ja, jb) {
			t.Fatalf("content changed: %s vs %s", ja, jb)
		}
	})
}
