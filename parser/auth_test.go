package parser

import (
	"errors"
	"strings"
	"testing"
)

func TestAuthParse(t *testing.T) {
	tests := []parseCase{
		{
			name: "GitLab documentation example: blocklist, no matched or status",
			line: `{"severity":"ERROR","time":"2023-04-19T22:14:25.893Z","correlation_id":"01GYDSAKAN2SPZPAMJNRWW5H8S","message":"Rack_Attack","env":"blocklist","remote_ip":"x.x.x.x","request_method":"GET","path":"/group/project.git/info/refs?service=git-upload-pack"}`,
			want: want{"Severity": "ERROR", "EventTime": "2023-04-19T22:14:25.893Z", "CorrelationID": "01GYDSAKAN2SPZPAMJNRWW5H8S",
				"Message": "Rack_Attack", "MatchType": "blocklist", "IPAddress": "x.x.x.x", "RequestVerb": "GET",
				"URI": "/group/project.git/info/refs?service=git-upload-pack", "!MatchedRule": "", "!ResponseCode": "", "!UserID": ""},
			time: "2023-04-19T22:14:25.893Z",
		},
		{
			name: "current authenticated throttle: user_id number, username from meta.user, instrumentation keys ignored",
			line: `{"severity":"ERROR","time":"2025-03-02T11:09:47.306Z","correlation_id":"01JN","message":"Rack_Attack","env":"throttle","remote_ip":"192.0.2.10","request_method":"GET","path":"/api/v4/projects?per_page=100&page=37","matched":"throttle_authenticated_api","status":429,"user_id":42,"meta.user":"ci-bot","rack_attack_redis_count":2,"rack_attack_redis_duration_s":0.000731}`,
			want: want{"MatchType": "throttle", "MatchedRule": "throttle_authenticated_api", "ResponseCode": "429", "UserID": "42",
				"Username": "ci-bot", "meta.user": "ci-bot", "URI": "/api/v4/projects?per_page=100&page=37",
				"!rack_attack_redis_count": "", "!DeployTokenID": ""},
			time: "2025-03-02T11:09:47.306Z",
		},
		{
			name: "track (GITLAB_THROTTLE_DRY_RUN): no status",
			line: `{"severity":"ERROR","time":"2025-03-02T11:21:39.901Z","message":"Rack_Attack","env":"track","remote_ip":"198.51.100.77","request_method":"GET","path":"/explore","matched":"throttle_unauthenticated_web"}`,
			want: want{"MatchType": "track", "MatchedRule": "throttle_unauthenticated_web", "!ResponseCode": "", "!Username": ""},
			time: "2025-03-02T11:21:39.901Z",
		},
		{
			name: "deploy token discriminator",
			line: `{"severity":"ERROR","time":null,"message":"Rack_Attack","env":"throttle","matched":"throttle_authenticated_packages_api","status":429,"deploy_token_id":12}`,
			want: want{"DeployTokenID": "12", "!UserID": ""},
		},
		{
			name: "12.x: username key wins over meta.user, escaped & unescaped",
			line: `{"severity":"ERROR","time":"2019-08-22T09:15:31.402Z","message":"Rack_Attack","env":"throttle","remote_ip":"203.0.113.9","request_method":"GET","path":"/api/v4/projects?a=1\u0026b=2","user_id":5,"username":"jdoe","meta.user":"other"}`,
			want: want{"Username": "jdoe", "meta.user": "other", "UserID": "5", "URI": "/api/v4/projects?a=1&b=2"},
			time: "2019-08-22T09:15:31.402Z",
		},
		{
			name: "12.0: ip and fullpath; an IP logged as user_id is not a UserID",
			line: `{"severity":"ERROR","time":null,"message":"Rack_Attack","env":"throttle","ip":"203.0.113.9","request_method":"POST","fullpath":"/users/sign_in","user_id":"203.0.113.9"}`,
			want: want{"IPAddress": "203.0.113.9", "URI": "/users/sign_in", "!UserID": ""},
		},
		{
			name: "remote_ip and path win over ip and fullpath, in any order",
			line: `{"severity":"ERROR","time":null,"ip":"1.1.1.1","remote_ip":"2.2.2.2","fullpath":"/old","path":"/new"}`,
			want: want{"IPAddress": "2.2.2.2", "URI": "/new"},
		},
		{
			name: "empty or null remote_ip and path fall back",
			line: `{"severity":"ERROR","time":null,"remote_ip":"","ip":"1.1.1.1","path":null,"fullpath":"/old","username":"","meta.user":"m"}`,
			want: want{"IPAddress": "1.1.1.1", "URI": "/old", "Username": "m"},
		},
		{
			name: "typed columns: only decimal digits",
			line: `{"severity":"ERROR","time":null,"status":"429","user_id":-1,"deploy_token_id":1.5}`,
			want: want{"ResponseCode": "429", "!UserID": "", "!DeployTokenID": ""},
		},
		{
			name: "typed columns: objects, booleans and exponents dropped",
			line: `{"severity":"ERROR","time":null,"status":{"code":429},"user_id":true,"deploy_token_id":1e3,"matched":"x"}`,
			want: want{"!ResponseCode": "", "!UserID": "", "!DeployTokenID": "", "MatchedRule": "x"},
		},
		{
			name: "throttle user allowlist line: the columns it has",
			line: `{"severity":"INFO","time":"2025-03-02T10:58:01.004Z","correlation_id":null,"gitlab_throttle_user_allowlist":[4,17]}`,
			want: want{"Severity": "INFO", "!CorrelationID": "", "!MatchType": "", "!Message": ""},
			time: "2025-03-02T10:58:01.004Z",
		},
		{
			name: "other meta.* keys are copied in line order",
			line: `{"severity":"ERROR","time":null,"meta.caller_id":"Repositories::GitHttpController#info_refs","message":"Rack_Attack","meta.user":"root","meta.remote_ip":"192.0.2.1"}`,
			want: want{"meta.caller_id": "Repositories::GitHttpController#info_refs", "meta.remote_ip": "192.0.2.1", "Username": "root"},
		},
	}
	runParseCases(t, new(Auth), TypeAuth, tests)
}

// TestAuthColumnOrder checks the order of a full line's columns, meta.* last.
func TestAuthColumnOrder(t *testing.T) {
	line := `{"meta.user":"root","deploy_token_id":3,"user_id":1,"status":429,"path":"/p","request_method":"POST","remote_ip":"192.0.2.1","matched":"m","env":"throttle","message":"Rack_Attack","correlation_id":"c","time":"2025-03-02T11:15:02.448Z","severity":"ERROR"}`
	var r Record
	if err := new(Auth).Parse([]byte(line), &r); err != nil {
		t.Fatal(err)
	}
	want := []string{"Severity", "EventTime", "CorrelationID", "Message", "MatchType", "MatchedRule",
		"IPAddress", "RequestVerb", "URI", "ResponseCode", "UserID", "Username", "DeployTokenID", "meta.user"}
	if len(r.Fields) != len(want) {
		t.Fatalf("got %d columns, want %d:\n%s", len(r.Fields), len(want), formatCols(recordCols(&r)))
	}
	for i, f := range r.Fields {
		if f.Name != want[i] {
			t.Errorf("column %d = %s, want %s", i, f.Name, want[i])
		}
	}
}

func TestAuthErrors(t *testing.T) {
	for _, line := range []string{
		``,
		`Rack_Attack throttle 1.2.3.4 GET /`,
		`{"message":"Rack_Attack","env":"throttle"`,
		`{"message":"Rack_Attack"} trailing`,
		`["Rack_Attack"]`,
	} {
		var r Record
		err := new(Auth).Parse([]byte(line), &r)
		var e *Error
		if !errors.As(err, &e) || e.Type != TypeAuth {
			t.Errorf("Parse(%q) = %v, want an auth *Error", line, err)
		}
	}
}

// TestAuthNoAllocs checks that parsing the bundled sample does not allocate
// once the parser and the Record are warm.
func TestAuthNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	lines := readLines(t, "auth_json.log")
	var r Record
	p := new(Auth)
	allocs := testing.AllocsPerRun(50, func() {
		for _, line := range lines {
			if err := p.Parse(line, &r); err != nil {
				t.Fatal(err)
			}
		}
	})
	if allocs != 0 {
		t.Errorf("Auth.Parse allocates %.1f times per run of %d lines, want 0", allocs, len(lines))
	}
}

// TestTypeNames checks that every Type's name parses back to it, that New
// has a parser of that type for each, and that an unknown name is an error
// listing auth.
func TestTypeNames(t *testing.T) {
	for typ := TypeAudit; typ < NumTypes; typ++ {
		got, err := ParseType(typ.String())
		if err != nil || got != typ {
			t.Errorf("ParseType(%q) = %v, %v; want %v", typ.String(), got, err, typ)
		}
		var r Record
		_ = New(typ).Parse([]byte(`{}`), &r)
		if r.Type != typ {
			t.Errorf("New(%v) parsed a record of type %v", typ, r.Type)
		}
	}
	if New(TypeUnknown) != nil || New(NumTypes) != nil {
		t.Error("New returns a parser for TypeUnknown or NumTypes")
	}
	_, err := ParseType("authjson")
	var te *TypeError
	if !errors.As(err, &te) || te.Name != "authjson" || err.Error() != `parser: unknown log type "authjson" (want audit, application, access or auth)` {
		t.Errorf("ParseType(authjson) error = %v", err)
	}
}

// TestAuthNotGitLab checks that a JSON object without the keys
// Gitlab::AuthLogger, a Gitlab::JsonLogger, writes in every line
// ("severity" and "time", at the top level, with any value) is an *Error
// naming what is missing, not an auth line with no columns (fresh-user
// trial 76: {"hello":"world"} parsed as {} under type auth, and an
// application log given type auth went out as GitLab-Auth-Logs, parsed).
func TestAuthNotGitLab(t *testing.T) {
	for _, tt := range []struct {
		line, reason string // reason: "" when the line parses
	}{
		{`{"hello":"world"}`, `no "severity" or "time" key`},
		{`{"message":"Rack_Attack","env":"throttle"}`, `no "severity" or "time" key`},
		{`{"time":"2024-05-31T14:32:44.108Z","message":"Rack_Attack"}`, `no "severity" key`},
		{`{"severity":"ERROR","message":"Rack_Attack"}`, `no "time" key`},
		{`{"severity":"ERROR","time":"2024-05-31T14:32:44.108Z"}`, ""},
		{`{"severity":null,"time":null}`, ""},
	} {
		var r Record
		err := new(Auth).Parse([]byte(tt.line), &r)
		if tt.reason == "" {
			if err != nil {
				t.Errorf("%s: %v, want it parsed", tt.line, err)
			}
			continue
		}
		var pe *Error
		if !errors.As(err, &pe) || pe.Type != TypeAuth || !strings.HasPrefix(pe.Reason, "not a GitLab auth_json.log line: "+tt.reason) {
			t.Errorf("%s: got %v, want an auth *Error: not a GitLab auth_json.log line: %s", tt.line, err, tt.reason)
		}
	}
}
