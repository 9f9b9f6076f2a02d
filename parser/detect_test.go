package parser

import (
	"strings"
	"testing"
	"time"
)

func TestDetect(t *testing.T) {
	tests := []struct {
		line string
		want Type
	}{
		{`{"severity":"INFO","author_id":1,"entity_type":"User"}`, TypeAudit},
		{`{"id":"1","author_id":1,"event_type":"repository_git_operation"}`, TypeAudit},
		// Without a key the Audit parser requires it would refuse the line.
		{`{"id":"1","event_type":"repository_git_operation"}`, TypeUnknown},
		{`{"details":{"entity_id":7,"entity_type":"Project"},"id":2}`, TypeAudit},
		// Keys and members of objects nested deeper than the top level
		// (and details) do not count (fresh-user trial 89: a nested
		// "message":"Rack_Attack" made an audit line auth, and a logged
		// request's parameters made an application line audit).
		{`{"severity":"INFO","time":"2024-01-01T00:00:00Z","author_id":1,"entity_type":"Project","details":{"custom_message":"changed","message":"Rack_Attack"}}`, TypeAudit},
		{`{"author_id":1,"entity_id":2,"entity_type":"Project","custom_message":{"message":"Rack_Attack"}}`, TypeAudit},
		{`{"severity":"INFO","time":"-","message":"x","extra":{"gitlab_throttle_user_allowlist":[1]}}`, TypeApplication},
		{`{"severity":"INFO","time":"-","message":"Failed Login: username=root ip=1.2.3.4","target_details":"x"}`, TypeApplication},
		{`{"severity":"INFO","time":"-","message":"x","params":{"entity_id":"5","author_id":"1"}}`, TypeApplication},
		{`{"severity":"INFO","time":"-","message":"x","params":[{"entity_type":"Project"}]}`, TypeApplication},
		{`{"severity":"INFO","time":"-","message":"x","details":[{"entity_type":"Project"}]}`, TypeApplication},
		{`{"a":{"severity":"INFO","time":"-"}}`, TypeUnknown},
		{`  {"entity_type ":"User"}`, TypeAudit},
		{`{"severity":"INFO","time":"2024-05-31T14:32:44.108Z","message":"Failed Login: username=a ip=b"}`, TypeApplication},
		{`{ "severity" : "INFO", "time" : "-" }`, TypeApplication},
		// JSON without the keys every application_json.log line has is
		// no GitLab log: not taken for an application line.
		{`{}`, TypeUnknown},
		{`{"a":1}`, TypeUnknown},
		{`{"severity":"INFO","message":"Failed Login: username=a ip=b"}`, TypeUnknown},
		{`{"log":"started\n","stream":"stdout","time":"2024-05-31T14:32:44.108Z"}`, TypeUnknown},
		{`{"level":"info","msg":"x","time":"2024-05-31T14:32:44Z"}`, TypeUnknown},
		{`{"message":"the \"severity\": and \"time\": keys"}`, TypeUnknown},
		{`{"severity":"time","message":"time"}`, TypeUnknown},
		{`2020-04-09T14:04:00.667Z: Failed Login: username=admin ip=80.10.11.12`, TypeApplication},
		{`October 06, 2014 11:56: Project "p" was removed`, TypeApplication},
		{`10.2.47.75 - - [13/Jun/2024:10:55:45 +0800] "GET / HTTP/1.1" 401 279 "" "git/2.39.2" -`, TypeAccess},
		{`10.2.47.75 - a ] "b [13/Jun/2024:10:55:45 +0800] "GET / HTTP/1.1" 401 279 "" "git" -`, TypeAccess},
		{`2001:db8::1 - - [13/Jun/2024:10:55:45 +0800] "-" 400 0 "" "" -`, TypeAccess},
		// Rack::Attack lines (auth_json.log) and what must not be taken for one.
		{`{"severity":"ERROR","message":"Rack_Attack","env":"blocklist","remote_ip":"x.x.x.x","request_method":"GET","path":"/g/p.git/info/refs"}`, TypeAuth},
		{`{"message":"Rack_Attack","env":"throttle","ip":"1.2.3.4","fullpath":"/users/sign_in"}`, TypeAuth},
		{`{"severity":"INFO","correlation_id":null,"gitlab_throttle_user_allowlist":[4,17]}`, TypeAuth},
		{`{"severity":"ERROR","message":"Rack_Attack","env":"throttle","remote_ip":"192.0.2.1","matched":"throttle_authenticated_api","user_id":5,"meta.user":"author_id"}`, TypeAuth},
		{`{"message":"Rack_Attack","env":"throttle","remote_ip":"192.0.2.1","path":"/x?\"entity_type\"=1&\"author_id\"","meta.user":"target_details"}`, TypeAuth},
		{`{"severity":"INFO","time":"-","message":"Rack_Attack throttled 203.0.113.45","env":"production"}`, TypeApplication},
		{`{"severity":"INFO","time":"-","message":"x","note":"\"message\":\"Rack_Attack\""}`, TypeApplication},
		{`{"severity":"INFO","time":"-","message":"x","gitlab_throttle_user_allowlist_size":2}`, TypeApplication},
		{`{"severity":"INFO","time":"-","message":"the \"gitlab_throttle_user_allowlist\": key"}`, TypeApplication},
		{`{"severity":"INFO","time":"-","message":"saw \"Rack_Attack\" with \"env\" set"}`, TypeApplication},
		{`{"severity":"INFO","time":"-","env":"production","remote_ip":"1.2.3.4","path":"/users/sign_in"}`, TypeApplication},
		{`{"author_id":1,"entity_type":"User","author_name":"Rack_Attack","target_details":"env"}`, TypeAudit},
		{`{"id":"1","entity_id":3,"event_type":"rack_attack","details":{"custom_message":"\"message\":\"Rack_Attack\""}}`, TypeAudit},
		{`hello world`, TypeUnknown},
		{``, TypeUnknown},
		{`2020-04-09 something`, TypeUnknown},
		{`1.2.3.4 - - [yesterday] "GET /"`, TypeUnknown},
	}
	for _, tt := range tests {
		if got := Detect([]byte(tt.line)); got != tt.want {
			t.Errorf("Detect(%q) = %v, want %v", tt.line, got, tt.want)
		}
	}
	// Every bundled sample is detected as the log it comes from.
	for name, typ := range sampleFiles {
		if typ == TypeUnknown {
			continue
		}
		for _, line := range readLines(t, name) {
			if got := Detect(line); got != typ {
				t.Errorf("%s: Detect(%.60q) = %v, want %v", name, line, got, typ)
			}
		}
	}
}

func TestContains(t *testing.T) {
	const pat = `"message":"Rack_Attack"`
	tests := []struct {
		line string
		want bool
	}{
		{pat, true},
		{`{` + pat + `}`, true},
		{`{"a":"R","b":"RR",` + pat, true},
		{`{"message":"Rack_Attack`, false},
		{`"message":"Rack_Attack"`[1:], false},
		{`{"message":"Rack-Attack"}`, false},
		{`RRRRRRRRRRRRRRRRRRRRRRRRRRRRRR`, false},
		{``, false},
		{`R`, false},
	}
	for _, tt := range tests {
		if got := contains([]byte(tt.line), pat, 'R'); got != tt.want {
			t.Errorf("contains(%q) = %v, want %v", tt.line, got, tt.want)
		}
		if got := contains([]byte(tt.line), pat, 'R'); got != strings.Contains(tt.line, pat) {
			t.Errorf("contains(%q) = %v, strings.Contains says %v", tt.line, got, !got)
		}
	}
}

func TestTimeParsers(t *testing.T) {
	iso := []struct {
		in   string
		want string // RFC 3339 in UTC, "" for failure
	}{
		{"2024-05-31T14:32:44.108Z", "2024-05-31T14:32:44.108Z"},
		{"2024-05-10T17:46:49.058+00:00", "2024-05-10T17:46:49.058Z"},
		{"2024-05-10T19:46:49+02:00", "2024-05-10T17:46:49Z"},
		{"2024-05-10T12:16:49.5-0530", "2024-05-10T17:46:49.5Z"},
		{"2024-05-10 17:46:49 UTC", "2024-05-10T17:46:49Z"},
		{"2024-05-10T17:46:49.123456789123Z", "2024-05-10T17:46:49.123456789Z"},
		{"2024-02-29T00:00:00Z", "2024-02-29T00:00:00Z"},
		{"2023-02-29T00:00:00Z", ""},
		{"2024-05-10T17:46:49.Z", ""},
		{"2024-05-10T17:46:49+2:00", ""},
		{"2024-05-10T24:00:00Z", ""},
		{"2024-05-10", ""},
		{"", ""},
	}
	for _, tt := range iso {
		got, ok := parseISOTime([]byte(tt.in))
		if tt.want == "" {
			if ok {
				t.Errorf("parseISOTime(%q) = %v, want failure", tt.in, got)
			}
			continue
		}
		want, _ := time.Parse(time.RFC3339Nano, tt.want)
		if !ok || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("parseISOTime(%q) = %v, %v; want %v", tt.in, got, ok, want)
		}
	}
	// parseNginxTime agrees with time.Parse on the NGINX layout.
	for _, in := range []string{"13/Jun/2024:10:55:45 +0800", "26/Jun/2014:06:33:46 -0700", "01/Jan/2000:00:00:00 +0000", "31/Dec/1999:23:59:59 -1130"} {
		want, err := time.Parse("02/Jan/2006:15:04:05 -0700", in)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := parseNginxTime([]byte(in))
		if !ok || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("parseNginxTime(%q) = %v, %v; want %v", in, got, ok, want.UTC())
		}
	}
	for _, in := range []string{"13/Jun/2024:10:55:45 0800", "32/Jun/2024:10:55:45 +0800", "13/Jux/2024:10:55:45 +0800", "13/Jun/2024:10:55:45+0800"} {
		if _, ok := parseNginxTime([]byte(in)); ok {
			t.Errorf("parseNginxTime(%q) succeeded, want failure", in)
		}
	}
	if got, n, ok := parseLongTime([]byte("October 06, 2014 11:56: x")); !ok || n != 22 || !got.Equal(time.Date(2014, 10, 6, 11, 56, 0, 0, time.UTC)) {
		t.Errorf("parseLongTime = %v, %d, %v", got, n, ok)
	}
}
