package parser

import (
	"bufio"
	"os"
	"testing"
)

// TestAccessIngress: ingress-nginx's default log-format-upstream lines
// parse with the combined columns and the ingress columns, as logged.
func TestAccessIngress(t *testing.T) {
	tests := []struct {
		name string
		line string
		want want
	}{
		{
			name: "one upstream",
			line: `192.0.2.10 - - [01/May/2024:12:00:01 +0000] "GET /users/sign_in HTTP/2.0" 200 6312 "https://gitlab.example.com/" "Mozilla/5.0 (X11; Linux x86_64)" 514 0.042 [gitlab-gitlab-webservice-default-8181] [] 10.42.0.17:8181 6312 0.041 200 3f0c2a1b5e7d9c8b4a6f1e2d3c4b5a69`,
			want: want{"IPAddress": "192.0.2.10", "UserAgent": "Mozilla/5.0 (X11; Linux x86_64)", "ResponseCode": "200", "BytesSent": "6312",
				"RequestLength": "514", "RequestTime": "0.042", "UpstreamName": "gitlab-gitlab-webservice-default-8181",
				"!UpstreamAlternativeName": "", "UpstreamAddr": "10.42.0.17:8181", "UpstreamResponseLength": "6312",
				"UpstreamResponseTime": "0.041", "UpstreamStatus": "200", "RequestID": "3f0c2a1b5e7d9c8b4a6f1e2d3c4b5a69", "!GzipRatio": ""},
		},
		{
			name: "two upstreams tried",
			line: `198.51.100.7 - - [01/May/2024:12:00:02 +0000] "POST /users/sign_in HTTP/1.1" 302 97 "-" "curl/8.5.0" 1123 0.118 [gitlab-gitlab-webservice-default-8181] [canary-svc-8181] 10.42.0.17:8181, 10.42.0.18:8181 0, 97 0.001, 0.117 502, 302 8b1e4c7d`,
			want: want{"UpstreamAddr": "10.42.0.17:8181, 10.42.0.18:8181", "UpstreamResponseLength": "0, 97",
				"UpstreamResponseTime": "0.001, 0.117", "UpstreamStatus": "502, 302", "RequestID": "8b1e4c7d",
				"UpstreamAlternativeName": "canary-svc-8181", "!HTTPReferer": ""},
		},
		{
			name: "internal redirect",
			line: `192.0.2.1 - bob [01/May/2024:12:00:03 +0000] "GET / HTTP/1.1" 200 5 "-" "ua" 100 0.010 [ns-svc-80] [] 10.0.0.1:80 : 10.0.0.2:80 0 : 5 0.004 : 0.006 404 : 200 abc`,
			want: want{"RemoteUser": "bob", "UpstreamAddr": "10.0.0.1:80 : 10.0.0.2:80", "UpstreamResponseLength": "0 : 5",
				"UpstreamStatus": "404 : 200", "RequestID": "abc"},
		},
		{
			name: "no upstream (rejected by NGINX)",
			line: `203.0.113.9 - - [01/May/2024:12:00:04 +0000] "-" 400 0 "-" "-" 0 0.000 [] [] - - - - 5e4d3c2b`,
			want: want{"ResponseCode": "400", "RequestLength": "0", "RequestTime": "0.000", "!UpstreamName": "",
				"!UpstreamAddr": "", "!UpstreamStatus": "", "RequestID": "5e4d3c2b", "!URI": ""},
		},
		{
			name: "before ingress-nginx 0.21: no alternative upstream",
			line: `192.0.2.10 - - [01/May/2024:12:00:01 +0000] "GET / HTTP/1.1" 200 1 "-" "ua" 50 0.001 [ns-svc-80] 10.0.0.1:80 1 0.001 200 abc`,
			want: want{"UpstreamName": "ns-svc-80", "UpstreamAddr": "10.0.0.1:80", "UpstreamStatus": "200", "RequestID": "abc"},
		},
		{
			name: "escaped quote in the user agent",
			line: `192.0.2.10 - - [01/May/2024:12:00:01 +0000] "GET / HTTP/1.1" 200 1 "-" "ua \"x\" [y]" 50 0.001 [ns-svc-80] [] 10.0.0.1:80 1 0.001 200 abc`,
			want: want{"UserAgent": `ua \"x\" [y]`, "UpstreamName": "ns-svc-80", "RequestID": "abc"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var r Record
			if err := new(Access).Parse([]byte(tc.line), &r); err != nil {
				t.Fatal(err)
			}
			checkCols(t, &r, tc.want)
		})
	}
}

// TestAccessIngressBroken: a tail that is neither a gzip ratio nor the
// ingress fields is an error, as before.
func TestAccessIngressBroken(t *testing.T) {
	for _, line := range []string{
		`192.0.2.10 - - [01/May/2024:12:00:01 +0000] "GET / HTTP/1.1" 200 1 "-" "ua" 50 0.001 [ns-svc-80 10.0.0.1:80 1 0.001 200 abc`,
		`192.0.2.10 - - [01/May/2024:12:00:01 +0000] "GET / HTTP/1.1" 200 1 "-" "ua" x 0.001 [a] [] b c d e f`,
		`192.0.2.10 - - [01/May/2024:12:00:01 +0000] "GET / HTTP/1.1" 200 1 "-" "ua" 50 0.001 [a] [] b c d`,
	} {
		var r Record
		if err := new(Access).Parse([]byte(line), &r); err == nil {
			t.Errorf("parsed %q: %v", line, r.Fields)
		}
	}
}

// TestAccessIngressSamples: every line of the Kubernetes samples parses
// with a RequestID.
func TestAccessIngressSamples(t *testing.T) {
	f, err := os.Open("../testdata/kubernetes/originals/ingress_access.log")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		var r Record
		if err := new(Access).Parse(sc.Bytes(), &r); err != nil {
			t.Errorf("%s: %v", sc.Text(), err)
		} else if _, ok := r.Get(ColRequestID); !ok {
			t.Errorf("%s: no RequestID", sc.Text())
		}
		n++
	}
	if n == 0 {
		t.Fatal("no samples")
	}
}

var benchIngress = []byte(`192.0.2.10 - - [01/May/2024:12:00:01 +0000] "GET /users/sign_in HTTP/2.0" 200 6312 "https://gitlab.example.com/" "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0" 514 0.042 [gitlab-gitlab-webservice-default-8181] [] 10.42.0.17:8181 6312 0.041 200 3f0c2a1b5e7d9c8b4a6f1e2d3c4b5a69`)

func BenchmarkAccessIngress(b *testing.B) { benchParse(b, new(Access), benchIngress) }
