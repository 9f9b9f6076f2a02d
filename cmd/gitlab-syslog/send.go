package main

import (
	"bufio"
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
	"github.com/gitlab-syslog/gitlab-syslog/internal/agent"
	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/container"
	"github.com/gitlab-syslog/gitlab-syslog/internal/mapping"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// sendOptions are the flags of the send command: the forwarding flags
// run has too, and send's own.
type sendOptions struct {
	fwd          forwardFlags
	typ, appName string
	format       string // --format: plain, cri, docker or auto (container.ParseFormat)
	other        string // --other-subcomponents: drop or forward
	timeout      time.Duration
	batch        int
}

func newSendCmd() *cobra.Command {
	var o sendOptions
	cmd := &cobra.Command{
		Use:   "send --to URL [flags] [FILE ...]",
		Short: "Parse GitLab log files (or stdin) and forward each line as syslog",
		Long: `send reads GitLab log lines from the files given (or stdin), parses each one
and forwards it to --to as RFC 5424 syslog, exactly as the agent (run) would:
the same forwarding flags and defaults, facility local7, APP-NAME
GitLab-Audit-Logs / GitLab-Application-Logs / GitLab-Access-Logs /
GitLab-Auth-Logs, MSGID the log type, the parsed columns as STRUCTURED-DATA and MSG the raw line.
With --type auto (the default) a file named as one of GitLab's logs
(audit_json.log, application_json.log, application.log, gitlab_access.log,
auth_json.log, auth.log, also rotated: .1, -YYYYMMDD, .gz) takes its type
from its name, as the agent's sources do; standard input and other files
are typed line by line, and a line of no known type goes out under
APP-NAME GitLab-Logs. Lines
longer than --max-line-bytes (at least 1KiB, as run and check take it)
are cut to it, sent raw (without
STRUCTURED-DATA: their last columns would be wrong) and counted, and a
warning names the first of each input and a limit above the longest; lines that
do not parse are sent raw, without STRUCTURED-DATA, and counted, and a
warning names the first of each input as FILE:LINE: cause (when none
parses, a warning asks whether the input is a GitLab log; send still exits
0); blank lines are skipped and counted. Compressed files (gzip, bzip2, xz, zstd: logrotate's
.gz and the others, recognised by their first bytes) are decompressed.
Container logs (the CRI or Docker json-file records of
/var/log/containers and /var/log/pods) are unwrapped with --format cri,
docker or auto, as run reads a source of that format (each line with the
kubernetes@ element of the namespace, pod and container its path names,
as run adds it): records split into
parts are joined, across the rotated copies of one log given one after
the other too (oldest first: 0.log.20261207-100002.gz, then 0.log; the
kubelet's copies of one log are read so in whatever order given), a
gitlab-logger envelope gives its GitLab line, typed by its subcomponent,
and the lines of other subcomponents, stderr's and, without --type, lines
not wrapped by gitlab-logger are dropped and counted
(--other-subcomponents forward sends them raw); a line whose last part
is in none of the files goes out as far as it got, raw, and one split
between two inputs not joined (standard input) in two raw pieces, as run
sends it; the rest of a line whose first parts end a copy not given (or
one named otherwise given after it) is sent raw, with a warning naming
the copy to give first. With --format cri or docker, a line that is no
record of that format is sent raw, as it is, as run sends it, counted
apart and named in a warning. Without --format
(plain) each record fails with a cause saying what it is.
Every file is opened before anything is sent: one named .gz (.bz2, .xz,
.zst) whose bytes are not that compression, or cut inside its header, and
data that is not log lines (zip, a tar archive, a binary file such as an
executable or an image, known by its first bytes) stop send before it
sends anything. An input that holds the same data as one given before it
(the same file by another name, a copy and its .gz as gzip -k leaves
them) is sent once, from the copy not compressed, with a note.
A file that cannot be read to its end (a truncated .gz) is named with the
line and cause; the complete lines read from it before the error and the
other files are still sent (the line the error cuts off is not), and send
exits 1.

The message time is the event time of the line, or the time it was read
when the line has none (Microsoft Sentinel needs a time).

send fails at once when the destination cannot be reached, and gives up
after a few reconnect attempts if it goes away while sending. At the end
it prints how many lines it read, sent and could not send. (Over UDP an
absent receiver is noticed only when the system reports the refusal.)

Destinations: ` + forwarder.SchemeList(config.Schemes()) + `, e.g.
udp://host:514, tcp://host:514 (octet counting; add ?framing=lf for newline
framing), tls://host:6514 (without a port: 514, or 6514 for tls),
unix:///dev/log, unixgram:///dev/log, or stdout (or -) to print the
messages, one per line: a line break (LF or CR) in a column value is
printed as a space, as newline framing sends it.`,
		Example: `  gitlab-syslog send --type audit --to tcp://127.0.0.1:514 /var/log/gitlab/gitlab-rails/audit_json.log
  zcat access.log.1.gz | gitlab-syslog send --type access --to tls://siem.example.com:6514 --ca-file ca.pem
  gitlab-syslog send --to stdout testdata/audit_json.log`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSend(cmd, &o, args)
		},
	}
	o.fwd.register(cmd, "required")
	f := cmd.Flags()
	f.StringVar(&o.typ, "type", "auto", "log type: audit, application, access, auth, or auto (by file name, else detected per line)")
	f.StringVar(&o.format, "format", "plain", "how the lines are wrapped: plain (GitLab's own lines), cri, docker or auto (container logs, as a source's format)")
	f.StringVar(&o.other, "other-subcomponents", "drop", "with --format cri, docker or auto: what to do with the lines of other gitlab-logger subcomponents (production_json, sidekiq, ...), stderr lines, and, with --type auto, lines not wrapped by gitlab-logger: drop (counted) or forward (sent raw under GitLab-Logs), as a source's other_subcomponents")
	f.StringVar(&o.appName, "app-name", "", "APP-NAME override (default: GitLab-Audit-Logs, GitLab-Application-Logs, GitLab-Access-Logs or GitLab-Auth-Logs by type)")
	f.DurationVar(&o.timeout, "timeout", 5*time.Second, "connect timeout")
	f.IntVar(&o.batch, "batch", 512, "lines per batch")
	return cmd
}

// sendConfig builds the forwarding configuration from the flags, with the
// defaults and checks run applies.
func sendConfig(cmd *cobra.Command, o *sendOptions) (*config.Config, error) {
	c := &config.Config{}
	if err := o.fwd.apply(cmd, c); err != nil {
		return nil, err
	}
	c.ResolveForward()
	if err := c.ValidateForward(); err != nil {
		return nil, err
	}
	return c, nil
}

// checkInputs checks every input file with checkInput, so that a missing
// or unreadable file is reported before anything is sent, and returns the
// files to send: a file named again (the same path, ./, a link: the same
// device and inode) is left out, saying so on w, as sent twice its lines
// would reach the collector twice.
func checkInputs(files []string, w io.Writer) ([]string, error) {
	var kept, notes []string
	var seen sameFiles[string]
	for _, name := range files {
		fi, err := checkInput(name)
		if err != nil {
			return nil, typePrefixHint("send", name, err)
		}
		if first, again := seen.add(fi, name); again {
			if first == name {
				notes = append(notes, "send: "+name+" is given twice; sent once\n")
			} else {
				notes = append(notes, "send: "+name+" is the same file as "+first+", given before; sent once\n")
			}
			continue
		}
		kept = append(kept, name)
	}
	writeNotes(w, notes)
	return kept, nil
}

func runSend(cmd *cobra.Command, o *sendOptions, files []string) error {
	ctx := cmd.Context()
	start := time.Now()
	if !cmd.Flags().Changed("to") { // not cobra's required flag: its message says not what --to takes
		return fmt.Errorf("send: --to is required: where to send the lines, e.g. --to tcp://127.0.0.1:514 (%s), or --to stdout to print them",
			forwarder.SchemeList(config.Schemes()))
	}
	if o.batch <= 0 {
		return fmt.Errorf("send: --batch %d: want a number of lines of 1 or more", o.batch)
	}
	if o.timeout <= 0 { // 0 would dial without a limit, a negative one fail at once
		return fmt.Errorf("send: --timeout %s: want a positive duration, e.g. 5s", o.timeout)
	}
	if o.appName != "" {
		if err := config.CheckAppName(o.appName); err != nil {
			return fmt.Errorf("send: --app-name: %w", err)
		}
	}
	fixed := parser.TypeUnknown
	if name := strings.ToLower(o.typ); name != "auto" { // any case, as the config's type
		t, err := parser.ParseType(name)
		if err != nil {
			return fmt.Errorf("send: --type %q: want audit, application, access, auth or auto%s", o.typ, typeHint(o.typ))
		}
		fixed = t
	}
	format, err := container.ParseFormat(strings.ToLower(o.format))
	if err != nil || o.format == "" {
		return fmt.Errorf("send: --format %q: want plain, cri, docker or auto", o.format)
	}
	if o.other != "drop" && o.other != "forward" {
		return fmt.Errorf("send: --other-subcomponents %q: want drop or forward", o.other)
	}
	if format == container.Plain && cmd.Flags().Changed("other-subcomponents") {
		return fmt.Errorf("send: --other-subcomponents %s is for container logs, with --format cri, docker or auto: plain lines of no GitLab log are sent raw under GitLab-Logs (with --type auto), and none is dropped", o.other)
	}
	c, err := sendConfig(cmd, o)
	if err != nil {
		return fmt.Errorf("send: %w", err)
	}
	if ps := forwardTLSProblems(c); len(ps) > 0 { // as check names them: the flag, the cause, what to give
		return fmt.Errorf("send: %s", strings.Join(texts(ps), "; "))
	}
	fac, err := forwarder.ParseFacility(c.Forward.Facility)
	if err != nil {
		return fmt.Errorf("send: --facility: %w", err)
	}
	if len(files) == 0 {
		files = []string{"-"}
	}
	if err := stdinOnce(files); err != nil {
		return fmt.Errorf("send: %w", err)
	}
	files, err = checkInputs(files, cmd.ErrOrStderr())
	if err != nil {
		return fmt.Errorf("send: %w", err)
	}
	files = sameData(files, cmd.ErrOrStderr())
	if format != container.Plain {
		rotationOrder(files, cmd.ErrOrStderr())
	}
	enc := c.Forward.LineEncoder()
	out, err := openOutput(ctx, cmd, c, enc, o.timeout)
	if err != nil {
		return err
	}
	s := &sender{
		out: out, enc: enc, per: o.batch, maxLine: c.Tailer.MaxLineBytes,
		mp:    mapping.New(fixed, nil, forwarder.RecordOptions{Facility: fac, Hostname: c.Hostname, AppName: o.appName}),
		free:  make(chan *forwarder.Batch, 4),
		fixed: fixed,
		dec:   container.Decoder{Format: format, MaxLineBytes: c.Tailer.MaxLineBytes},
		other: o.other == "forward",
	}
	for range cap(s.free) {
		s.free <- new(forwarder.Batch)
	}
	// Files: a bar of the bytes read; stdin: a count of the lines sent.
	rctx, stopProgress := startInputProgress(ctx, cmd.ErrOrStderr(), files)
	if progressFrom(rctx) == nil {
		stopProgress = startProgress(cmd.ErrOrStderr(), out)
	}
	readErrs, runErr := s.readAll(ctx, rctx, cmd.InOrStdin(), files, fixed, o.typ == "auto")
	for _, w := range s.warnings {
		fmt.Fprintf(cmd.ErrOrStderr(), "send: WARNING: %s\n", w.warning())
	}
	if runErr == nil {
		runErr = s.flush(ctx)
	}
	if runErr == nil && len(readErrs) > 0 {
		runErr = readError(readErrs, len(files))
	}
	// Flush what is queued; interrupted, the user wants out: wait briefly.
	flushFor := 30 * time.Second
	if ctx.Err() != nil {
		flushFor = time.Second
	}
	closeCtx, cancel := context.WithTimeout(context.Background(), flushFor)
	defer cancel()
	closeErr := out.Close(closeCtx)
	stopProgress()
	if err := s.ackError(); err != nil && runErr == nil {
		runErr = err
	}
	if runErr == nil {
		runErr = closeErr
	}
	return s.report(cmd, c, out.Stats(), time.Since(start), runErr)
}

// readAll reads every file into batches. A file that cannot be read to
// its end (a truncated .gz, an I/O error) does not stop the others: the
// lines read from it before the error are sent, the error is collected in
// readErrs and the next file is read. runErr is an error that stopped
// sending: the output failed or ctx was cancelled.
func (s *sender) readAll(ctx, rctx context.Context, stdin io.Reader, files []string, fixed parser.Type, auto bool) (readErrs []error, runErr error) {
	for i, name := range files {
		t := fixed
		if auto {
			t = typeByName(name) // TypeUnknown (per line) for stdin and other names
		}
		s.mp.SetType(t)
		s.in = inputLines{typ: t}
		if s.dec.Format != container.Plain {
			s.k8s = agent.KubernetesElements(name, s.enc.SDID) // as run adds to the file's lines
		}
		var sendErr error
		label, last, blank := "stdin", 0, s.blank // as readLines names standard input
		limit := s.maxLine
		if s.dec.Format != container.Plain {
			limit = max(limit, container.MaxRecordBytes) // a record cut would lose its line's middle
		}
		if s.dec.Format != container.Plain && !s.restOpen && name != "-" && !s.stdoutPending() {
			s.restCopy, s.restSub, s.restLater = partsBefore(files, i, s.dec.Format)
			s.restOpen = s.restCopy != ""
		}
		err := readLines(rctx, name, stdin, true, limit, func(l string, n int, line []byte, long int) error {
			label, last, s.label = l, n, l
			sendErr = s.record(ctx, n, line, long)
			return sendErr
		}, func() error { // a pipe's writer paused: send the lines read
			sendErr = s.flush(ctx)
			return sendErr
		})
		s.restOpen, s.restCopy, s.restAt = false, "", 0 // the rest of a line comes first in the input after its parts
		if sendErr == nil && ctx.Err() == nil && (i == len(files)-1 || !sameLog(name, files[i+1])) {
			sendErr = s.sendPending(ctx) // its parts continue in no file given
		}
		s.noteInput(label)
		switch {
		case sendErr != nil:
			s.stoppedAt = fmt.Sprintf("%s:%d", label, last)
			return readErrs, sendErr
		case ctx.Err() != nil:
			return readErrs, ctx.Err()
		case asReadWarning(err) != nil: // every line was read and sent
			s.warnings = append(s.warnings, asReadWarning(err))
		case err != nil:
			readErrs = append(readErrs, err)
		default:
			s.noteEmpty(inputName(name), s.blank-blank)
		}
	}
	return readErrs, nil
}

// sameLog reports whether the inputs a and b are copies of one container
// log, whose line parts may continue from one into the other: the same
// logStem (the kubelet's 0.log and 0.log.20261207-100002.gz). A line's
// parts are not joined across other inputs (two pods' logs).
func sameLog(a, b string) bool {
	sa, _ := logStem(a)
	sb, _ := logStem(b)
	return a != "-" && b != "-" && sa == sb
}

// stdoutPending reports whether the decoder holds stdout parts of a line
// whose last part it has not read, which the next input of the same log
// continues.
func (s *sender) stdoutPending() bool {
	var c container.Carry
	s.dec.AppendCarry(&c)
	return len(c.Stdout) > 0
}

// sendPending sends, as lines of the input being read, the parts of the
// container log lines whose last part was not read, each joined as far as
// it got, as run does: stdout's as a line of the log its gitlab-logger
// envelope names (its APP-NAME; raw, as it does not parse), then
// stderr's, which are dropped and counted unless --other-subcomponents
// forward. None is left pending.
func (s *sender) sendPending(ctx context.Context) error {
	if s.dec.Format == container.Plain {
		return nil
	}
	var c container.Carry
	s.dec.AppendCarry(&c)
	s.dec.Seed(nil)
	if len(c.Stdout) > 0 {
		if t := mapping.SubcomponentType(container.SubcomponentOf(c.Stdout)); t != parser.TypeUnknown && t != s.in.typ {
			s.mp.SetType(t)
		}
		err := s.unfinishedLine(ctx, c.Stdout)
		s.mp.SetType(s.in.typ)
		if err != nil {
			return err
		}
		// The next input's first stdout line may be its rest (stdin, or
		// a copy named otherwise, which sameLog does not join).
		s.restSub = append(s.restSub[:0], container.SubcomponentOf(c.Stdout)...)
		s.restOpen = true
	}
	switch {
	case len(c.Stderr) == 0:
	case !s.other:
		s.dropped++
	default:
		return s.unfinishedLine(ctx, c.Stderr)
	}
	return nil
}

// unfinishedLine sends line, the parts of a container log line whose last
// part is in no input, as line lastN of the input, counted in unfinished
// and not as a line that does not parse.
func (s *sender) unfinishedLine(ctx context.Context, line []byte) error {
	s.finishing = true
	defer func() { s.finishing = false }()
	if s.unfinished++; s.unfinished == 1 {
		s.firstUnfin = fmt.Sprintf("%s:%d", s.label, s.lastN)
	}
	return s.line(ctx, s.lastN, line, 0)
}

// restLine sends line, line n of the input: the rest of the stdout line
// whose first parts the input before ended with (sent unfinished), or
// restCopy ends with, raw under their APP-NAME, as run sends such a rest;
// counted with the unfinished lines, or, when restCopy is not given, in
// restsAlone, not as a line of no GitLab log dropped (fresh-user trial
// 281: a line split between a copy and stdin lost its rest, and so did
// one whose first parts end a copy not given or given after it). A rest
// whose first parts are in restCopy is noted, naming the input and how
// to send the line whole.
func (s *sender) restLine(ctx context.Context, n int, line []byte) error {
	if t := mapping.SubcomponentType(s.restSub); t != parser.TypeUnknown && t != s.in.typ {
		s.mp.SetType(t)
		defer s.mp.SetType(s.in.typ)
	}
	at := cmp.Or(s.restAt, n) // where the rest begins
	switch {
	case s.restCopy == "":
		s.rests++
	case s.restLater:
		s.rests++
		s.notes = append(s.notes, fmt.Sprintf("%s:%d begins with the rest of a line whose first parts may end %s, given after it: the copies of the log may be out of order (%s is not named as the kubelet names its copies, so its place is not known); the rest was sent raw, as run sends such a rest, and the first parts, unfinished, raw too: give the copies oldest first (%s before %s) to send the line whole",
			s.label, at, s.restCopy, otherNamed(s.label, s.restCopy), s.restCopy, s.label))
	default:
		s.restsAlone++
		s.notes = append(s.notes, fmt.Sprintf("%s:%d begins with the rest of a line whose first parts end %s, an earlier copy of the log not given: the rest was sent raw, as run sends such a rest; give that copy first (%s %s) to send the line whole",
			s.label, at, s.restCopy, s.restCopy, s.label))
	}
	s.finishing = true
	defer func() { s.finishing = false }()
	return s.line(ctx, n, line, 0)
}

// record sends line n of the input, of length long before readLines cut
// it (0: not cut), unwrapping it first when --format names a container
// format: a part of a line is kept until its last part (nothing is sent),
// a line joined from parts or unwrapped from a gitlab-logger envelope is
// sent as its GitLab line, and a record that cannot be decoded is sent as
// it is (it does not parse, and is counted so).
func (s *sender) record(ctx context.Context, n int, line []byte, long int) error {
	if s.dec.Format == container.Plain {
		return s.line(ctx, n, line, long)
	}
	s.lastN = n
	l, st, err := s.dec.DecodeCut(line, long > 0)
	if st == container.Malformed && notRecord(err) && long == 0 { // a record cut by the reader is one
		return s.notRecordLine(ctx, n, line, long, err)
	}
	s.in.records++
	s.nrecords++
	if st == container.Partial {
		if s.restOpen && s.restAt == 0 {
			if x, _, _ := s.dec.RecordPart(line); x == container.Stdout {
				s.restAt = n // where the rest of a line may begin
			}
		}
		return nil
	}
	if st == container.Complete && parser.Blank(l.Text) {
		s.blank++ // as run skips it, before it is typed (trial 280: counted as dropped)
		return nil
	}
	if st == container.Complete && s.restOpen && string(l.Stream) == "stdout" {
		s.restOpen = false
		if mapping.RecordType(&l, parser.TypeUnknown) == parser.TypeUnknown {
			return s.restLine(ctx, n, l.Text)
		}
	}
	if st == container.Complete {
		// Typed as run types it: by its gitlab-logger subcomponent, else
		// as the input; stderr and, without a type, a line the logger
		// did not wrap have none.
		switch t := mapping.RecordType(&l, s.in.typ); {
		case t == parser.TypeUnknown && !s.other:
			s.dropped++
			return nil
		case t != s.in.typ:
			s.mp.SetType(t)
			defer s.mp.SetType(s.in.typ)
		}
	}
	if l.Cut {
		return s.line(ctx, n, l.Text, max(l.Len, len(l.Text)+1))
	}
	return s.line(ctx, n, l.Text, 0)
}

// notRecordLine sends line n of the input, of length long before
// readLines cut it (0: not cut), which is not a record of the container
// format given (cause, e.g. a plain GitLab line read with --format cri),
// as run sends such a line: raw, as it is, under the APP-NAME of the
// input's type (GitLab-Logs without one), not parsed even when it is a
// GitLab line. It is counted in notRecords, not among the records or the
// lines that did not parse, and the first of the input is kept for its
// warning (noteInput).
func (s *sender) notRecordLine(ctx context.Context, n int, line []byte, long int, cause error) error {
	if s.in.notRecords.n == 0 {
		s.in.notRecords.first, s.in.notRecords.cause = n, cause.Error()
	}
	s.in.notRecords.n++
	s.notRecords++
	s.raw = true
	defer func() { s.raw = false }()
	return s.line(ctx, n, line, long)
}

// noteEmpty keeps, for after the summary, the warning that the input
// label, read to its end, had no line to send: it is empty, or holds only
// blank lines (blank of them), as detect warns.
func (s *sender) noteEmpty(label string, blank int) {
	if s.in.read == 0 && s.in.records == 0 { // records: parts of a line sent from the next input, or lines dropped
		s.notes = append(s.notes, emptyInputNote(label, blank, "send"))
	}
}

// emptyInputNote returns the warning of an input label read to its end
// without a line to do what (send, parse, search): it is empty, or holds
// only blank lines, blank of them.
func emptyInputNote(label string, blank int, what string) string {
	if blank > 0 {
		return fmt.Sprintf("%s holds only %d blank %s: it had no line to %s", label, blank, plural(blank, "line", "lines"), what)
	}
	return fmt.Sprintf("%s is empty: it had no line to %s", label, what)
}

// noteInput keeps, for after the summary, the warnings about the input
// label just read: its first line that did not parse, that most of its
// lines look like another type's than the one they were read as, and its
// first line cut to max_line_bytes with how to raise the limit, in
// detect's words.
func (s *sender) noteInput(label string) {
	if msg := s.in.unparsed.warning(label, " and was sent raw, without STRUCTURED-DATA", " and were sent raw, without STRUCTURED-DATA"); msg != "" {
		s.notes = append(s.notes, msg)
	}
	fixed := s.fixed != parser.TypeUnknown
	whole := s.in.read - s.in.cut.n - s.in.unfinished
	if msg := s.in.like.warning(label, whole, s.in.unparsed.n, s.in.typ.String(),
		typeWhy(s.in.typ, fixed), typeFix(s.in.like.typ, fixed)); msg != "" {
		s.notes = append(s.notes, msg)
	}
	if msg := s.in.like.noneParsed(label, whole, s.in.unparsed.n, s.in.typ.String(),
		typeWhy(s.in.typ, fixed), typeFix(s.in.like.typ, fixed)); msg != "" {
		s.notes = append(s.notes, msg)
		s.likeOther += whole
	}
	if msg := s.in.cut.warning(label, s.in.read, s.maxLine, "it was sent raw", "they were sent raw"); msg != "" {
		s.notes = append(s.notes, msg)
	}
	if msg := s.in.notRecords.warning(label, s.in.read, s.dec.Format); msg != "" {
		s.notes = append(s.notes, msg)
	}
}

// readError says which of n inputs could not be read to their end, and
// that the lines read before each error were sent.
func readError(errs []error, n int) error {
	return fmt.Errorf("%d of %d %s could not be read to the end (the lines before the error and the other inputs were sent); the first: %w",
		len(errs), n, plural(n, "input", "inputs"), errs[0])
}

// report prints what send did: on stdout the lines sent and how they were
// changed, and, when some were not sent, an error that accounts for every
// line read: read = sent + not sent.
func (s *sender) report(cmd *cobra.Command, c *config.Config, st forwarder.Stats, took time.Duration, runErr error) error {
	var notes []string
	if s.notRecords > 0 {
		notes = append(notes, fmt.Sprintf("%d %s not %s: sent raw, as %s", s.notRecords, plural(s.notRecords, "line was", "lines were"),
			recordsOf(s.dec.Format, s.notRecords), plural(s.notRecords, "it is", "they are")))
	}
	switch unparsed := s.unparsed - s.unfinishedRaw; { // the unfinished lines have their own note
	case unparsed > 0 && s.truncated > 0:
		notes = append(notes, fmt.Sprintf("%d unparsed, sent raw, %d of them cut to max_line_bytes (%d bytes)", unparsed, s.truncated, c.Tailer.MaxLineBytes))
	case unparsed > 0:
		notes = append(notes, fmt.Sprintf("%d unparsed, sent raw", unparsed))
	case s.truncated > 0:
		notes = append(notes, fmt.Sprintf("%d cut to max_line_bytes (%d bytes), sent raw", s.truncated, c.Tailer.MaxLineBytes))
	}
	if unjoined := s.unfinished - s.rests; unjoined > 0 {
		notes = append(notes, fmt.Sprintf("%d container log %s unfinished, sent raw as far as %s: %s last part is in none of the files; the first ends at %s, and the log's next file holds its rest (when that is the file a first start of run read, run sent the rest raw: do not send that file, whose lines run sent)",
			unjoined, plural(unjoined, "line", "lines"), plural(unjoined, "it got", "they got"), plural(unjoined, "its", "their"), s.firstUnfin))
	}
	if s.rests > 0 {
		notes = append(notes, fmt.Sprintf("%d container log %s split between two inputs not joined, standard input or a copy not named as the kubelet names them: sent raw in two pieces, as run sends them; give the copies of one log by their names, oldest first, to have %s joined",
			s.rests, plural(s.rests, "line", "lines"), plural(s.rests, "it", "them")))
	}
	if s.restsAlone > 0 {
		notes = append(notes, fmt.Sprintf("%d container log %s sent from %s rest on, raw, as run sends %s: %s first parts end a copy not given (see the warning)",
			s.restsAlone, plural(s.restsAlone, "line", "lines"), plural(s.restsAlone, "its", "their"), plural(s.restsAlone, "it", "them"), plural(s.restsAlone, "its", "their")))
	}
	if s.blank > 0 {
		notes = append(notes, fmt.Sprintf("%d blank %s skipped", s.blank, plural(s.blank, "line", "lines")))
	}
	if s.dropped > 0 {
		notes = append(notes, fmt.Sprintf("%d container log %s of no GitLab log dropped, as run drops them: other gitlab-logger subcomponents, stderr, or, without --type, %s not wrapped by gitlab-logger (--other-subcomponents forward sends them raw; --type names the type of lines not wrapped)",
			s.dropped, plural(s.dropped, "line", "lines"), plural(s.dropped, "a line", "lines")))
	}
	detail := ""
	if len(notes) > 0 {
		detail = " (" + strings.Join(notes, "; ") + ")"
	}
	to := c.Forward.URL
	w := cmd.ErrOrStderr() // with --to stdout, stdout carries the messages
	if !config.IsStdout(to) {
		w = cmd.OutOrStdout()
	}
	from := ""
	if s.dec.Format != container.Plain {
		from = fmt.Sprintf(" from %d container log %s", s.nrecords, plural(s.nrecords, "record", "records"))
	}
	fmt.Fprintf(w, "sent %d %s of %d read%s to %s in %s%s\n", st.Messages, plural(int(st.Messages), "line", "lines"),
		s.read, from, to, took.Round(time.Millisecond), detail)
	for _, n := range s.notes {
		fmt.Fprintf(cmd.ErrOrStderr(), "send: WARNING: %s\n", n)
	}
	s.warnNoneParsed(cmd.ErrOrStderr(), c.Tailer.MaxLineBytes)
	if st.Clamped+st.ShortNames+st.Repaired+st.Truncated+st.Escaped+st.BOMs+st.Timestamps+st.SDDropped > 0 {
		fmt.Fprintf(cmd.ErrOrStderr(), "send: changed to stay valid syslog: %s clamped, %s, %s repaired (invalid UTF-8), %s truncated, %s with line breaks (LF, CR) made spaces, %s removed from MSG, %s outside the years 0000-9999 written as -, %s sent without STRUCTURED-DATA (over max_stream_message_bytes with it)\n",
			count(st.Clamped, "header field", "header fields"),
			count(st.ShortNames, "SD name written in its short form", "SD names written in their short form"),
			count(st.Repaired, "SD value", "SD values"), count(st.Truncated, "datagram", "datagrams"),
			count(st.Escaped, "message", "messages"), count(st.BOMs, "byte order mark", "byte order marks"),
			count(st.Timestamps, "time", "times"), count(st.SDDropped, "message", "messages"))
	}
	if runErr == nil && st.Messages != uint64(s.read) {
		runErr = fmt.Errorf("%d of %d %s not acknowledged", uint64(s.read)-st.Messages, s.read, plural(s.read, "line was", "lines were"))
	}
	if runErr != nil {
		stopped := ""
		if s.stoppedAt != "" {
			stopped = "; reading stopped after " + s.stoppedAt + ": the lines after it, and any input after it, were neither read nor sent"
		}
		if from := s.resumeAt(); from != "" && (s.stoppedAt != "" || s.read > int(st.Messages)) {
			stopped += "; the first batch not delivered whole starts at " + from + ": send again from there (or the whole input: lines the collector has may reach it twice)"
			if strings.HasPrefix(to, "tcp:") || strings.HasPrefix(to, "tls:") {
				stopped += "; over " + to[:3] + "://, delivered means acknowledged by the collector's TCP, so a collector that closed or crashed with lines unread lost those before it too: check the last line it wrote, or use relp://"
			}
			if strings.HasPrefix(to, "udp:") && errors.Is(runErr, syscall.ECONNREFUSED) {
				stopped += "; over udp://, sent means handed to the network, which does not acknowledge it: connection refused is the ICMP answer to a datagram sent before, so nothing listened there and the lines counted as sent most likely did not arrive either: check the address and port, and the last line the collector wrote"
			}
		} else if s.stoppedAt != "" {
			stopped += " (send them again from there, or the whole input: lines the collector has may reach it twice)"
		}
		if notSent := s.read - int(st.Messages); notSent > 0 {
			return fmt.Errorf("send: %d of %d %s not sent: %w%s", notSent, s.read, plural(s.read, "line", "lines"), runErr, stopped)
		}
		return fmt.Errorf("send: %w", runErr)
	}
	return nil
}

// warnNoneParsed warns on w when lines within the limit maxLine
// (max_line_bytes) were read and none of them parsed: that none is of
// the --type given or a GitLab log at all, or, when most are a container
// runtime's records, that they are and how to read them. Lines
// cut to the limit were warned about per input (noteInput).
func (s *sender) warnNoneParsed(w io.Writer, maxLine int) {
	whole := s.read - s.truncated - s.unfinishedRaw // lines within the limit; a cut one is never parsed
	switch {
	case s.read == 0 || s.unparsed < s.read || whole == 0:
	case s.records.most(whole): // the lines' own cause, not a question
		fmt.Fprintf(w, "send: WARNING: %s%s; all were sent raw: %s\n",
			noneParsed(whole, " read"), s.cutNote(maxLine), s.records.cause(whole))
	case s.likeOther == whole: // each input's note named the type its lines look like
	case s.fixed != parser.TypeUnknown:
		fmt.Fprintf(w, "send: WARNING: %s as %s lines%s; all were sent raw: --type %s was given: are the lines of that type, or of another log? (--type auto takes the type from the file name, else from each line)\n",
			noneParsed(whole, " read"), s.fixed, s.cutNote(maxLine), s.fixed)
	default:
		fmt.Fprintf(w, "send: WARNING: %s as a GitLab log (%s)%s; all were sent raw: is it a GitLab log? --type sets the type when the file names do not tell it\n",
			noneParsed(whole, " read"), gitLabLogs, s.cutNote(maxLine))
	}
}

// cutNote is what the not-parsed warning adds about the lines cut to
// maxLine: "" when none was.
func (s *sender) cutNote(maxLine int) string {
	if s.truncated == 0 {
		return ""
	}
	return fmt.Sprintf(" (and %d %s longer than max_line_bytes, %d bytes, cut and not parsed)", s.truncated, plural(s.truncated, "line", "lines"), maxLine)
}

// plural returns one for n == 1 and many otherwise.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// noneParsed says that none of n lines parsed, of (" of FILE", " read")
// following "lines": "none of the 3 lines of f.log parsed", and for one
// line "the 1 line of f.log did not parse".
func noneParsed(n int, of string) string {
	if n == 1 {
		return "the 1 line" + of + " did not parse"
	}
	return fmt.Sprintf("none of the %d lines%s parsed", n, of)
}

// count returns n followed by one when n is 1, else by many: "1 datagram",
// "2 datagrams".
func count(n uint64, one, many string) string {
	return fmt.Sprintf("%d %s", n, plural(int(min(n, 2)), one, many))
}

// output is where send's batches go: the forwarder, or stdout.
type output interface {
	Send(ctx context.Context, b *forwarder.Batch, ack func(error)) error
	Close(ctx context.Context) error
	Stats() forwarder.Stats
}

// openOutput opens the destination of c: stdout, or a forwarder that has
// connected (send fails at once when the destination cannot be reached).
func openOutput(ctx context.Context, cmd *cobra.Command, c *config.Config, enc *forwarder.Encoder, timeout time.Duration) (output, error) {
	if config.IsStdout(c.Forward.URL) {
		return &stdoutOutput{w: bufio.NewWriterSize(cmd.OutOrStdout(), 64<<10), enc: enc}, nil
	}
	fc := c.Forward.Config
	fc.Encoder, fc.DialTimeout, fc.MaxAttempts = enc, timeout, 5
	fc.Logger = slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	fw, err := forwarder.New(fc)
	if err != nil {
		return nil, fmt.Errorf("send: %w", err)
	}
	if err := fw.Connect(ctx); err != nil {
		closeCtx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = fw.Close(closeCtx)
		return nil, fmt.Errorf("cannot reach %s%s: %s%s", c.Forward.URL, defaultPortNote(c.Forward.URL, err), rootCause(err), unreachableHint(err, c.Forward.TLS.CAFile))
	}
	return fw, nil
}

// stdoutOutput prints each message on a line of its own, its line breaks
// (LF, CR) replaced by spaces as newline framing does (forwarder.OneLine),
// and acknowledges each batch once it is written.
type stdoutOutput struct {
	w       *bufio.Writer
	enc     *forwarder.Encoder
	line    []byte // the message being printed
	escaped uint64 // messages whose line breaks became spaces
	written uint64
	dropped uint64
}

func (o *stdoutOutput) Send(_ context.Context, b *forwarder.Batch, ack func(error)) error {
	var err error
	for i := 0; i < b.Len() && err == nil; i++ {
		o.line = append(o.line[:0], b.Message(i)...)
		if forwarder.OneLine(o.line) { // as newline framing: one message per line
			o.escaped++
		}
		o.line = append(o.line, '\n')
		_, err = o.w.Write(o.line)
	}
	if err == nil {
		err = o.w.Flush()
	}
	if err != nil {
		o.dropped += uint64(b.Len())
		return fmt.Errorf("write to stdout: %w", err)
	}
	o.written += uint64(b.Len())
	ack(nil)
	return nil
}

func (o *stdoutOutput) Close(context.Context) error { return o.w.Flush() }

func (o *stdoutOutput) Stats() forwarder.Stats {
	return forwarder.Stats{Messages: o.written, Dropped: o.dropped, Escaped: o.escaped, EncoderStats: o.enc.Stats()}
}

// inputLines counts, for one input of send, the lines read (blank ones
// not counted), the lines that did not parse, the lines cut to
// max_line_bytes and, for an input read as one type (typ, by --type or
// its name), the lines that look like another type's, for the warnings
// noteInput gives.
type inputLines struct {
	typ     parser.Type // TypeUnknown: typed line by line
	read    int
	records int // container log records read (--format), parts and lines dropped included
	// unfinished counts the container log lines sent unfinished
	// (unfinishedLine) that did not parse.
	unfinished int
	unparsed   unparsedLines
	notRecords notRecordLines // lines that are no record of --format's
	cut        cutLines
	like       lookAlike
}

// sender turns lines into batches and hands them to the output.
type sender struct {
	out      output
	enc      *forwarder.Encoder
	per      int
	maxLine  int             // max_line_bytes: longer lines are cut to it
	mp       *mapping.Mapper // the line-to-message mapping run uses too
	rec      parser.Record
	msg      forwarder.Message
	cur      *forwarder.Batch
	free     chan *forwarder.Batch
	read     int            // lines read (blank lines not included)
	warnings []*readWarning // inputs read to their end with data ignored (asReadWarning)
	blank    int            // blank lines skipped
	unparsed int            // lines sent raw because they did not parse, or were cut
	in       inputLines     // the input being read
	// stoppedAt is FILE:LINE of the last line read when sending failed
	// and reading stopped there; "" when every input was read.
	stoppedAt string
	notes     []string         // about the inputs read, for after the summary (noteInput)
	truncated int              // lines cut to maxLine
	records   containerRecords // lines not cut that did not parse and are a container runtime's records
	fixed     parser.Type      // --type, TypeUnknown for auto
	// dec unwraps container log records (--format), across the inputs:
	// a line's parts may be in two rotated copies.
	dec   container.Decoder
	lastN int // the number of the last record decoded, in its input (label)
	// other sends the container log lines of no type (mapping.RecordType)
	// raw; else they are dropped and counted in dropped.
	other   bool
	dropped int
	// unfinished counts the container log lines whose last part was in
	// no input, sent as far as they got (sendPending); finishing is set
	// while one is sent: its failure to parse is its being cut short,
	// not a cause to report.
	unfinished    int
	unfinishedRaw int    // of them, those that did not parse (all, but for a line cut at its end)
	firstUnfin    string // FILE:LINE of the last part read of the first of them
	finishing     bool
	// restOpen: the input before ended with stdout parts, sent
	// unfinished, whose subcomponent is restSub; the next complete
	// stdout line, when of no GitLab log, is their rest (restLine), rests
	// of them.
	restOpen bool
	restSub  []byte
	rests    int
	// restCopy is the copy whose last records are the first parts of
	// the line whose rest may begin the input (partsBefore): given
	// after it when restLater, else not given; "" when those parts end
	// the input before. restsAlone counts the rests sent whose first
	// parts are in no input.
	restCopy   string
	restLater  bool
	restsAlone int
	restAt     int // the number of the input's first stdout part, 0 before one
	// nrecords counts the container log records read (--format cri,
	// docker or auto), of which the lines read are made.
	nrecords int
	// notRecords counts the lines that are no record of the container
	// format given, sent raw (notRecordLine); raw is set while one is
	// sent.
	notRecords int
	raw        bool
	// k8s is the kubernetes@ element of the lines of the input being
	// read, a container log (agent.KubernetesElements); nil when its
	// path names no pod.
	k8s       []forwarder.Element
	likeOther int // lines not cut of the inputs none of whose lines parsed, noted as looking like another type's (noteInput)

	// label is the name of the input being read, for starts.
	label string

	errMu  sync.Mutex
	ackErr error
	// starts are FILE:LINE of the first line of each batch sent and not
	// acknowledged yet, in order (acknowledgements come in order);
	// unsent is that of the first batch whose acknowledgement failed.
	// Guarded by errMu.
	starts []string
	unsent string
}

// resumeAt returns FILE:LINE of the first line of the first batch not
// delivered whole: the first that failed, else the first not
// acknowledged yet; "" when every batch sent was acknowledged. Sending
// again from there loses nothing.
func (s *sender) resumeAt() string {
	s.errMu.Lock()
	defer s.errMu.Unlock()
	if s.unsent != "" {
		return s.unsent
	}
	if len(s.starts) > 0 {
		return s.starts[0]
	}
	return ""
}

func (s *sender) ackError() error {
	s.errMu.Lock()
	defer s.errMu.Unlock()
	return s.ackErr
}

// line cuts line n of the input to max_line_bytes as the agent's tailer
// does (long, its whole length, is not 0 when readLines already did), maps
// it to a message as the agent does (a cut line goes out raw; a line that
// does not parse too) and encodes it into the current batch, counting it
// in s.in. readLines has already dropped the line ending; a blank line is
// counted and skipped.
func (s *sender) line(ctx context.Context, n int, line []byte, long int) error {
	if parser.Blank(line) {
		s.blank++
		return nil
	}
	s.read++
	s.in.read++
	cut := long > 0 || len(line) > s.maxLine
	if cut {
		s.in.cut.add(n, max(long, len(line)))
		line = line[:min(len(line), s.maxLine)]
		s.truncated++
	}
	if !cut && !s.finishing && !s.raw && s.in.typ != parser.TypeUnknown {
		s.in.like.add(s.in.typ, parser.Detect(line))
	}
	s.mp.Opts.Now = time.Now()
	var err error
	if s.raw { // as run sends a line that is no record: as it is, not parsed
		s.msg.FromLine(s.in.typ, line, &s.mp.Opts)
	} else {
		err = s.mp.Map(line, cut, &s.rec, &s.msg)
	}
	if s.k8s != nil {
		s.msg.Elements = s.k8s
	}
	if err != nil {
		s.unparsed++ // sent raw, as run counts it
		if !cut && !s.finishing {
			s.records.add(line)
		}
		switch {
		case s.finishing: // cut short (unfinishedLine): not a cause of the line's own
			s.in.unfinished++
			s.unfinishedRaw++
		case cut: // told apart, with the line limit
		case errors.Is(err, mapping.ErrNoParser):
			s.in.unparsed.addUnknown(n, line, "--type")
		default:
			s.in.unparsed.add(n, line, err)
		}
	}
	if s.cur == nil {
		select {
		case s.cur = <-s.free:
		case <-ctx.Done():
			return ctx.Err()
		}
		s.cur.Reset()
	}
	if s.cur.Len() == 0 {
		s.errMu.Lock()
		s.starts = append(s.starts, fmt.Sprintf("%s:%d", s.label, n))
		s.errMu.Unlock()
	}
	s.cur.Append(s.enc, &s.msg)
	if s.cur.Len() >= s.per || s.cur.Size() >= 1<<20 {
		return s.flush(ctx)
	}
	return nil
}

// flush sends the current batch; its ack returns it to the free list.
func (s *sender) flush(ctx context.Context) error {
	b := s.cur
	if b == nil || b.Len() == 0 {
		return nil
	}
	s.cur = nil
	return s.out.Send(ctx, b, func(err error) {
		s.errMu.Lock()
		if err != nil {
			s.ackErr = cmp.Or(s.ackErr, err)
			if s.unsent == "" && len(s.starts) > 0 {
				s.unsent = s.starts[0]
			}
		}
		if len(s.starts) > 0 {
			s.starts = s.starts[1:]
		}
		s.errMu.Unlock()
		s.free <- b
	})
}

// startProgress prints a progress line on stderr while sending, but only
// when stderr is a terminal.
func startProgress(w io.Writer, out output) (stop func()) {
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
				n := out.Stats().Messages
				fmt.Fprintf(w, "\r\033[Ksent %d %s (%.0f lines/s)", n, plural(int(n), "line", "lines"), float64(n)/time.Since(start).Seconds())
			}
		}
	}()
	return func() { close(done); <-finished }
}

// rootCause returns the text of a connection error without the layers
// that repeat the destination, e.g. "connection refused", "lookup
// nohost.example: no such host" or "tls: failed to verify certificate:
// x509: certificate signed by unknown authority". It never cuts inside the
// innermost message, and keeps a forwarder.ProtocolError whole: its text
// says which scheme the port wants.
func rootCause(err error) string {
	var pe *forwarder.ProtocolError
	if errors.As(err, &pe) {
		return pe.Error() // what to change, then its cause
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return dnsErr.Error()
	}
	if errors.Is(err, forwarder.ErrRefused) { // its text says what to change, then its cause
		for u := err; u != nil; u = errors.Unwrap(u) {
			if !strings.HasPrefix(u.Error(), "forwarder: ") {
				return u.Error()
			}
		}
	}
	var se *os.SyscallError
	if errors.As(err, &se) {
		return se.Err.Error()
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return oe.Err.Error()
	}
	// The forwarder's own prefix repeats the destination the caller names.
	if u := errors.Unwrap(err); u != nil && strings.HasPrefix(err.Error(), "forwarder: connect to ") {
		return u.Error()
	}
	return err.Error()
}

// TLS alerts (RFC 8446 §6.2) by which a server refuses the client's
// certificate, or the lack of one.
const (
	alertBadCertificate      tls.AlertError = 42
	alertCertificateRequired tls.AlertError = 116
)

// defaultPortNote names the address dialed when the destination URL has
// no port, so that a user who forgot it sees the default port the
// forwarder used (514, or 6514 for tls://): " (no port given, so
// 127.0.0.1:514)". It is "" when the URL has a port or the address is not
// known.
func defaultPortNote(dest string, err error) string {
	u, perr := url.Parse(dest)
	if perr != nil || u.Port() != "" || u.Host == "" {
		return ""
	}
	var oe *net.OpError
	if !errors.As(err, &oe) || oe.Addr == nil {
		return ""
	}
	return " (no port given, so " + oe.Addr.String() + ")"
}

// unreachableHint suggests checking the collector, but only for the
// failures that mean nothing answers at the address: connection refused, no
// such host, or a timeout. A server certificate the client does not trust
// gets the flag that fixes it (or, when caFile, the --ca-file given, is
// set, a hint naming it), and so does a collector that wants a client
// certificate; a port that speaks another protocol than the URL's
// scheme (forwarder.ErrProtocol: a TLS handshake or RELP open unanswered
// or refused) gets none, its error says which scheme to try; other TLS or
// configuration errors get no hint.
func unreachableHint(err error, caFile string) string {
	var dnsErr *net.DNSError
	var ne net.Error
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var alert tls.AlertError
	switch {
	case errors.Is(err, forwarder.ErrProtocol), errors.Is(err, forwarder.ErrRefused):
		return "" // its text says what to change
	case errors.As(err, &unknownCA) && caFile != "":
		return " — the CAs of " + caFile + " (--ca-file) did not sign the collector's certificate: give the CA that did"
	case errors.As(err, &unknownCA):
		return " — give the CA that signed the collector's certificate with --ca-file"
	case errors.As(err, &alert) && (alert == alertCertificateRequired || alert == alertBadCertificate):
		return " — the collector wants a client certificate it trusts (mutual TLS): give it with --cert-file and --key-file"
	case errors.As(err, &hostErr):
		return " — the certificate does not name the host dialed: use a name it has, or --server-name"
	case errors.Is(err, syscall.ECONNREFUSED):
		return " — is the collector running?"
	case errors.Is(err, syscall.ENOENT):
		return " — no socket at that path: is the collector running, and is the path its socket's?"
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return " — is the host name right?"
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
		return " — is the collector running, and does a firewall let the connection through?"
	}
	return ""
}
