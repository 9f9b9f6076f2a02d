package streaming

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		body, line, key string
		ok              bool
	}{
		{`{"id":1653461355}`, `{"id":1653461355}`, `1653461355`, true},
		{"{ \"id\" : \"1\" ,\n \"a\": [1, 2] }", `{"id":"1","a":[1,2]}`, `"1"`, true},
		{`{"id":"9b7c4f1e-3f0a"}`, `{"id":"9b7c4f1e-3f0a"}`, `"9b7c4f1e-3f0a"`, true},
		{`{"id":"a\"b\nc"}`, `{"id":"a\"b\nc"}`, `"a\"b\nc"`, true}, // the key is Go-quoted: no raw newline
		{`{"id":-1}`, `{"id":-1}`, `-1`, true},
		{`{"id":1.5e3}`, `{"id":1.5e3}`, `1.5e3`, true},
		{`{"id":null}`, `{"id":null}`, ``, true},
		{`{"id":true}`, `{"id":true}`, ``, true},
		{`{"id":[1]}`, `{"id":[1]}`, ``, true},
		{`{"x":1}`, `{"x":1}`, ``, true},
		{`{}`, `{}`, ``, true},
		{"\t{\"a\":\"\\u00e9 \u00e9\"}\r\n", `{"a":"\u00e9 ` + "\u00e9" + `"}`, ``, true},
		{``, ``, ``, false},
		{`   `, ``, ``, false},
		{`[]`, ``, ``, false},
		{`null`, ``, ``, false},
		{`{"a":1}x`, ``, ``, false},
		{`{"a":1}{}`, ``, ``, false},
		{`{"a":"` + "\n" + `"}`, ``, ``, false}, // raw newline in a string
		{`{"a":01}`, ``, ``, false},
		{`{'a':1}`, ``, ``, false},
	}
	for _, tt := range tests {
		line, key, err := normalize([]byte(tt.body))
		if (err == nil) != tt.ok {
			t.Errorf("%q: err = %v, want ok=%v", tt.body, err, tt.ok)
			continue
		}
		if !tt.ok {
			continue
		}
		if string(line) != tt.line+"\n" || key != tt.key {
			t.Errorf("%q: line %q key %q, want %q %q", tt.body, line, key, tt.line+"\n", tt.key)
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
