package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// sendOptions are the flags of the send command.
type sendOptions struct {
	typ, to, hostname, appName, facility, sdID string
	noSD, rfc3164                              bool
	tls                                        forwarder.TLSConfig
	timeout                                    time.Duration
	batch                                      int
}

func newSendCmd() *cobra.Command {
	var o sendOptions
	cmd := &cobra.Command{
		Use:   "send --to URL [flags] [FILE ...]",
		Short: "Parse GitLab log files (or stdin) and forward each line as syslog",
		Long: `send reads GitLab log lines from the files given (or stdin), parses each one
and forwards it to --to as RFC 5424 syslog, exactly as the agent would:
facility local7, APP-NAME GitLab-Audit-Logs / GitLab-Application-Logs /
GitLab-Access-Logs, MSGID the log type, the parsed columns as
STRUCTURED-DATA and MSG the raw line. Lines that do not parse are sent raw,
without STRUCTURED-DATA, and counted. Files ending in .gz are decompressed.

The message time is the event time of the line, or the time it was read
when the line has none (Microsoft Sentinel needs a time).

send fails at once when the destination cannot be reached, and gives up
after a few reconnect attempts if it goes away while sending. (Over UDP an
absent receiver cannot be detected.)

Destinations: udp://host:514, tcp://host:514 (octet counting; add
?framing=lf for newline framing), tls://host:6514, unix:///dev/log.`,
		Example: `  gitlab-syslog send --type audit --to tcp://127.0.0.1:514 /var/log/gitlab/gitlab-rails/audit_json.log
  zcat access.log.1.gz | gitlab-syslog send --type access --to tls://siem.example.com:6514 --ca-file ca.pem`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSend(cmd, &o, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.typ, "type", "auto", "log type: audit, application, access, or auto (detected per line)")
	f.StringVar(&o.to, "to", "", "destination URL: udp://, tcp://, tls:// or unix:// (required)")
	f.StringVar(&o.hostname, "hostname", "", "HOSTNAME field (default: this machine's host name)")
	f.StringVar(&o.appName, "app-name", "", "APP-NAME override (default: GitLab-Audit-Logs, GitLab-Application-Logs or GitLab-Access-Logs by type)")
	f.StringVar(&o.facility, "facility", "local7", "syslog facility")
	f.StringVar(&o.sdID, "sd-id", forwarder.DefaultSDID, "SD-ID of the STRUCTURED-DATA element (use name@<your IANA enterprise number>)")
	f.BoolVar(&o.noSD, "no-sd", false, "send no STRUCTURED-DATA, only the raw line")
	f.BoolVar(&o.rfc3164, "rfc3164", false, "send RFC 3164 (BSD) messages for old collectors")
	f.StringVar(&o.tls.CAFile, "ca-file", "", "tls: PEM file of CAs to verify the server with (default: system roots)")
	f.StringVar(&o.tls.CertFile, "cert-file", "", "tls: client certificate (PEM) for mutual TLS")
	f.StringVar(&o.tls.KeyFile, "key-file", "", "tls: client key (PEM) for mutual TLS")
	f.StringVar(&o.tls.ServerName, "server-name", "", "tls: name to verify in the server certificate (default: the URL host)")
	f.DurationVar(&o.timeout, "timeout", 5*time.Second, "connect timeout")
	f.IntVar(&o.batch, "batch", 512, "lines per batch")
	_ = cmd.MarkFlagRequired("to")
	return cmd
}

func runSend(cmd *cobra.Command, o *sendOptions, files []string) error {
	ctx := cmd.Context()
	start := time.Now()
	fixed := parser.TypeUnknown
	if o.typ != "auto" {
		t, err := parser.ParseType(o.typ)
		if err != nil {
			return fmt.Errorf("send: --type: %w", err)
		}
		fixed = t
	}
	fac, err := forwarder.ParseFacility(o.facility)
	if err != nil {
		return fmt.Errorf("send: --facility: %w", err)
	}
	if o.hostname == "" {
		o.hostname, _ = os.Hostname()
	}
	if o.batch <= 0 {
		o.batch = 512
	}
	enc := &forwarder.Encoder{SDID: o.sdID, NoSD: o.noSD}
	if o.rfc3164 {
		enc.Format = forwarder.RFC3164
	}
	logger := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	fw, err := forwarder.New(forwarder.Config{
		URL: o.to, TLS: o.tls, Encoder: enc, Logger: logger,
		DialTimeout: o.timeout, MaxAttempts: 5,
	})
	if err != nil {
		return fmt.Errorf("send: %w", err)
	}
	if err := fw.Connect(ctx); err != nil {
		closeCtx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = fw.Close(closeCtx)
		return fmt.Errorf("cannot reach %s: %s — is the collector running?", o.to, rootCause(err))
	}
	s := &sender{
		fw: fw, enc: enc, fixed: fixed, per: o.batch,
		opts: forwarder.RecordOptions{Facility: fac, Hostname: o.hostname, AppName: o.appName},
		free: make(chan *forwarder.Batch, 4),
	}
	for range cap(s.free) {
		s.free <- new(forwarder.Batch)
	}
	if len(files) == 0 {
		files = []string{"-"}
	}
	// Files: a bar of the bytes read; stdin: a count of the lines sent.
	rctx, stopProgress := startInputProgress(ctx, cmd.ErrOrStderr(), files)
	if progressFrom(rctx) == nil {
		stopProgress = startProgress(cmd.ErrOrStderr(), fw)
	}
	var runErr error
	for _, name := range files {
		if runErr = readInput(rctx, name, cmd.InOrStdin(), func(_ string, _ int, line []byte) error { return s.line(ctx, line) }); runErr != nil {
			break
		}
	}
	if runErr == nil {
		runErr = s.flush(ctx)
	}
	closeCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	closeErr := fw.Close(closeCtx)
	stopProgress()
	st := fw.Stats()
	if err := s.ackError(); err != nil && runErr == nil {
		runErr = err
	}
	if runErr == nil {
		runErr = closeErr
	}
	unparsed := ""
	if s.unparsed > 0 {
		unparsed = fmt.Sprintf(" (%d unparsed)", s.unparsed)
	}
	fmt.Fprintf(cmd.OutOrStdout(), "sent %d lines%s to %s in %s\n", st.Messages, unparsed, o.to,
		time.Since(start).Round(time.Millisecond))
	if st.Clamped+st.ParamNames+st.Repaired+st.Truncated+st.Escaped > 0 {
		fmt.Fprintf(cmd.ErrOrStderr(), "send: changed to stay valid syslog: %d header fields clamped, %d SD names sanitised, %d SD values repaired (invalid UTF-8), %d datagrams truncated, %d messages with newlines replaced\n",
			st.Clamped, st.ParamNames, st.Repaired, st.Truncated, st.Escaped)
	}
	if runErr != nil {
		if st.Dropped > 0 {
			return fmt.Errorf("send: %d lines not sent: %w", st.Dropped, runErr)
		}
		return fmt.Errorf("send: %w", runErr)
	}
	return nil
}

// sender turns lines into batches and hands them to the forwarder.
type sender struct {
	fw       *forwarder.Forwarder
	enc      *forwarder.Encoder
	fixed    parser.Type
	per      int
	opts     forwarder.RecordOptions
	parsers  [4]parser.Parser // by parser.Type, created on first use
	rec      parser.Record
	msg      forwarder.Message
	cur      *forwarder.Batch
	free     chan *forwarder.Batch
	unparsed int // lines sent raw because they did not parse

	errMu  sync.Mutex
	ackErr error
}

func (s *sender) ackError() error {
	s.errMu.Lock()
	defer s.errMu.Unlock()
	return s.ackErr
}

// line parses and encodes one line into the current batch. readInput has
// already dropped the line ending and blank lines; TrimRight still removes
// any further trailing carriage returns.
func (s *sender) line(ctx context.Context, line []byte) error {
	line = bytes.TrimRight(line, "\r\n")
	t := s.fixed
	if t == parser.TypeUnknown {
		t = parser.Detect(line)
	}
	s.opts.Now = time.Now()
	p := s.parser(t)
	if p != nil && p.Parse(line, &s.rec) == nil {
		s.msg.FromRecord(&s.rec, line, &s.opts)
	} else {
		s.msg.FromLine(t, line, &s.opts)
		s.unparsed++
	}
	if s.cur == nil {
		select {
		case s.cur = <-s.free:
		case <-ctx.Done():
			return ctx.Err()
		}
		s.cur.Reset()
	}
	s.cur.Append(s.enc, &s.msg)
	if s.cur.Len() >= s.per || s.cur.Size() >= 1<<20 {
		return s.flush(ctx)
	}
	return nil
}

func (s *sender) parser(t parser.Type) parser.Parser {
	if t == parser.TypeUnknown {
		return nil
	}
	if s.parsers[t] == nil {
		s.parsers[t] = parser.New(t)
	}
	return s.parsers[t]
}

// flush sends the current batch; its ack returns it to the free list.
func (s *sender) flush(ctx context.Context) error {
	b := s.cur
	if b == nil || b.Len() == 0 {
		return nil
	}
	s.cur = nil
	return s.fw.Send(ctx, b, func(err error) {
		if err != nil {
			s.errMu.Lock()
			if s.ackErr == nil {
				s.ackErr = err
			}
			s.errMu.Unlock()
		}
		s.free <- b
	})
}

// startProgress prints a progress line on stderr while sending, but only
// when stderr is a terminal.
func startProgress(w io.Writer, fw *forwarder.Forwarder) (stop func()) {
	if w != io.Writer(os.Stderr) {
		return func() {}
	}
	if fi, err := os.Stderr.Stat(); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		start := time.Now()
		for {
			select {
			case <-done:
				fmt.Fprint(w, "\r\033[K")
				return
			case <-t.C:
				n := fw.Stats().Messages
				fmt.Fprintf(w, "\r\033[Ksent %d lines (%.0f lines/s)", n, float64(n)/time.Since(start).Seconds())
			}
		}
	}()
	return func() { close(done); <-finished }
}

// rootCause returns the innermost useful text of a connection error, e.g.
// "connection refused" or "no such host".
func rootCause(err error) string {
	var se *os.SyscallError
	if errors.As(err, &se) {
		return se.Err.Error()
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return dnsErr.Err + " (" + dnsErr.Name + ")"
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return oe.Err.Error()
	}
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		return msg[i+2:]
	}
	return msg
}
