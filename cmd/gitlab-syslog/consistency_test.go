package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/testcert"
)

// subcommand returns the named subcommand of a fresh command tree.
func subcommand(t *testing.T, name string) *cobra.Command {
	t.Helper()
	for _, c := range newRootCmd().Commands() {
		if c.Name() == name {
			return c
		}
	}
	t.Fatalf("no %s command", name)
	return nil
}

// TestForwardFlagsShared: run, check and send have every forwarding flag,
// with the same help (but for --to's default).
func TestForwardFlagsShared(t *testing.T) {
	ref := &cobra.Command{Use: "ref"}
	new(forwardFlags).register(ref, "DEFAULT")
	n := 0
	ref.Flags().VisitAll(func(want *pflag.Flag) {
		n++
		for _, name := range []string{"run", "check", "send"} {
			got := subcommand(t, name).Flags().Lookup(want.Name)
			if got == nil {
				t.Errorf("%s has no --%s", name, want.Name)
				continue
			}
			wantUsage := want.Usage
			if want.Name == "to" {
				wantUsage = strings.TrimSuffix(wantUsage, "(DEFAULT)")
			}
			if !strings.HasPrefix(got.Usage, wantUsage) {
				t.Errorf("%s --%s: %q, want %q", name, want.Name, got.Usage, wantUsage)
			}
		}
	})
	for _, name := range []string{"to", "hostname", "facility", "sd-id", "no-sd", "rfc3164", "ca-file", "cert-file", "key-file", "server-name", "max-line-bytes"} {
		if ref.Flags().Lookup(name) == nil {
			t.Errorf("the forwarding flags lack --%s", name)
		}
	}
	if n == 0 {
		t.Fatal("no forwarding flags")
	}
}

var schemeRE = regexp.MustCompile(`\b([a-z]+(?:\+[a-z]+)?)://`)

// schemesIn returns the URL schemes mentioned in s, in order, once each.
func schemesIn(s string) []string {
	var out []string
	for _, m := range schemeRE.FindAllStringSubmatch(s, -1) {
		if !slices.Contains(out, m[1]) && m[1] != "ftp" && m[1] != "http" {
			out = append(out, m[1])
		}
	}
	return out
}

// TestSchemeListsAgree: the destination schemes named by config validation,
// the forwarder, the --to help of run and send, send's help text and the
// README are one list.
func TestSchemeListsAgree(t *testing.T) {
	all := config.Schemes()
	if want := append(forwarder.Schemes(), "stdout"); !slices.Equal(all, want) {
		t.Fatalf("config.Schemes() = %q, want the forwarder's plus stdout %q", all, want)
	}
	_, fwErr := forwarder.New(forwarder.Config{URL: "ftp://x"})
	_, checkErr := execute(t, "check", "--to", "ftp://x", "--log-dir", t.TempDir(), "--state-dir", t.TempDir())
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	dest := regexp.MustCompile(`(?s)\nDestinations[^\n]*(\n[^\n]+)*`).Find(readme)
	texts := []struct {
		where, text string
		want        []string
	}{
		{"forwarder error", errText(fwErr), forwarder.Schemes()},
		{"config error", errText(checkErr), all},
		{"run --to", subcommand(t, "run").Flags().Lookup("to").Usage, all},
		{"send --to", subcommand(t, "send").Flags().Lookup("to").Usage, all},
		{"send help", subcommand(t, "send").Long, all},
		{"README Destinations", string(dest), all},
	}
	for _, tc := range texts {
		if got := schemesIn(tc.text); !slices.Equal(got, tc.want) {
			t.Errorf("%s names %q, want %q:\n%s", tc.where, got, tc.want, tc.text)
		}
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// maskNow replaces the TIMESTAMP of messages stamped with the time they
// were read (lines without an event time), which differs between two runs.
func maskNow(msgs []string) []string {
	out := make([]string, len(msgs))
	now := time.Now()
	for i, m := range msgs {
		f := strings.SplitN(m, " ", 3)
		if len(f) == 3 {
			if ts, err := time.Parse(time.RFC3339Nano, f[1]); err == nil && now.Sub(ts).Abs() < 10*time.Minute {
				f[1] = "NOW"
			}
		}
		out[i] = strings.Join(f, " ")
	}
	return out
}

// TestSendMatchesRun: send --to stdout prints what run --to stdout prints
// for the same file with the same settings (only the read time of lines
// without an event time differs): the same defaults, a 5 MB line cut to
// max_line_bytes by both, blank lines skipped by both.
func TestSendMatchesRun(t *testing.T) {
	dir := t.TempDir()
	sample, err := os.ReadFile("../../testdata/audit_json.log")
	if err != nil {
		t.Fatal(err)
	}
	long := `{"severity":"INFO","message":"` + strings.Repeat("x", 5<<20) + `"}`
	log := writeFile(t, filepath.Join(dir, "audit_json.log"), string(sample)+"\n"+long+"\n  \n"+string(sample))
	cfg := writeFile(t, filepath.Join(dir, "config.yaml"),
		"state_dir: "+filepath.Join(dir, "state")+"\nsources:\n  - type: audit\n    path: "+log+"\n")

	run := newRootCmd()
	var runOut, runErr bytes.Buffer
	run.SetOut(&runOut)
	run.SetErr(&runErr)
	run.SetArgs([]string{"run", "--config", cfg, "--to", "stdout", "--once", "--hostname", "h1"})
	if err := run.Execute(); err != nil {
		t.Fatalf("run: %v\n%s", err, runErr.String())
	}
	var sendOut, sendErr bytes.Buffer
	if err := runSendCollect(context.Background(), nil, &sendOut, &sendErr, "send", "--type", "audit", "--to", "stdout", "--hostname", "h1", log); err != nil {
		t.Fatalf("send: %v\n%s", err, sendErr.String())
	}
	got := maskNow(strings.Split(strings.TrimSuffix(sendOut.String(), "\n"), "\n"))
	var runLines []string // the log lines; run also sends the alerts they raise, send does not detect
	for _, l := range strings.Split(strings.TrimSuffix(runOut.String(), "\n"), "\n") {
		if !strings.Contains(l, " "+forwarder.AppNameDetections+" ") {
			runLines = append(runLines, l)
		}
	}
	want := maskNow(runLines)
	lines := 2*bytes.Count(sample, []byte("\n")) + 1
	if len(want) != lines || len(got) != len(want) {
		t.Fatalf("run printed %d messages, send %d; want %d", len(want), len(got), lines)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("message %d differs:\nsend %.300q\nrun  %.300q", i, got[i], want[i])
		}
		if len(got[i]) > config.DefaultMaxLine+200 {
			t.Errorf("message %d is %d bytes: not cut to max_line_bytes", i, len(got[i]))
		}
	}
	// The summary goes to stderr (stdout carries the messages) and counts
	// every line: the cut one and the blank one.
	wantSummary := "sent " + strconv.Itoa(lines) + " lines of " + strconv.Itoa(lines) + " read to stdout:// in "
	if s := sendErr.String(); !strings.HasPrefix(s, wantSummary) || !strings.Contains(s, "1 of them cut to max_line_bytes (1048576 bytes)") || !strings.Contains(s, "2 blank lines skipped") {
		t.Errorf("summary = %q, want %q... with the cut and the blank line", s, wantSummary)
	}
}

// TestSendAccounting: what send prints adds up: lines read = sent + not
// sent, blank lines counted apart; inputs are opened before connecting.
func TestSendAccounting(t *testing.T) {
	audit := filepath.Join("..", "..", "testdata", "audit_json.log")
	auditLines := len(testdataLines(t, "audit_json.log"))
	closedTCP := "tcp://" + freePort(t, "tcp")
	dir := t.TempDir()
	tests := []struct {
		name       string
		stdin      string
		args       []string
		wantOut    string // stdout prefix ("" = nothing printed on stdout)
		wantStderr string // stderr prefix
		wantErr    string // error prefix, "" = none
	}{
		{name: "one line, plural", stdin: "x\n\n \n", args: []string{"--to", "stdout"},
			wantOut: "<190>1 ", wantStderr: "sent 1 line of 1 read to stdout:// in "},
		{name: "missing file before connecting", args: []string{"--to", closedTCP, filepath.Join(dir, "nope.log")},
			wantErr: "send: open " + filepath.Join(dir, "nope.log") + ": no such file or directory (is the path right?)"},
		// trial 226: a pattern the shell found no file for was taken for a path
		{name: "pattern that matched no file", args: []string{"--to", closedTCP, filepath.Join(dir, "production*.log")},
			wantErr: "send: open " + filepath.Join(dir, "production*.log") + ": no such file or directory (a pattern that matched no file: the shell passes a pattern that matches nothing as it is; is the pattern right?)"},
		{name: "missing directory before connecting", args: []string{"--to", closedTCP, filepath.Join(dir, "gitlab", "nope.log")},
			wantErr: "send: open " + filepath.Join(dir, "gitlab", "nope.log") + ": no such file or directory (directory " + filepath.Join(dir, "gitlab") + " does not exist: is the path right?)"},
		{name: "directory", args: []string{"--to", closedTCP, dir},
			wantErr: "send: " + dir + " is a directory, not a log file; give the log files in it (e.g. " + filepath.Join(dir, "*.log*") + ")"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr syslogtest.Buffer
			err := runSendCollect(context.Background(), strings.NewReader(tc.stdin), &stdout, &stderr, append([]string{"send"}, tc.args...)...)
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || err.Error() != tc.wantErr) {
				t.Errorf("error = %v, want %q", err, tc.wantErr)
			}
			if tc.wantOut == "" && stdout.String() != "" || !strings.HasPrefix(stdout.String(), tc.wantOut) {
				t.Errorf("stdout = %q, want %q...", stdout.String(), tc.wantOut)
			}
			if !strings.HasPrefix(stderr.String(), tc.wantStderr) {
				t.Errorf("stderr = %q, want %q...", stderr.String(), tc.wantStderr)
			}
		})
	}

	// UDP to a port nothing listens on: the refusals make send give up, and
	// every line read is either sent or not sent.
	url := "udp://" + freePort(t, "udp")
	var stdout, stderr syslogtest.Buffer
	err := runSendCollect(context.Background(), nil, &stdout, &stderr, "send", "--to", url, audit)
	m := regexp.MustCompile(`^sent (\d+) lines? of (\d+) read to ` + regexp.QuoteMeta(url) + ` in `).FindStringSubmatch(stdout.String())
	if m == nil {
		t.Fatalf("stdout = %q", stdout.String())
	}
	sent, _ := strconv.Atoi(m[1])
	read, _ := strconv.Atoi(m[2])
	if err == nil {
		t.Fatalf("send to a refusing UDP port succeeded: %s", stdout.String())
	}
	e := regexp.MustCompile(`^send: (\d+) of (\d+) lines not sent: .*connection refused`).FindStringSubmatch(err.Error())
	if e == nil {
		t.Fatalf("error = %v", err)
	}
	notSent, _ := strconv.Atoi(e[1])
	if read != auditLines || e[2] != m[2] || sent+notSent != read || notSent == 0 {
		t.Errorf("read %d (file has %d), sent %d + not sent %d (of %s) do not add up", read, auditLines, sent, notSent, e[2])
	}
}

// TestSendErrorHints: the "is the collector running?" hint only where it is
// true, the TLS flag that fixes an untrusted certificate, and whether the
// port speaks TLS when the connection was made but the handshake got no
// answer (fresh-user trial 55: it asked whether the collector was
// running); ports are checked before connecting; error text is never cut.
func TestSendErrorHints(t *testing.T) {
	certs, err := testcert.WriteTestCerts(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	tlsURL := "tls://" + freePort(t, "tcp")
	startCollectCmd(t, tlsURL, "--cert-file", certs.ServerCert, "--key-file", certs.ServerKey)
	mutualURL := "tls://" + freePort(t, "tcp")
	startCollectCmd(t, mutualURL, "--cert-file", certs.ServerCert, "--key-file", certs.ServerKey, "--client-ca-file", certs.CAFile)
	closed := "tcp://" + freePort(t, "tcp")
	plainAsTLS := "tls://" + silentListener(t)   // answers no TLS handshake
	plainAsRELP := "relp://" + silentListener(t) // answers no RELP open
	tests := []struct {
		name    string
		args    []string
		want    string // the whole error, or its start when it ends in "..."
		notWant string
	}{
		{name: "refused", args: []string{"--to", closed}, want: "cannot reach " + closed + ": connection refused — is the collector running?"},
		{name: "tls unknown authority", args: []string{"--to", tlsURL, "--timeout", "2s"},
			want: "cannot reach " + tlsURL + ": tls: failed to verify certificate: x509: certificate signed by unknown authority — give the CA that signed the collector's certificate with --ca-file", notWant: "running"},
		{name: "tls other name", args: []string{"--to", tlsURL, "--timeout", "2s", "--ca-file", certs.CAFile, "--server-name", "siem.example"},
			want: "cannot reach " + tlsURL + ": tls: failed to verify certificate: x509: certificate is valid for localhost, not siem.example — the certificate does not name the host dialed: use a name it has, or --server-name", notWant: "running"},
		// fresh-user trial 117: the last line said only "tls: certificate required"
		{name: "tls without the client certificate required", args: []string{"--to", mutualURL, "--timeout", "2s", "--ca-file", certs.CAFile},
			want: "cannot reach " + mutualURL + ": the collector refused the connection after the TLS handshake: it requires a client certificate (give forward.tls.cert_file and key_file, or --cert-file and --key-file): remote error: tls: certificate required", notWant: "running"},
		{name: "tls to a plain TCP port", args: []string{"--to", plainAsTLS, "--timeout", "1s"},
			want: "cannot reach " + plainAsTLS + ": the collector did not answer the TLS handshake (does the port take plain syslog, tcp://, or RELP, relp://, rather than TLS? a plain receiver may have logged the handshake as a message; or is the collector hung or overloaded? see its log): context deadline exceeded", notWant: "running"},
		{name: "relp to a plain TCP port", args: []string{"--to", plainAsRELP, "--timeout", "1s"},
			want: "cannot reach " + plainAsRELP + ": the collector did not answer RELP's open command (does the port take plain syslog, tcp://, or syslog over TLS, tls://, rather than RELP? or is the collector hung or overloaded? see its log): ...", notWant: "running"},
		{name: "port too large", args: []string{"--to", "tcp://127.0.0.1:99999"}, want: `send: --to: "tcp://127.0.0.1:99999": port "99999" is not a number from 1 to 65535`},
		{name: "port zero", args: []string{"--to", "udp://127.0.0.1:0"}, want: `send: --to: "udp://127.0.0.1:0": port "0" is not a number from 1 to 65535`},
		{name: "too many colons", args: []string{"--to", "udp://127.0.0.1:5591:9"}, want: `send: --to: "udp://127.0.0.1:5591:9": "127.0.0.1:5591:9" is not host:port (too many colons in address): write one host and one port, e.g. udp://127.0.0.1:514; an IPv6 address goes in brackets, e.g. udp://[::1]:514`},
		{name: "port name", args: []string{"--to", "tcp://127.0.0.1:syslog"}, want: `send: --to: "tcp://127.0.0.1:syslog": invalid port ":syslog" after host; write SCHEME://HOST:PORT, e.g. tcp://127.0.0.1:514`},
		{name: "unknown scheme", args: []string{"--to", "stdout:"}, want: `send: --to: "stdout:": stdout:// takes no host, path or options (write stdout://, stdout or -)`},
		{name: "other scheme", args: []string{"--to", "syslog://h:514"}, want: `send: --to: unsupported scheme in "syslog://h:514" (want udp://, tcp://, tls://, unix://, unixgram://, relp://, relp+tls:// or stdout://)`},
		{name: "stdout typo", args: []string{"--to", "stdot"}, want: `send: --to: unsupported scheme in "stdot" (want udp://, tcp://, tls://, unix://, unixgram://, relp://, relp+tls:// or stdout://) (did you mean "stdout"?)`},
		{name: "stdout:// typo", args: []string{"--to", "stdot://"}, want: `send: --to: unsupported scheme in "stdot://" (want udp://, tcp://, tls://, unix://, unixgram://, relp://, relp+tls:// or stdout://) (did you mean "stdout://"?)`},
		{name: "scheme typo", args: []string{"--to", "tpc://127.0.0.1:514"}, want: `send: --to: unsupported scheme in "tpc://127.0.0.1:514" (want udp://, tcp://, tls://, unix://, unixgram://, relp://, relp+tls:// or stdout://) (did you mean "tcp://127.0.0.1:514"?)`},
		{name: "address without scheme", args: []string{"--to", "127.0.0.1:514"}, want: `send: --to: "127.0.0.1:514": first path segment in URL cannot contain colon (did you mean "tcp://127.0.0.1:514"?)`},
		{name: "scheme without colon", args: []string{"--to", "tcp//127.0.0.1:25600"}, want: `send: --to: unsupported scheme in "tcp//127.0.0.1:25600" (want udp://, tcp://, tls://, unix://, unixgram://, relp://, relp+tls:// or stdout://) (did you mean "tcp://127.0.0.1:25600"?)`},
		{name: "scheme typo without colon", args: []string{"--to", "tpc//h:514"}, want: `send: --to: unsupported scheme in "tpc//h:514" (want udp://, tcp://, tls://, unix://, unixgram://, relp://, relp+tls:// or stdout://) (did you mean "tcp://h:514"?)`},
		{name: "no --to", args: nil, want: `send: --to is required: where to send the lines, e.g. --to tcp://127.0.0.1:514 (udp://, tcp://, tls://, unix://, unixgram://, relp://, relp+tls:// or stdout://), or --to stdout to print them`},
		{name: "host and port without scheme", args: []string{"--to", "localhost:514"}, want: `send: --to: unsupported scheme in "localhost:514" (want udp://, tcp://, tls://, unix://, unixgram://, relp://, relp+tls:// or stdout://) (did you mean "tcp://localhost:514"?)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr syslogtest.Buffer
			err := runSendCollect(context.Background(), strings.NewReader("x\n"), &stdout, &stderr, append([]string{"send"}, tc.args...)...)
			start, isStart := strings.CutSuffix(tc.want, "...")
			if err == nil || !isStart && err.Error() != tc.want || isStart && !strings.HasPrefix(err.Error(), start) {
				t.Errorf("error = %v\nwant    %s", err, tc.want)
			}
			if tc.notWant != "" && err != nil && strings.Contains(err.Error(), tc.notWant) {
				t.Errorf("error %q contains %q", err, tc.notWant)
			}
		})
	}
	// Failures that cannot be staged on loopback.
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "siem.invalid", IsNotFound: true}}, " — is the host name right?"},
		{&net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "server misbehaving", Name: "siem.example", IsTemporary: true}}, ""},
		{&net.OpError{Op: "dial", Net: "tcp", Err: os.ErrDeadlineExceeded}, " — is the collector running, and does a firewall let the connection through?"},
		{errors.New("forwarder: connect to tls://h:6514: tls: handshake failure"), ""},
		// Fresh-user trial 71: a unix:// socket that is not there.
		{&net.OpError{Op: "dial", Net: "unix", Err: &os.SyscallError{Syscall: "connect", Err: syscall.ENOENT}}, " — no socket at that path: is the collector running, and is the path its socket's?"},
		// Fresh-user trial 66: no client certificate for a mutual-TLS
		// collector; plain RELP to a TLS port.
		{fmt.Errorf("forwarder: connect to relp+tls://h:2514: %w", tls.AlertError(116)), " — the collector wants a client certificate it trusts (mutual TLS): give it with --cert-file and --key-file"},
		// A port of another protocol: the forwarder's error says which
		// scheme to try (forwarder.ErrProtocol), and no hint repeats it.
		{fmt.Errorf("forwarder: relp://h:2514: RELP open: the collector closed the connection at RELP's open command (does the port expect TLS, relp+tls:// or tls://?): %w", forwarder.ErrProtocol), ""},
	} {
		if got := unreachableHint(tc.err, ""); got != tc.want {
			t.Errorf("unreachableHint(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
	// Fresh-user trial 141: a CA file given is named, rather than asked
	// for.
	unknownCA := fmt.Errorf("forwarder: connect to tls://h:6514: %w", x509.UnknownAuthorityError{})
	if got, want := unreachableHint(unknownCA, "wrong-ca.pem"), " — the CAs of wrong-ca.pem (--ca-file) did not sign the collector's certificate: give the CA that did"; got != want {
		t.Errorf("unreachableHint with a CA file = %q, want %q", got, want)
	}
}

// TestCollectListenHints: collect --listen gets send --to's "did you
// mean" for a misspelt scheme or an address without one, and none for a
// scheme it knows or one too far from any.
func TestCollectListenHints(t *testing.T) {
	for _, tc := range []struct{ name, listen, want string }{
		{"scheme typo", "tpc://127.0.0.1:5514", `collect: listen URL "tpc://127.0.0.1:5514": unknown scheme "tpc" (want udp, tcp, tls or unix) (did you mean "tcp://127.0.0.1:5514"?)`},
		{"one edit", "ud://127.0.0.1:5514", `collect: listen URL "ud://127.0.0.1:5514": unknown scheme "ud" (want udp, tcp, tls or unix) (did you mean "udp://127.0.0.1:5514"?)`},
		{"upper case typo", "TPC://127.0.0.1:5514", `collect: listen URL "TPC://127.0.0.1:5514": unknown scheme "tpc" (want udp, tcp, tls or unix) (did you mean "tcp://127.0.0.1:5514"?)`},
		{"unix typo", "unx:///tmp/x.sock", `collect: listen URL "unx:///tmp/x.sock": unknown scheme "unx" (want udp, tcp, tls or unix) (did you mean "unix:///tmp/x.sock"?)`},
		{"address without scheme", "127.0.0.1:5514", `collect: listen URL "127.0.0.1:5514": parse "127.0.0.1:5514": first path segment in URL cannot contain colon (did you mean "tcp://127.0.0.1:5514"?)`},
		{"host and port without scheme", "localhost:5514", `collect: listen URL "localhost:5514": unknown scheme "localhost" (want udp, tcp, tls or unix) (did you mean "tcp://localhost:5514"?)`},
		{"a send-only scheme", "relp://127.0.0.1:2514", `collect: listen URL "relp://127.0.0.1:2514": unknown scheme "relp" (want udp, tcp, tls or unix)`},
		{"far from any", "http://127.0.0.1:5514", `collect: listen URL "http://127.0.0.1:5514": unknown scheme "http" (want udp, tcp, tls or unix)`},
		{"one slash", "tcp:/127.0.0.1:25600", `collect: listen URL "tcp:/127.0.0.1:25600" has no host (e.g. tcp://127.0.0.1:25600)`},
		{"no slash", "udp:127.0.0.1:25600", `collect: listen URL "udp:127.0.0.1:25600" has no host (e.g. udp://127.0.0.1:25600)`},
		{"no slash, no port", "tls:h", `collect: listen URL "tls:h" has no host (e.g. tls://127.0.0.1:514)`},
		{"scheme without colon", "tcp//127.0.0.1:25600", `collect: listen URL "tcp//127.0.0.1:25600": unknown scheme "" (want udp, tcp, tls or unix) (did you mean "tcp://127.0.0.1:25600"?)`},
		{"unix without colon", "unix//tmp/x.sock", `collect: listen URL "unix//tmp/x.sock": unknown scheme "" (want udp, tcp, tls or unix) (did you mean "unix:///tmp/x.sock"?)`},
		{"empty", "", `collect: --listen needs an address to listen on, e.g. --listen tcp://127.0.0.1:5514 (udp://, tcp://, tls:// or unix:///path)`},
		{"blank", " ", `collect: --listen needs an address to listen on, e.g. --listen tcp://127.0.0.1:5514 (udp://, tcp://, tls:// or unix:///path)`},
		{"too many colons", "udp://127.0.0.1:5591:9", `collect: listen URL "udp://127.0.0.1:5591:9": "127.0.0.1:5591:9" is not host:port (too many colons in address): write one host and one port, e.g. udp://127.0.0.1:514; an IPv6 address goes in brackets, e.g. udp://[::1]:514`},
		{"IPv6 without brackets", "tcp://::1:5514", `collect: listen URL "tcp://::1:5514": "::1:5514" is not host:port (too many colons in address): write one host and one port, e.g. tcp://127.0.0.1:514; an IPv6 address goes in brackets, e.g. tcp://[::1]:514`},
		{"known scheme, no hint", "tcp://127.0.0.1:99999", `collect: listen on tcp://127.0.0.1:99999: listen tcp: address 99999: invalid port`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr syslogtest.Buffer
			err := runSendCollect(context.Background(), nil, &stdout, &stderr, "collect", "--listen", tc.listen)
			if err == nil || err.Error() != tc.want {
				t.Errorf("error = %v\nwant    %s", err, tc.want)
			}
		})
	}
}

// TestFlagErrorsNameTheFlag: a bad value from a flag is reported once,
// under the flag's name.
func TestFlagErrorsNameTheFlag(t *testing.T) {
	state := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--start-at", "middle", "--to", "stdout", "--log-dir", t.TempDir(), "--state-dir", state},
			`--start-at: "middle" is not one of beginning, end`},
		{[]string{"check", "--to", "tcp://h:70000", "--log-dir", t.TempDir(), "--state-dir", state},
			`--to: "tcp://h:70000": port "70000" is not a number from 1 to 65535`},
		{[]string{"check", "--facility", "local9", "--log-dir", t.TempDir(), "--state-dir", state},
			`--facility: unknown facility "local9" (want kern, user, ..., local0 ... local7, or 0-23)`},
		{[]string{"check", "--max-line-bytes", "lots", "--log-dir", t.TempDir(), "--state-dir", state},
			`--max-line-bytes: want a number of bytes (e.g. 1048576 or 1MiB), got "lots"`},
	} {
		_, err := execute(t, tc.args...)
		want := tc.want
		if tc.args[0] == "check" { // check lists it as its only problem
			want = "check: 1 problem(s):\n  " + tc.want
		}
		if err == nil || err.Error() != want {
			t.Errorf("%v: error = %v\nwant %s", tc.args, err, tc.want)
		}
	}
}

// TestEnumsAnyCaseFileAndFlag: check takes a config's enumerated values
// in any case, as the flags take theirs (--start-at END), and shows the
// canonical ones. Before, "format: RFC5424", "type: Audit" and
// --start-at END were refused.
func TestEnumsAnyCaseFileAndFlag(t *testing.T) {
	dir := t.TempDir()
	log := writeFile(t, filepath.Join(dir, "audit_json.log"), "")
	cfg := writeFile(t, filepath.Join(dir, "config.yaml"), "state_dir: "+filepath.Join(dir, "state")+
		"\nforward:\n  url: stdout\n  format: RFC5424\nsources:\n  - type: Audit\n    path: "+log+"\n    format: Plain\n")
	out, err := execute(t, "check", "--config", cfg, "--start-at", "END")
	if err != nil {
		t.Fatalf("check: %v\n%s", err, out)
	}
	for _, want := range []string{"stdout://, rfc5424,", "start_at:   end", "audit  " + log + "  APP-NAME GitLab-Audit-Logs  start_at end"} {
		if !strings.Contains(out, want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}
}

// TestCheckMissingDirectory: a source in a directory that does not exist
// is reported as such, not as "not readable".
func TestCheckMissingDirectory(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "no-such-dir")
	cfg := writeFile(t, filepath.Join(dir, "config.yaml"),
		"state_dir: "+filepath.Join(dir, "state")+"\nsources:\n  - type: audit\n    path: "+filepath.Join(missing, "audit_json.log")+"\n")
	out, err := execute(t, "check", "--config", cfg)
	if err != nil {
		t.Fatalf("check: %v\n%s", err, out)
	}
	if want := "does not exist, and directory " + missing + " does not exist"; !strings.Contains(out, want) || strings.Contains(out, "not readable") {
		t.Errorf("check output lacks %q (or says not readable):\n%s", want, out)
	}
}

// TestPluralSummaries: one line is "1 line", in parse's summary as in
// send's.
func TestPluralSummaries(t *testing.T) {
	line := testdataLines(t, "audit_json.log")[0]
	_, stderr, err := runParse(t, strings.NewReader(line+"\n"))
	if err != nil || stderr != "parsed 1 line, 0 failed\n" {
		t.Errorf("parse: %v, stderr %q; want \"parsed 1 line, 0 failed\\n\"", err, stderr)
	}
}

// silentListener returns the host:port of a TCP listener that accepts
// connections and reads them, and never writes: a plain TCP port a TLS
// client gets no handshake answer from. It closes when the test ends.
func silentListener(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				io.Copy(io.Discard, c)
			}()
		}
	}()
	return ln.Addr().String()
}
