package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/gziptest"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/testcert"
)

// runSendCollect runs the command tree in-process.
func runSendCollect(ctx context.Context, stdin io.Reader, stdout, stderr io.Writer, args ...string) error {
	cmd := newRootCmd()
	cmd.SetIn(stdin)
	cmd.SetOut(stdout)
	cmd.SetErr(stderr)
	cmd.SetArgs(args)
	return cmd.ExecuteContext(ctx)
}

// freePort returns a free loopback host:port for network ("udp" or a TCP
// one).
func freePort(t *testing.T, network string) string {
	t.Helper()
	var port int
	if network == "udp" {
		port = syslogtest.FreeUDPPort(t)
	} else {
		port = syslogtest.FreeTCPPort(t)
	}
	return "127.0.0.1:" + strconv.Itoa(port)
}

// startCollectCmd runs `collect --listen url` until the test ends and
// returns its stdout.
func startCollectCmd(t *testing.T, url string, extra ...string) *syslogtest.Buffer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, errOut := &syslogtest.Buffer{}, &syslogtest.Buffer{}
	done := make(chan error, 1)
	go func() {
		done <- runSendCollect(ctx, nil, out, errOut, append([]string{"collect", "--listen", url}, extra...)...)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("collect: %v (stderr %s)", err, errOut.String())
		}
	})
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(errOut.String(), "listening on") {
		if time.Now().After(deadline) {
			t.Fatalf("collect did not start: %s", errOut.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	return out
}

type collected struct {
	Facility       string                       `json:"facility"`
	Severity       string                       `json:"severity"`
	Timestamp      *string                      `json:"timestamp"`
	Hostname       string                       `json:"hostname"`
	AppName        string                       `json:"app_name"`
	MsgID          string                       `json:"msg_id"`
	StructuredData map[string]map[string]string `json:"structured_data"`
	Message        string                       `json:"message"`
	Error          string                       `json:"error"`
}

func waitLines(t *testing.T, out *syslogtest.Buffer, n int) []collected {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(out.String(), "\n") < n {
		if time.Now().After(deadline) {
			t.Fatalf("collect printed %d lines, want %d", strings.Count(out.String(), "\n"), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
	var res []collected
	sc := bufio.NewScanner(strings.NewReader(out.String()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var c collected
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("collect output %q: %v", sc.Text(), err)
		}
		res = append(res, c)
	}
	return res
}

func testdataLines(t *testing.T, name string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", name))
	if err != nil {
		t.Skipf("testdata not available: %v", err)
	}
	var lines []string
	for _, l := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(l) != "" {
			lines = append(lines, strings.TrimRight(l, "\r"))
		}
	}
	return lines
}

func TestSendToCollect(t *testing.T) {
	tests := []struct {
		file, typ, app string
	}{
		{"audit_json.log", "audit", "GitLab-Audit-Logs"},
		{"application_json.log", "application", "GitLab-Application-Logs"},
		{"gitlab_access.log", "access", "GitLab-Access-Logs"},
		{"audit_json.log", "auto", "GitLab-Audit-Logs"},
		{"auth_json.log", "auth", "GitLab-Auth-Logs"},
		{"auth_json.log", "auto", "GitLab-Auth-Logs"},
	}
	for _, scheme := range []string{"tcp", "udp"} {
		for _, tt := range tests {
			t.Run(scheme+"/"+tt.typ+"/"+tt.file, func(t *testing.T) {
				want := testdataLines(t, tt.file)
				url := scheme + "://" + freePort(t, scheme)
				out := startCollectCmd(t, url)
				var stdout, stderr syslogtest.Buffer
				err := runSendCollect(context.Background(), nil, &stdout, &stderr, "send", "--type", tt.typ, "--to", url,
					"--hostname", "gitlab01.example.com", filepath.Join("..", "..", "testdata", tt.file))
				if err != nil {
					t.Fatalf("send: %v\n%s", err, stderr.String())
				}
				if !strings.HasPrefix(stdout.String(), "sent "+strconv.Itoa(len(want))+" lines") || !strings.Contains(stdout.String(), " to "+url+" in ") {
					t.Errorf("summary = %q", stdout.String())
				}
				got := waitLines(t, out, len(want))
				if len(got) != len(want) {
					t.Fatalf("collected %d, want %d", len(got), len(want))
				}
				for i, c := range got {
					if c.Message != want[i] || c.AppName != tt.app || c.Facility != "local7" || c.Hostname != "gitlab01.example.com" ||
						c.Timestamp == nil || c.Error != "" {
						t.Errorf("message %d = %+v\nwant MSG %q", i, c, want[i])
					}
					if c.MsgID != "" && c.MsgID != strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(tt.app, "GitLab-"), "-Logs")) {
						t.Errorf("message %d msg_id %q", i, c.MsgID)
					}
				}
			})
		}
	}
}

func TestSendStdinGzipUnparsedNoSD(t *testing.T) {
	url := "tcp://" + freePort(t, "tcp")
	out := startCollectCmd(t, url)
	lines := []string{`{"severity":"ERROR","time":"2026-08-22T10:00:00.000Z","message":"boom"}`, "not a log line at all", "\xEF\xBB\xBF{\"bom\":1}"}
	gz := gziptest.Compress(t, []byte(strings.Join(lines, "\r\n")+"\r\n"))
	var stdout, stderr syslogtest.Buffer
	if err := runSendCollect(context.Background(), bytes.NewReader(gz), &stdout, &stderr, "send", "--type", "application", "--to", url,
		"--no-sd", "--app-name", "Custom", "--facility", "local3"); err != nil {
		t.Fatalf("send: %v\n%s", err, stderr.String())
	}
	if !strings.HasPrefix(stdout.String(), "sent 3 lines of 3 read to ") || !strings.Contains(stdout.String(), "(2 unparsed, sent raw)") {
		t.Errorf("summary = %q", stdout.String())
	}
	got := waitLines(t, out, 3)
	wantMsg := []string{lines[0], lines[1], `{"bom":1}`}
	for i, c := range got {
		if c.Message != wantMsg[i] || c.AppName != "Custom" || c.Facility != "local3" || c.StructuredData != nil {
			t.Errorf("message %d = %+v", i, c)
		}
	}
	if got[0].Severity != "err" || *got[0].Timestamp != "2026-08-22T10:00:00Z" {
		t.Errorf("parsed line: severity %q time %v", got[0].Severity, *got[0].Timestamp)
	}
	if got[1].Timestamp == nil {
		t.Error("unparsed line has no timestamp; want the read time")
	}
}

func TestSendTLS(t *testing.T) {
	certs, err := testcert.WriteTestCerts(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	url := "tls://" + freePort(t, "tcp")
	out := startCollectCmd(t, url, "--cert-file", certs.ServerCert, "--key-file", certs.ServerKey, "--client-ca-file", certs.CAFile)
	var stdout, stderr syslogtest.Buffer
	err = runSendCollect(context.Background(), strings.NewReader("hello over tls\n"), &stdout, &stderr, "send", "--to", url,
		"--ca-file", certs.CAFile, "--cert-file", certs.ClientCert, "--key-file", certs.ClientKey, "--server-name", "localhost")
	if err != nil {
		t.Fatalf("send: %v\n%s", err, stderr.String())
	}
	if got := waitLines(t, out, 1); got[0].Message != "hello over tls" {
		t.Errorf("got %+v", got[0])
	}
	// Without the CA the server certificate must be rejected.
	err = runSendCollect(context.Background(), strings.NewReader("x\n"), &stdout, &stderr, "send", "--to", url, "--timeout", "2s")
	if err == nil || !strings.Contains(err.Error(), "cannot reach") || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("send without CA: %v", err)
	}
}

func TestSendUnreachable(t *testing.T) {
	url := "tcp://" + freePort(t, "tcp")
	var stdout, stderr syslogtest.Buffer
	start := time.Now()
	err := runSendCollect(context.Background(), strings.NewReader("x\n"), &stdout, &stderr, "send", "--to", url)
	if err == nil {
		t.Fatal("send to a closed port succeeded")
	}
	want := "cannot reach " + url + ": connection refused — is the collector running?"
	if err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("send took %v to fail", d)
	}
	for _, args := range [][]string{
		{"send", "--to", "ftp://x"},
		{"send", "--to", "tcp://127.0.0.1:1", "--type", "nope"},
		{"send", "--to", "tcp://127.0.0.1:1", "--facility", "local9"},
		{"send"},
		{"collect", "--listen", "tcp://127.0.0.1:0", "--format", "xml"},
		{"collect", "--listen", "tls://127.0.0.1:0"},
	} {
		if err := runSendCollect(context.Background(), strings.NewReader(""), &stdout, &stderr, args...); err == nil {
			t.Errorf("%v succeeded", args)
		}
	}
}

// TestCollectRawFormat checks that --format raw, in any case, prints each
// message as received.
func TestCollectRawFormat(t *testing.T) {
	for _, format := range []string{"raw", "RAW", "Raw"} {
		t.Run(format, func(t *testing.T) {
			url := "udp://" + freePort(t, "udp")
			out := startCollectCmd(t, url, "--format", format)
			c, err := net.Dial("udp", strings.TrimPrefix(url, "udp://"))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.Write([]byte("<13>1 - - - - - - raw text"))
			deadline := time.Now().Add(5 * time.Second)
			for out.String() != "<13>1 - - - - - - raw text\n" {
				if time.Now().After(deadline) {
					t.Fatalf("raw output = %q", out.String())
				}
				time.Sleep(5 * time.Millisecond)
			}
		})
	}
}

// TestCollectKeepsNUL: collect's JSON output keeps every NUL byte of a
// line it received, as \u0000, whether the line is syslog or not
// (unparsed, printed as received), also at the start of a line; NULs
// between octet-counted frames are still taken as separators. Before, the
// NULs a newline-framed line started with were dropped.
func TestCollectKeepsNUL(t *testing.T) {
	url := "tcp://" + freePort(t, "tcp")
	out := startCollectCmd(t, url)
	c, err := net.Dial("tcp", strings.TrimPrefix(url, "tcp://"))
	if err != nil {
		t.Fatal(err)
	}
	frames := "\x00\x00not syslog\x00\n" + "a\x00b\n" + "<13>1 - h app - - - \x00msg\x00\n" + "\x0019 <13>1 - - - - - - x\x00"
	if _, err := c.Write([]byte(frames)); err != nil {
		t.Fatal(err)
	}
	c.Close()
	want := []string{`"message":"\u0000\u0000not syslog\u0000"`, `"message":"a\u0000b"`, `"message":"\u0000msg\u0000"`}
	got := waitLines(t, out, 4)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	for i, w := range want {
		if !strings.Contains(lines[i], w) {
			t.Errorf("line %d = %s, want it to contain %s", i+1, lines[i], w)
		}
	}
	if len(got) != 4 || got[3].Message != "x" || !strings.Contains(lines[3], `"format":"rfc5424"`) {
		t.Errorf("the octet-counted frame between NULs: %s", out.String())
	}
}

func TestSendRFC3164(t *testing.T) {
	url := "tcp://" + freePort(t, "tcp")
	out := startCollectCmd(t, url)
	var stdout, stderr syslogtest.Buffer
	line := `1.2.3.4 - - [22/Aug/2026:10:00:00 +0000] "GET /api/v4/projects HTTP/1.1" 401 0 "-" "curl/8" 1.0`
	if err := runSendCollect(context.Background(), strings.NewReader(line+"\n"), &stdout, &stderr, "send", "--type", "access",
		"--to", url, "--rfc3164", "--hostname", "gl"); err != nil {
		t.Fatalf("send: %v\n%s", err, stderr.String())
	}
	got := waitLines(t, out, 1)[0]
	if got.AppName != "GitLab-Access-Logs" || got.Hostname != "gl" || got.Facility != "local7" || got.Message != line || got.StructuredData != nil {
		t.Errorf("got %+v", got)
	}
	if got.Severity != "warning" { // 401 → warning
		t.Errorf("severity %q, want warning", got.Severity)
	}
}
