package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestHealthcheck probes real HTTP servers: the agent's /healthz answers
// (200 ok, 503 with the problems), a server that is gone, and a bad URL.
func TestHealthcheck(t *testing.T) {
	serve := func(status int, body string) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(status)
			w.Write([]byte(body))
		}))
		t.Cleanup(srv.Close)
		return srv.URL + "/healthz"
	}
	// The servers first, then the port closed: a server started after the
	// port was freed could take it (CI saw "agent not running" answered
	// by the 404 server).
	healthy, unhealthy, notFound := serve(http.StatusOK, "ok\n"), serve(http.StatusServiceUnavailable, "source audit /x: permission denied\n"), serve(http.StatusNotFound, "404 page not found")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String() + "/healthz"
	ln.Close()

	for _, tc := range []struct {
		name    string
		url     string
		wantErr string // "" for healthy
	}{
		{"healthy", healthy, ""},
		{"unhealthy names the problem", unhealthy, "503 Service Unavailable: source audit /x: permission denied"},
		{"wrong path", notFound, "404 Not Found"},
		{"agent not running", closed, "connection refused (is the agent running, with metrics.listen at this address?)"},
		{"bad url", "::not a url", `--url "::not a url": parse "::not a url": missing protocol scheme; want http://HOST:PORT/healthz`},
		{"url without scheme", "127.0.0.1:9469/healthz", `--url "127.0.0.1:9469/healthz": parse`},
		{"url not http", "tcp://127.0.0.1:9469/healthz", `--url "tcp://127.0.0.1:9469/healthz": not an http:// or https:// URL with a host; want http://HOST:PORT/healthz`},
		{"url without host", "http:///healthz", `not an http:// or https:// URL with a host`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := execute(t, "healthcheck", "--url", tc.url, "--timeout", "5s")
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("healthcheck of a healthy agent failed: %v\n%s", err, out)
				}
				return
			}
			if err == nil {
				t.Fatalf("healthcheck of %s succeeded; want an error containing %q", tc.url, tc.wantErr)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %q lacks %q", err, tc.wantErr)
			}
		})
	}
}
