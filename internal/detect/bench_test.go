package detect

import (
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// wantCases are lines no default rule wants (a current audit event of
// another name, an access line while the TI rule is off) and one it wants.
var wantCases = []struct {
	name string
	typ  parser.Type
	line string
	want bool
}{
	{"audit_miss", parser.TypeAudit, `{"severity":"INFO","time":"2025-03-05T11:00:00.000Z","correlation_id":"01HQ","id":91,"author_id":1,"entity_id":7,"entity_type":"Project","author_name":"Administrator","entity_path":"g/p","target_details":"g/p","created_at":"2025-03-05T10:59:59.993Z","target_type":"Project","target_id":7,"event_name":"project_name_updated","custom_message":"Changed name from a to b"}`, false},
	{"access_miss", parser.TypeAccess, `10.2.47.75 - somebody [13/Jun/2024:10:55:46 +0800] "GET /internal/gitlab-auditor.git/info/refs?service=git-receive-pack HTTP/1.1" 200 197 "" "git/2.39.2.windows.1" -`, false},
	{"application_miss", parser.TypeApplication, `{"severity":"INFO","time":"2024-05-31T18:31:54.810Z","correlation_id":"01HZ7YRD22BX48SC2QDM2A6FD9","message":"User Logout: username=root ip=192.168.65.1"}`, false},
	// Legacy lines (no EventName) of ordinary traffic: the fallback
	// predicates drop them in Want. A password sign-in is wanted (the
	// local-auth join's audit side).
	{"audit_legacy_member_miss", parser.TypeAudit, `{"severity":"INFO","time":"2024-05-31T14:00:01.123Z","correlation_id":"01HZ7YRD22BX48SC2QDM2A6FD9","author_id":10042,"author_name":"User 10042","entity_id":70,"entity_type":"Project","created_at":"2024-05-31T14:00:01.116+00:00","add":"user_access","as":"Developer","member_id":812,"target_id":10077,"target_type":"User","target_details":"User 10077"}`, false},
	{"audit_legacy_signin_2fa_miss", parser.TypeAudit, `{"severity":"INFO","time":"2024-05-10T17:46:49.065Z","correlation_id":"01HXHSTQ5A02PJVVW2H8FZZ77A","meta.caller_id":"SessionsController#create","meta.remote_ip":"208.58.198.174","meta.feature_category":"system_access","meta.user":"root","meta.user_id":1,"meta.client_id":"user/1","author_id":1,"author_name":"Administrator","entity_id":1,"entity_type":"User","created_at":"2024-05-10T17:46:49.058+00:00","with":"two-factor","target_id":1,"target_type":"User","target_details":"Administrator"}`, false},
	{"audit_legacy_signin_password_hit", parser.TypeAudit, `{"severity":"INFO","time":"2024-05-10T17:46:49.065Z","correlation_id":"01HXHSTQ5A02PJVVW2H8FZZ77A","meta.caller_id":"SessionsController#create","meta.remote_ip":"208.58.198.174","meta.feature_category":"system_access","meta.user":"root","meta.user_id":1,"meta.client_id":"user/1","author_id":1,"author_name":"Administrator","entity_id":1,"entity_type":"User","created_at":"2024-05-10T17:46:49.058+00:00","with":"standard","target_id":1,"target_type":"User","target_details":"Administrator"}`, true},
	{"audit_hit", parser.TypeAudit, `{"id":5,"author_id":1,"entity_id":1,"entity_type":"User","author_name":"A","created_at":"2025-03-05T11:00:00.000Z","target_type":"User","target_id":1,"event_type":"personal_access_token_created","details":{"custom_message":"Created personal access token with id 1"}}`, true},
}

func defaultEngine(tb testing.TB) *Engine {
	tb.Helper()
	e, err := New(Config{})
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

// TestWantCatalogue checks the default catalogue's dispatch on real lines,
// and that Want does not allocate, hit or miss.
func TestWantCatalogue(t *testing.T) {
	e := defaultEngine(t)
	for _, c := range wantCases {
		var rec parser.Record
		if err := parser.New(c.typ).Parse([]byte(c.line), &rec); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := e.Want(c.typ, &rec); got != c.want {
			t.Errorf("%s: Want = %v, want %v", c.name, got, c.want)
		}
		if n := testing.AllocsPerRun(100, func() { e.Want(c.typ, &rec) }); n != 0 {
			t.Errorf("%s: Want allocates %v times", c.name, n)
		}
	}
}

// BenchmarkWant measures the per-line dispatch check of the default
// catalogue.
func BenchmarkWant(b *testing.B) {
	e := defaultEngine(b)
	for _, c := range wantCases {
		var rec parser.Record
		if err := parser.New(c.typ).Parse([]byte(c.line), &rec); err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				e.Want(c.typ, &rec)
			}
		})
	}
}

// BenchmarkProcess measures a wanted line end to end in the engine: the
// copy into an Event and Process with the default catalogue. The legacy
// line without EventName goes to every rule with a fallback predicate
// (the worst case); the streamed line to the one rule of its name.
func BenchmarkProcess(b *testing.B) {
	lines := []struct{ name, line string }{
		{"legacy_fallback", `{"severity":"INFO","time":"2018-10-17T17:38:22.523Z","author_id":3,"entity_id":2,"entity_type":"Project","change":"visibility","from":"Private","to":"Public","author_name":"John Doe4","target_id":2,"target_type":"Project","target_details":"namespace2/project2"}`},
		// The realistic audit mix's most common wanted line: a password
		// sign-in, held for the local-auth join.
		{"legacy_signin_password", wantCases[5].line},
		{"stream_named", `{"id":5,"author_id":1,"entity_id":1,"entity_type":"User","author_name":"A","created_at":"2025-03-05T11:00:00.000Z","target_type":"User","target_id":1,"event_type":"user_access_locked","details":{"custom_message":"User access locked"}}`},
	}
	for _, l := range lines {
		b.Run(l.name, func(b *testing.B) {
			e := defaultEngine(b)
			var rec parser.Record
			raw := []byte(l.line) // the record's values point into it, as in the agent
			if err := parser.New(parser.TypeAudit).Parse(raw, &rec); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				e.Process(NewEvent(&rec, raw, "audit_json.log", OriginFile))
			}
		})
	}
}
