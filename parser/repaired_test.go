package parser

import "testing"

// TestRepaired checks Record.Repaired: the values decoded from JSON whose
// invalid UTF-8 was replaced by U+FFFD are counted, one per value however
// many bytes it had; valid values, escapes and the parsers that keep a
// value's bytes (access, text application) count none; a reused Record
// starts from 0.
func TestRepaired(t *testing.T) {
	const audit = `{"severity":"INFO","time":"2026-08-22T10:00:00.000Z","author_id":1,`
	for _, tc := range []struct {
		name string
		typ  Type
		line string
		want int
	}{
		{"audit valid", TypeAudit, audit + `"author_name":"Zoë \u00e9","entity_path":"x"}`, 0},
		{"audit string", TypeAudit, audit + "\"author_name\":\"a\xff\xfeb\",\"entity_path\":\"x\"}", 1},
		{"audit string with escapes", TypeAudit, audit + "\"author_name\":\"a\\n\xffb\",\"entity_path\":\"x\"}", 1},
		{"audit two values", TypeAudit, audit + "\"author_name\":\"a\xff\",\"entity_path\":\"\xc3\x28\"}", 2},
		{"audit object", TypeAudit, audit + "\"entity_path\":\"x\",\"from\":{\"k\":\"\xc3\x28\"}}", 1},
		{"application JSON", TypeApplication, "{\"severity\":\"INFO\",\"time\":\"2026-08-22T10:00:00.000Z\",\"message\":\"m\xff\"}", 1},
		// Username is taken out of the repaired message: a repaired value
		// too, as in a text line, where the encoder counts all three.
		{"application JSON, a column taken out of the message", TypeApplication, "{\"severity\":\"INFO\",\"time\":\"2026-08-22T10:00:00.000Z\",\"correlation_id\":\"c\xfe\",\"message\":\"Successful Login: username=r\xe9my ip=1.2.3.4 method=standard admin=false\"}", 3},
		{"application JSON, U+FFFD in a message not repaired", TypeApplication, "{\"severity\":\"INFO\",\"time\":\"2026-08-22T10:00:00.000Z\",\"message\":\"Successful Login: username=r\uFFFDmy ip=1.2.3.4 method=standard admin=false\"}", 0},
		{"auth", TypeAuth, "{\"severity\":\"ERROR\",\"time\":\"2026-08-22T10:00:00.000Z\",\"message\":\"Rack_Attack\",\"env\":\"throttle\",\"remote_ip\":\"1.2.3.4\",\"request_method\":\"GET\",\"path\":\"/\xff\"}", 1},
		{"access keeps bytes", TypeAccess, "1.2.3.4 - - [22/Aug/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"agent\xfe\"", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r Record
			r.Repaired = 7 // a reused Record
			if err := New(tc.typ).Parse([]byte(tc.line), &r); err != nil {
				t.Fatalf("parse: %v", err)
			}
			if r.Repaired != tc.want {
				t.Errorf("Repaired = %d, want %d (fields %q)", r.Repaired, tc.want, r.Fields)
			}
		})
	}
}
