package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
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
		// trial 252: the URL without /healthz got a bare 404
		{"no /healthz", strings.TrimSuffix(notFound, "/healthz"), "answered 404 Not Found: the agent answers health at the path /healthz: give --url " + strings.TrimSuffix(notFound, "/healthz") + "/healthz"},
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

// TestHealthcheckConfig: --config asks the /healthz of the file's
// metrics.listen, on loopback when it listens on every interface; a file
// without metrics.listen, and --url given too, are refused, each saying
// why (fresh-user trial 61: the default URL was the only way without
// --url).
func TestHealthcheckConfig(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte("ok\n"))
	}))
	t.Cleanup(srv.Close)
	_, port, err := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	every := writeFile(t, filepath.Join(dir, "every.yaml"), "metrics:\n  listen: \":"+port+"\"\n")
	loop := writeFile(t, filepath.Join(dir, "loop.yaml"), "metrics:\n  listen: 127.0.0.1:"+port+"\n")
	none := writeFile(t, filepath.Join(dir, "none.yaml"), "state_dir: /s\n")
	for _, tc := range []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"every interface", []string{"--config", every}, ""},
		{"loopback", []string{"-c", loop}, ""},
		{"no metrics.listen", []string{"--config", none}, "healthcheck: " + none + " sets no metrics.listen, so the agent serves no /healthz"},
		{"--url too", []string{"--config", loop, "--url", srv.URL + "/healthz"}, "healthcheck: --url and --config both name the agent: give one"},
		{"missing file", []string{"--config", filepath.Join(dir, "gone.yaml")}, "no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := execute(t, append([]string{"healthcheck"}, tc.args...)...)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("healthcheck %v: %v\n%s", tc.args, err, out)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("healthcheck %v: error %v, want %q", tc.args, err, tc.wantErr)
			}
		})
	}
}
