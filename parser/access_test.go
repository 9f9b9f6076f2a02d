package parser

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestAccessParse(t *testing.T) {
	tests := []struct {
		name string
		line string
		want want
		time string
	}{
		{
			name: "gitlab_access, no user, empty referer, gzip -",
			line: `10.2.47.75 - - [13/Jun/2024:10:55:45 +0800] "GET /internal/gitlab-auditor.git/info/refs?service=git-receive-pack HTTP/1.1" 401 279 "" "git/2.39.2.windows.1" -`,
			want: want{"IPAddress": "10.2.47.75", "!RemoteUser": "", "EventTime": "2024-06-13T10:55:45+08:00",
				"TimeLocal":   "13/Jun/2024:10:55:45 +0800",
				"RequestVerb": "GET", "URI": "/internal/gitlab-auditor.git/info/refs?service=git-receive-pack",
				"HTTPVersion": "HTTP/1.1", "ResponseCode": "401", "BytesSent": "279", "!HTTPReferer": "",
				"UserAgent": "git/2.39.2.windows.1", "!GzipRatio": ""},
			time: "2024-06-13T02:55:45Z",
		},
		{
			name: "remote user set (KQL bug 8)",
			line: `10.2.47.75 - somebody [13/Jun/2024:10:55:46 +0800] "POST /x.git/git-receive-pack HTTP/1.1" 200 52 "" "git/2.39.2" -`,
			want: want{"RemoteUser": "somebody", "RequestVerb": "POST"},
			time: "2024-06-13T02:55:46Z",
		},
		{
			name: "remote user with spaces",
			line: `10.14.188.100 - Username for 'http [24/May/2024:00:11:01 +0800] "GET /r.git/info/refs HTTP/1.1" 401 279 "" "git/1.8.3.1" -`,
			want: want{"RemoteUser": "Username for 'http", "ResponseCode": "401",
				"EventTime": "2024-05-24T00:11:01+08:00", "TimeLocal": "24/May/2024:00:11:01 +0800"},
			time: "2024-05-23T16:11:01Z",
		},
		{
			name: "remote user with brackets",
			line: `1.2.3.4 - a [b] c [13/Jun/2024:11:11:11 +0000] "GET / HTTP/1.1" 200 1 "" "ua" -`,
			want: want{"RemoteUser": "a [b] c", "URI": "/"},
			time: "2024-06-13T11:11:11Z",
		},
		{
			name: "combined format, no gzip ratio; UA ends the line (KQL bug 10)",
			line: `172.16.228.1 - - [26/Jun/2014:06:33:46 -0700] "GET /root/my-project/import HTTP/1.1" 200 5775 "https://172.16.228.169/root/my-project/import" "Mozilla/5.0 (Macintosh) Chrome/35.0"`,
			want: want{"HTTPReferer": "https://172.16.228.169/root/my-project/import", "UserAgent": "Mozilla/5.0 (Macintosh) Chrome/35.0", "!GzipRatio": "",
				"EventTime": "2014-06-26T06:33:46-07:00"},
			time: "2014-06-26T13:33:46Z",
		},
		{
			name: "gzip ratio kept",
			line: `192.0.2.10 - - [13/Jun/2024:11:02:13 +0000] "GET /users/sign_in HTTP/2.0" 200 4811 "https://gitlab.example.com/" "Mozilla/5.0" 3.41`,
			want: want{"GzipRatio": "3.41", "UserAgent": "Mozilla/5.0"},
			time: "2024-06-13T11:02:13Z",
		},
		{
			name: "malformed request (KQL bug 11)",
			line: `198.51.100.77 - - [13/Jun/2024:11:05:00 +0000] "-" 400 0 "-" "-"`,
			want: want{"!RequestVerb": "", "!URI": "", "!HTTPVersion": "", "ResponseCode": "400", "BytesSent": "0", "!HTTPReferer": "", "!UserAgent": ""},
			time: "2024-06-13T11:05:00Z",
		},
		{
			name: "binary request kept as URI",
			line: `198.51.100.77 - - [13/Jun/2024:11:05:01 +0000] "\x16\x03\x01" 400 157 "-" "-" -`,
			want: want{"!RequestVerb": "", "URI": `\x16\x03\x01`},
			time: "2024-06-13T11:05:01Z",
		},
		{
			name: "other methods (KQL bug 11)",
			line: `1.2.3.4 - - [13/Jun/2024:11:06:14 +0000] "PROPFIND /root/project.git HTTP/1.1" 404 3108 "" "WebDAV" -`,
			want: want{"RequestVerb": "PROPFIND", "URI": "/root/project.git"},
			time: "2024-06-13T11:06:14Z",
		},
		{
			name: "escape=json: quotes in URI, referer and user agent",
			line: `1.2.3.4 - - [13/Jun/2024:11:07:40 +0000] "GET /search?q=\"%3E HTTP/1.1" 200 9120 "https://x/\"r\"" "Mozilla \"sqlmap\"" 4.12`,
			want: want{"URI": `/search?q=\"%3E`, "HTTPReferer": `https://x/\"r\"`, "UserAgent": `Mozilla \"sqlmap\"`, "GzipRatio": "4.12"},
			time: "2024-06-13T11:07:40Z",
		},
		{
			name: "escape=json: user agent ends in a quote, referer in a backslash, no gzip ratio",
			line: `1.2.3.4 - - [13/Jun/2024:11:07:40 +0000] "GET / HTTP/1.1" 200 1 "C:\\" "ua \"x\""`,
			want: want{"HTTPReferer": `C:\\`, "UserAgent": `ua \"x\"`, "!GzipRatio": ""},
			time: "2024-06-13T11:07:40Z",
		},
		{
			name: `escape=json: control characters and \u escapes kept as logged`,
			line: `1.2.3.4 - - [13/Jun/2024:11:07:40 +0000] "GET /a HTTP/1.1" 200 1 "" "a\tb\u0001c" -`,
			want: want{"UserAgent": `a\tb\u0001c`},
			time: "2024-06-13T11:07:40Z",
		},
		{
			name: "escaped quotes stay as logged",
			line: `1.2.3.4 - - [13/Jun/2024:11:07:40 +0000] "GET /search?q=\x22%3E HTTP/1.1" 200 9120 "" "Mozilla \x22sqlmap\x22" 4.12`,
			want: want{"URI": `/search?q=\x22%3E`, "UserAgent": `Mozilla \x22sqlmap\x22`},
			time: "2024-06-13T11:07:40Z",
		},
		{
			name: "IPv6 and a negative half-hour offset",
			line: `2001:db8::1 - deploy-bot [13/Jun/2024:11:09:02 -0230] "GET / HTTP/1.1" 200 1024 "" "git/2.45.1" -`,
			want: want{"IPAddress": "2001:db8::1", "RemoteUser": "deploy-bot", "EventTime": "2024-06-13T11:09:02-02:30"},
			time: "2024-06-13T13:39:02Z",
		},
		{
			name: "HTTP/0.9 style request",
			line: `1.2.3.4 - - [13/Jun/2024:11:09:02 +0000] "GET /" 200 10 "" "" -`,
			want: want{"RequestVerb": "GET", "URI": "/", "!HTTPVersion": "", "!UserAgent": ""},
			time: "2024-06-13T11:09:02Z",
		},
		{
			name: "TLS handshake with a space is not a request line (issue 10)",
			line: `198.51.100.23 - - [02/Mar/2025:11:02:33 +0000] "\x16\x03\x01\x02\x00\x01 \x00\x01\xFC\x03\x03" 400 150 "" "-" -`,
			want: want{"!RequestVerb": "", "!HTTPVersion": "", "URI": `\x16\x03\x01\x02\x00\x01 \x00\x01\xFC\x03\x03`,
				"ResponseCode": "400", "BytesSent": "150", "!HTTPReferer": "", "!UserAgent": "", "!GzipRatio": "",
				"EventTime": "2025-03-02T11:02:33+00:00", "TimeLocal": "02/Mar/2025:11:02:33 +0000"},
			time: "2025-03-02T11:02:33Z",
		},
		{
			name: "Apache-style combined: body bytes - (issue 10)",
			line: `198.51.100.9 - - [25/May/2026:03:12:51 +0200] "GET /explore HTTP/1.1" 404 - "-" "-"`,
			want: want{"!BytesSent": "", "ResponseCode": "404", "RequestVerb": "GET", "URI": "/explore", "HTTPVersion": "HTTP/1.1",
				"!HTTPReferer": "", "!UserAgent": "", "EventTime": "2026-05-25T03:12:51+02:00", "TimeLocal": "25/May/2026:03:12:51 +0200"},
			time: "2026-05-25T01:12:51Z",
		},
		{
			name: "SSH banner: method-like word without an HTTP version",
			line: `198.51.100.24 - - [02/Mar/2025:11:02:34 +0000] "SSH-2.0-OpenSSH_9.6 Ubuntu-3ubuntu13" 400 150 "" "-" -`,
			want: want{"!RequestVerb": "", "!HTTPVersion": "", "URI": "SSH-2.0-OpenSSH_9.6 Ubuntu-3ubuntu13"},
			time: "2025-03-02T11:02:34Z",
		},
		{
			name: "method is not a token",
			line: `198.51.100.25 - - [02/Mar/2025:11:02:35 +0000] "GE(T / HTTP/1.1" 400 150 "" "-" -`,
			want: want{"!RequestVerb": "", "!HTTPVersion": "", "URI": "GE(T / HTTP/1.1"},
			time: "2025-03-02T11:02:35Z",
		},
		{
			name: "version is not HTTP",
			line: `198.51.100.25 - - [02/Mar/2025:11:02:35 +0000] "GET / RTSP/1.0" 400 150 "" "-" -`,
			want: want{"!RequestVerb": "", "!HTTPVersion": "", "URI": "GET / RTSP/1.0"},
			time: "2025-03-02T11:02:35Z",
		},
		{
			name: "two words, not GET: not HTTP/0.9",
			line: `198.51.100.25 - - [02/Mar/2025:11:02:35 +0000] "POST /x" 400 150 "" "-" -`,
			want: want{"!RequestVerb": "", "!HTTPVersion": "", "URI": "POST /x"},
			time: "2025-03-02T11:02:35Z",
		},
		{
			name: "URI with a space, HTTP/2.0",
			line: `198.51.100.25 - - [02/Mar/2025:11:02:35 +0000] "GET /a b HTTP/2.0" 400 150 "" "-" -`,
			want: want{"RequestVerb": "GET", "URI": "/a b", "HTTPVersion": "HTTP/2.0"},
			time: "2025-03-02T11:02:35Z",
		},
		{
			name: "token characters in the method, HTTP/1 without minor",
			line: `198.51.100.25 - - [02/Mar/2025:11:02:35 +0000] "M-SEARCH * HTTP/1" 400 150 "" "-" -`,
			want: want{"RequestVerb": "M-SEARCH", "URI": "*", "HTTPVersion": "HTTP/1"},
			time: "2025-03-02T11:02:35Z",
		},
		{
			name: "gzip ratio that is not a number is left out",
			line: `198.51.100.25 - - [02/Mar/2025:11:02:35 +0000] "GET / HTTP/1.1" 200 1 "" "ua" 1.2.3`,
			want: want{"!GzipRatio": "", "UserAgent": "ua"},
			time: "2025-03-02T11:02:35Z",
		},
		{
			name: "trailing CR",
			line: "1.2.3.4 - - [13/Jun/2024:11:09:02 +0000] \"GET / HTTP/1.1\" 200 10 \"\" \"ua\" -\r",
			want: want{"UserAgent": "ua"},
			time: "2024-06-13T11:09:02Z",
		},
	}
	p := new(Access)
	var r Record
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := p.Parse([]byte(tt.line), &r); err != nil {
				t.Fatal(err)
			}
			checkCols(t, &r, tt.want)
			if r.Type != TypeAccess {
				t.Errorf("Type = %v", r.Type)
			}
			wantTime, _ := time.Parse(time.RFC3339, tt.time)
			if !r.Time.Equal(wantTime) || r.Time.Location() != time.UTC {
				t.Errorf("Time = %v, want %v in UTC", r.Time, wantTime)
			}
		})
	}
}

func TestAccessErrors(t *testing.T) {
	for _, line := range []string{
		"",
		"-",
		"1.2.3.4",
		"1.2.3.4 - - [13/Jun/2024:11:09:02 +0000]",
		`1.2.3.4 - - [13/Jun/2024:11:09:02 +0000] "GET / HTTP/1.1" 200`,
		`1.2.3.4 - - [13/Jun/2024:11:09:02 +0000] "GET / HTTP/1.1" abc 10 "" "ua"`,
		`1.2.3.4 - - [13/Jun/2024:11:09:02 +0000] "GET / HTTP/1.1" 200 x "" "ua"`,
		`1.2.3.4 - - [13/Jun/2024:25:09:02 +0000] "GET / HTTP/1.1" 200 1 "" "ua"`,
		`1.2.3.4 - - [13-Jun-2024 11:09:02 +0000] "GET / HTTP/1.1" 200 1 "" "ua"`,
		`1.2.3.4 - [13/Jun/2024:11:09:02 +0000] "GET / HTTP/1.1" 200 1 "" "ua"`,
		`1.2.3.4 x - [13/Jun/2024:11:09:02 +0000] "GET / HTTP/1.1" 200 1 "" "ua"`,
		`{"severity":"INFO"}`,
		`""""""""`,
		`1 - """"""`,
		`1.2.3.4 - - [13/Jun/2024:11:09:02 +0000] "GET / HTTP/1.1" 200 1 "" "ua\"`,
		`1.2.3.4 - - [13/Jun/2024:11:09:02 +0000] "GET / HTTP/1.1" 200 1 "" "ua\" -`,
		`1.2.3.4 - - [13/Jun/2024:11:09:02 +0000] "GET / HTTP/1.1\" 200 1 "" "ua"`,
	} {
		var r Record
		err := new(Access).Parse([]byte(line), &r)
		var pe *Error
		if !errors.As(err, &pe) || pe.Type != TypeAccess {
			t.Errorf("%q: got %v, want an access *Error", line, err)
		}
	}
}

// TestAccessNoAllocs checks the access parser's hot path does not allocate.
func TestAccessNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	lines := readLines(t, "gitlab_access.log")
	var r Record
	p := new(Access)
	allocs := testing.AllocsPerRun(100, func() {
		for _, line := range lines {
			if err := p.Parse(line, &r); err != nil {
				t.Fatal(err)
			}
		}
	})
	if allocs != 0 {
		t.Errorf("Access.Parse allocates %.1f times per run of %d lines, want 0", allocs, len(lines))
	}
}

// TestJSONNoAllocs checks the JSON parsers do not allocate once the Record
// and the parser are warm.
func TestJSONNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector (sync.Pool drops items)")
	}
	for name, p := range map[string]Parser{"audit_json.log": new(Audit), "application_json.log": new(Application), "application.log": new(Application)} {
		lines := readLines(t, name)
		var r Record
		allocs := testing.AllocsPerRun(50, func() {
			for _, line := range lines {
				if err := p.Parse(line, &r); err != nil {
					t.Fatal(err)
				}
			}
		})
		if allocs != 0 {
			t.Errorf("%s: %.1f allocations per run of %d lines, want 0", name, allocs, len(lines))
		}
	}
}

func TestRecordInt(t *testing.T) {
	var r Record
	line := []byte(`{"author_id":-3,"entity_id":"12","target_id":"flightjs/flight","id":1.5,"meta.user_id":9223372036854775807,"meta.a":-9223372036854775808,"meta.b":9223372036854775808,"meta.c":99999999999999999999999}`)
	if err := new(Audit).Parse(line, &r); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		col  string
		n    int64
		want bool
	}{
		{"AuthorID", -3, true}, {"EntityID", 12, true}, {"TargetID", 0, false},
		{"EventID", 0, false}, {"meta.user_id", 9223372036854775807, true}, {"Missing", 0, false},
		{"meta.a", -9223372036854775808, true}, {"meta.b", 0, false}, {"meta.c", 0, false},
	} {
		n, ok := r.Int(tt.col)
		if n != tt.n || ok != tt.want {
			t.Errorf("Int(%s) = %d, %v; want %d, %v", tt.col, n, ok, tt.n, tt.want)
		}
	}
	if err := new(Access).Parse(benchAccess, &r); err != nil {
		t.Fatal(err)
	}
	if n, ok := r.Int(ColResponseCode); n != 401 || !ok {
		t.Errorf("ResponseCode = %d, %v", n, ok)
	}
}

// TestAccessExtraQuotedField: a line with one quoted field more than the
// format (a quoted gzip ratio) is refused naming that, not an invalid
// body_bytes_sent, which is fine (trial 254).
func TestAccessExtraQuotedField(t *testing.T) {
	line := `1.2.3.4 - bob [13/Jun/2024:11:09:02 +0000] "GET / HTTP/1.1" 200 0 "-" "ua" "-"`
	err := new(Access).Parse([]byte(line), new(Record))
	if err == nil || !strings.Contains(err.Error(), "more quoted fields than the gitlab_access format has") {
		t.Errorf("Parse = %v, want an error naming the extra quoted field", err)
	}
}
