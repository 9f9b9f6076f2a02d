package config

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
	"github.com/gitlab-syslog/gitlab-syslog/tailer/checkpoint"
)

// Validate checks a resolved configuration and returns every problem found,
// joined, each prefixed with the file and line of the offending key when it
// came from the file ("config.yaml:7: forward.url: ...").
func (c *Config) Validate() error {
	v := &validator{c: c}
	v.oneOf("start_at", &c.StartAt, startAtValues)
	switch ci := c.Tailer.CheckpointInterval; {
	case ci < 0:
		v.errf("checkpoint_interval", "%s is negative: give how often checkpoints are saved, at least 10ms (the default is 1s)", ci)
	case ci < 10*time.Millisecond:
		v.errf("checkpoint_interval", "%s is too short (at least 10ms; the default is 1s)", ci)
	}
	if c.StateDir == "" {
		v.errf("state_dir", "must not be empty")
	}
	v.forwarding()
	if len(c.Sources) == 0 && c.Streaming.Listen == "" && len(c.InputsOn()) == 0 {
		v.errf("sources", "no sources: list at least one file, or configure streaming or inputs")
	}
	v.inputs()
	seen := v.sources()
	if w := c.Pipeline.Workers; w < 0 || w > MaxWorkers {
		v.errf("pipeline.workers", "must be between 0 (automatic: min(2, GOMAXPROCS)) and %d, got %d", MaxWorkers, w)
	}
	v.detections(&c.Detections)
	if c.Metrics.Listen != "" {
		v.hostPort("metrics.listen", c.Metrics.Listen)
	}
	v.streaming(seen)
	return errors.Join(v.errs...)
}

// sources checks each source and returns the index of each path (the
// streaming spool must not be one of them).
func (v *validator) sources() map[string]int {
	seen, sameFile := map[string]int{}, map[string]int{}
	for i := range v.c.Sources {
		v.source(i, seen, sameFile)
	}
	return seen
}

// source checks sources[i], but for an item of the wrong type, reported
// by Parse and decoded empty; seen and sameFile hold the indexes of the
// paths (and of the files, symbolic links followed) checked before.
func (v *validator) source(i int, seen, sameFile map[string]int) {
	s := &v.c.Sources[i]
	p := "sources[" + strconv.Itoa(i) + "]"
	if v.c.Dropped(p) {
		return
	}
	if a, ok := formatAliases[strings.ToLower(strings.TrimSpace(s.Format))]; ok {
		v.errf(p+".format", "%q is not one of %s: the format names the records, not the runtime; %s writes %s: write format: %s (or auto)",
			s.Format, strings.Join(sourceFormatValues, ", "), a.writer, formatRecords[a.format], a.format)
	} else {
		v.oneOf(p+".format", &s.Format, sourceFormatValues)
	}
	v.oneOf(p+".other_subcomponents", &s.OtherSubcomponents, otherSubcompValues)
	if s.Type == "" && s.Format == "plain" && !v.c.Dropped(p+".type") && !v.c.Dropped(p+".format") {
		hint := ""
		if typ := TypeByName(s.Path); typ != "" {
			hint = "; " + filepath.Base(s.Path) + " is " + typ + ": add type: " + typ
		}
		v.errf(p, "type is missing (want audit, application, access or auth; it may be left out only with format cri, docker or auto)%s", hint)
	} else if s.Type != "" {
		v.oneOf(p+".type", &s.Type, sourceTypeValues)
	}
	typeOK := DefaultAppName(s.Type) != ""
	if s.Path == "" {
		if !v.c.Dropped(p + ".path") { // else reported as of the wrong type
			v.errf(p, "path is missing")
		}
	} else if err := globError(s.Path); err != nil {
		v.errf(p+".path", "%s is not a valid glob (%v): * ? and [...] are patterns (a [ needs its ]), escape them with \\", s.Path, err)
	} else if ext := compressedExt(s.Path); ext != "" && !s.IsGlob() {
		v.errf(p+".path", "%s is named as a compressed file (%s): the agent follows live, plain log files; to send a rotated, compressed log once, use gitlab-syslog send %s", s.Path, ext, s.Path)
	} else if j, dup := seen[s.Path]; dup {
		v.errf(p+".path", "%s is already followed by sources[%d]; a file can be followed once only", s.Path, j)
	} else if j, dup := sameFile[checkpoint.PositionKey(s.Path)]; dup {
		v.errf(p+".path", "%s is the file of sources[%d] (%s) %s; a file can be followed once only", s.Path, j, v.c.Sources[j].Path, howSame(s.Path, v.c.Sources[j].Path))
	} else if j, dup := sameFile[fileKey(s.Path)]; dup && !s.IsGlob() {
		v.errf(p+".path", "%s is the file of sources[%d] (%s) through a symbolic or hard link; a file can be followed once only", s.Path, j, v.c.Sources[j].Path)
	} else {
		seen[s.Path] = i
		sameFile[checkpoint.PositionKey(s.Path)] = i // its checkpoint's key
		if k := fileKey(s.Path); k != "" && !s.IsGlob() {
			sameFile[k] = i
		}
	}
	// An empty app_name comes from an unknown type, already reported.
	if err := checkHeaderField(s.AppName, 48); err != nil && (typeOK || s.AppName != "") {
		v.errf(p+".app_name", "%v", err)
	}
	// A start_at equal to the top-level one was inherited from it
	// (or repeats it): it is reported there, once.
	if s.StartAt != v.c.StartAt {
		v.oneOf(p+".start_at", &s.StartAt, startAtValues)
	}
	if e := s.Extension; e != "" && (len(e) < 2 || e[0] != '.' || strings.ContainsAny(e, "/*?[") || e == ".gz") {
		v.errf(p+".extension", "%q is not an extension: write logrotate's extension as its config has it, with its dot (.log)", e)
	} else if e != "" && !strings.HasSuffix(s.Path, e) && (!s.IsGlob() || literalExt(s.Path) != "") {
		v.errf(p+".extension", "%s does not end in %s: logrotate's extension applies only to files whose names end in it (and keeps it after the rotation's suffix); write the file's own (.log), or leave extension out", s.Path, e)
	}
}

// literalExt returns the extension of path (".log") when it has one
// without a glob pattern in it, so that every file a glob matches ends in
// it; "" otherwise.
func literalExt(path string) string {
	if ext := filepath.Ext(path); !strings.ContainsAny(ext, "*?[\\") {
		return ext
	}
	return ""
}

// streaming checks the streaming block when it listens; seen holds the
// indexes of the sources' paths.
func (v *validator) streaming(seen map[string]int) {
	c := v.c
	st := &c.Streaming
	if st.Listen == "" {
		return
	}
	v.hostPort("streaming.listen", st.Listen)
	if len(st.Tokens) == 0 && st.TokenFile == "" && st.TokenEnv == "" {
		v.errf("streaming", "tokens, token_file or token_env is required: GitLab sends the destination's verification token in X-Gitlab-Event-Streaming-Token and events without it are refused")
	}
	for i, t := range st.Tokens {
		if p := "streaming.tokens[" + strconv.Itoa(i) + "]"; strings.TrimSpace(t) == "" && !c.Dropped(p) {
			v.errf(p, "is empty")
		}
	}
	if !strings.HasPrefix(st.Path, "/") {
		v.errf("streaming.path", "must start with /, got %q", st.Path)
	}
	v.halfPair("streaming.tls", st.TLS.CertFile, st.TLS.KeyFile, "")
	if st.MaxBody < 0 {
		v.errf("streaming.max_body", "must not be negative")
	}
	if j, dup := seen[st.SpoolPath()]; dup {
		v.errf("streaming.spool_dir", "%s is also listed as sources[%d]; the spool is followed automatically", st.SpoolPath(), j)
	}
	if listenersClash(c.Metrics.Listen, st.Listen) {
		v.errf("metrics.listen", "%q and streaming.listen %q are the same port; the second listener could not bind: give metrics.listen another port", c.Metrics.Listen, st.Listen)
	}
}

// ValidateForward checks what forwarding a line needs (hostname,
// max_line_bytes and forward) after ResolveForward, as Validate does, and
// returns every problem found, joined: send refuses the values of its
// forwarding flags (--max-line-bytes below MinMaxLine among them) that
// run and check refuse, with the same messages.
func (c *Config) ValidateForward() error {
	v := &validator{c: c}
	v.forwarding()
	return errors.Join(v.errs...)
}

func (v *validator) forwarding() {
	c := v.c
	if c.Tailer.MaxLineBytes < 0 {
		v.errf("max_line_bytes", "must be positive, got %d", c.Tailer.MaxLineBytes)
	}
	v.maxLineBytes(c.Tailer.MaxLineBytes)
	if err := checkHeaderField(c.Hostname, 255); err != nil {
		v.errf("hostname", "%v", err)
	}
	v.forward(&c.Forward)
}

func (v *validator) forward(f *Forward) {
	u, err := url.Parse(f.URL)
	urlOK := err == nil
	switch {
	case err != nil:
		v.errf("forward.url", "%s", urlParseProblem(f.URL, err, urlHint(f.URL, nil)))
	case u.User != nil: // named without its password: the error is logged
		urlOK = false
		v.errf("forward.url", "%q: a syslog destination takes no user or password; remove the part before @", RedactedURL(f.URL))
	case u.Scheme == "udp" || u.Scheme == "tcp" || u.Scheme == "tls" || u.Scheme == "relp" || u.Scheme == "relp+tls":
		switch hostPortErr := forwarder.CheckHostPort(u); {
		case u.Hostname() == "":
			v.errf("forward.url", "%s", HostProblem(f.URL, u))
		case hostPortErr != nil:
			v.errf("forward.url", "%q: %v", f.URL, hostPortErr)
		case strings.HasPrefix(u.Scheme, "relp") && u.Port() == "":
			v.errf("forward.url", "%q has no port (RELP has no standard port; e.g. %s://127.0.0.1:2514)", f.URL, u.Scheme)
		case u.Port() != "" || strings.HasSuffix(u.Host, ":"):
			if err := forwarder.CheckPort(u.Port()); err != nil {
				v.errf("forward.url", "%q: %v", f.URL, err)
			}
		}
		if u.Hostname() != "" && u.Path != "" && u.Path != "/" {
			v.errf("forward.url", "%q: a %s URL has no path", f.URL, u.Scheme)
		}
	case u.Scheme == "unix" || u.Scheme == "unixgram":
		if u.Path == "" {
			v.errf("forward.url", "%q has no socket path (e.g. %s:///run/rsyslog.sock)", f.URL, u.Scheme)
		}
	case IsStdout(f.URL):
	case u.Scheme == "stdout":
		urlOK = false
		v.errf("forward.url", "%q: stdout:// takes no host, path or options (write stdout://, stdout or -)", f.URL)
	default:
		urlOK = false
		v.errf("forward.url", "unsupported scheme in %q (want %s)%s", f.URL, forwarder.SchemeList(Schemes()), urlHint(f.URL, u))
	}
	if urlOK && !IsStdout(f.URL) {
		if err := forwarder.CheckURLOptions(u); err != nil {
			v.errf("forward.url", "%q: %v", f.URL, err)
		}
	}
	// With an unusable URL the TLS settings cannot be judged.
	if f.TLS != (TLS{}) && urlOK && u.Scheme != "tls" && u.Scheme != "relp+tls" {
		v.errf("forward.tls", "is set but %s (%s) is not a tls:// or relp+tls:// URL", v.nameOf("forward.url"), f.URL)
	}
	v.halfPair("forward.tls", f.TLS.CertFile, f.TLS.KeyFile, " (client certificate)")
	if _, err := forwarder.ParseFacility(f.Facility); err != nil {
		hint := "" // local8, local9: the range says it; "did you mean local0" would mislead
		if !strings.HasPrefix(strings.ToLower(f.Facility), "local") {
			hint = DidYouMean(f.Facility, facilityNames())
		}
		v.errf("forward.facility", "unknown facility %q (want kern, user, ..., local0 ... local7, or 0-23)%s", f.Facility, hint)
	}
	if err := checkSDID(f.SDID); err != nil {
		v.errf("forward.sd_id", "%v", err)
	}
	v.oneOf("forward.format", &f.Format, forwardFormatValues)
	if f.QueueSize < 0 {
		v.errf("forward.queue_size", "must not be negative")
	}
	if f.RELPWindow < 0 {
		v.errf("forward.relp_window", "must not be negative")
	}
	v.maxMessageBytes(f.MaxDatagram)
	v.maxStreamMessageBytes(f.MaxStreamMessage)
}

// maxLineBytes checks max_line_bytes, n, against MinMaxLine (a negative
// n is forwarding's). The error says what n means, the value probably
// meant (n MiB for up to 64, else n KiB) and why the floor.
func (v *validator) maxLineBytes(n int) {
	if n < 0 || n >= MinMaxLine {
		return
	}
	unit := "KiB"
	if n <= 64 {
		unit = "MiB"
	}
	v.errf("max_line_bytes", "%d is %d %s, not %d %s; write %d%s (a line longer than max_line_bytes is cut to it and sent raw, "+
		"without its columns and unseen by the rules; GitLab's audit and application lines are often 1-4 KiB, "+
		"so give at least %dKiB, and no less than %dKiB; the default is 1MiB)", n, n, plural(n, "byte", "bytes"), n, unit, n, unit, WarnMaxLine>>10, MinMaxLine>>10)
}

// MaxLineWarning returns a warning when c's max_line_bytes is valid but
// below WarnMaxLine, naming where it was set and what to do; "" when it
// is not. check prints it and run logs it at start.
func (c *Config) MaxLineWarning() string {
	n := c.Tailer.MaxLineBytes
	if n < MinMaxLine || n >= WarnMaxLine {
		return ""
	}
	return fmt.Sprintf("%s: %d bytes cuts ordinary GitLab lines (audit and application lines are often 1-4 KiB): "+
		"a cut line is sent raw, without its columns, and the rules do not see it; give at least %dKiB unless the limit "+
		"matches your collector's (the default is 1MiB)", c.Where("max_line_bytes"), n, WarnMaxLine>>10)
}

// InsecureWarning returns a warning when forward.tls.insecure_skip_verify
// is on: the collector's certificate is not verified, so that whoever is
// on the network path can pose as the collector, read the logs and the
// alerts and drop them; "" when it is off. It begins with where the key
// is (FILE:LINE: forward.tls.insecure_skip_verify) and says what to do;
// check prints it and run logs it at start.
func (c *Config) InsecureWarning() string {
	if !c.Forward.TLS.InsecureSkipVerify {
		return ""
	}
	return c.Where("forward.tls.insecure_skip_verify") + ": true: the collector's certificate is not verified, so " +
		"anyone on the network path can pose as the collector and read or drop the logs and alerts; give the CA " +
		"that signed it in forward.tls.ca_file and remove insecure_skip_verify (it is for tests only)"
}

// plural returns one when n is 1, else many.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// maxMessageBytes checks forward.max_message_bytes: 0 (the default), or
// MinMaxDatagram to MaxMaxDatagram bytes. The error gives the range and
// the reason for each bound.
func (v *validator) maxMessageBytes(n int) {
	const key = "forward.max_message_bytes"
	rng := fmt.Sprintf("give %d to %d bytes, or 0 (or leave it out) for the default %d", MinMaxDatagram, MaxMaxDatagram, forwarder.DefaultMaxDatagram)
	switch {
	case n < 0:
		v.errf(key, "%d is negative: it is the largest datagram sent to udp:// and unix datagram destinations; %s "+
			"(at least %d, the message size RFC 5424 §6.1 requires every receiver to accept)", n, rng, MinMaxDatagram)
	case n > 0 && n < MinMaxDatagram:
		v.errf(key, "%d is below %d, the message size RFC 5424 §6.1 requires every receiver to accept "+
			"(and RFC 5426 §3.2's limit for IPv4 UDP when the path MTU is unknown); a longer message is cut to it "+
			"(STRUCTURED-DATA dropped first when that lets MSG go whole, else MSG cut) and counted, so the header alone would not fit: %s", n, MinMaxDatagram, rng)
	case n > MaxMaxDatagram:
		v.errf(key, "%d is over %d, the largest UDP payload (65535 bytes less the 8-byte UDP and 20-byte IPv4 headers): "+
			"the system refuses a longer datagram instead of sending it; %s "+
			"(RFC 5424 §6.1: a receiver need accept only 480 octets, should accept 2048, and a longer message may be cut by it)", n, MaxMaxDatagram, rng)
	}
}

// maxStreamMessageBytes checks forward.max_stream_message_bytes: 0 (the
// default), or MinMaxStreamMessage bytes or more, up to 2 GiB.
func (v *validator) maxStreamMessageBytes(n int) {
	const key = "forward.max_stream_message_bytes"
	if n == 0 {
		return
	}
	if n < MinMaxStreamMessage || n > maxStreamMessage {
		v.errf(key, "%d is out of range: it is the longest message sent whole to tcp://, tls://, relp:// and stream unix:// "+
			"destinations, the message size limit of the collector (rsyslog's maxMessageSize, syslog-ng's log-msg-size); "+
			"give %d (2KiB, RFC 5424 §6.1's size a receiver should accept) to %d bytes (2GiB), or 0 (or leave it out) for the default %d (4MiB)",
			n, MinMaxStreamMessage, maxStreamMessage, forwarder.DefaultMaxStreamMessage)
	}
}

type validator struct {
	c    *Config
	errs []error
}

// errf records an *Error about the key at path, naming the flag instead
// when a flag gave the value; else the file, when there is one, and the
// line of the key or of its nearest parent in it, when there is one.
// halfPair reports a TLS certificate and key of which only one is set
// (tls, the block's path, has cert_file certFile and key_file keyFile) at
// the key that is set, with what to give; what says what the pair is
// for (" (client certificate)"), or "".
func (v *validator) halfPair(tls, certFile, keyFile, what string) {
	switch {
	case certFile != "" && keyFile == "":
		v.errf(tls+".cert_file", "%s is set but key_file is not: they go together%s; give key_file, its private key (PEM), or remove cert_file", certFile, what)
	case certFile == "" && keyFile != "":
		v.errf(tls+".key_file", "%s is set but cert_file is not: they go together%s; give cert_file, its PEM certificate (chain), or remove key_file", keyFile, what)
	}
}

func (v *validator) errf(path, format string, args ...any) {
	e := &Error{Key: path, Err: fmt.Errorf(format, args...)}
	if flag := v.flagOf(path); flag != "" {
		e.Key = flag
	} else if v.c.file != "" {
		e.File, e.Line = v.c.file, v.lineOf(path)
	}
	v.errs = append(v.errs, e)
}

// nameOf names the key at path in a message: the flag that gave its
// value ("--to"), else path ("forward.url").
func (v *validator) nameOf(path string) string {
	if f, ok := v.c.flags[path]; ok {
		return f
	}
	return path
}

// flagOf returns the flag that gave the value at path, or the flags that
// gave keys inside it ("--ca-file, --cert-file" for forward.tls), or "".
func (v *validator) flagOf(path string) string {
	if f, ok := v.c.flags[path]; ok {
		return f
	}
	var inside []string
	for key, f := range v.c.flags {
		if strings.HasPrefix(key, path+".") {
			inside = append(inside, f)
		}
	}
	slices.Sort(inside)
	return strings.Join(inside, ", ")
}

// lineOf returns the line of path or of its nearest parent in the file.
func (v *validator) lineOf(path string) int {
	for p := path; p != ""; {
		if l := v.c.lines[p]; l > 0 {
			return l
		}
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return 0
}

// oneOf checks that *val is one of allowed in any case, and sets it to
// the canonical (allowed) form; the error lists the canonical values.
func (v *validator) oneOf(path string, val *string, allowed []string) {
	if *val = canonical(*val, allowed); slices.Contains(allowed, *val) {
		return
	}
	v.errf(path, "%q is not one of %s%s", *val, strings.Join(allowed, ", "), DidYouMean(*val, allowed))
}

func (v *validator) hostPort(path, hp string) {
	if u, err := url.Parse(hp); err == nil && u.Scheme != "" && u.Host != "" {
		hint := ""
		if path == "streaming.listen" {
			hint = " (TLS is turned on by cert_file and key_file; the URL path is streaming.path"
			if u.Path != "" && u.Path != "/" {
				hint += fmt.Sprintf(", here path: %s", u.Path)
			}
			hint += ")"
		}
		v.errf(path, "%q is a URL: want host:port only, here %s%s", hp, u.Host, hint)
		return
	}
	_, port, err := net.SplitHostPort(hp) // an empty host means all interfaces for listeners
	if err != nil {
		if _, perr := strconv.Atoi(hp); perr == nil {
			// A port alone (YAML reads it as a number): the host is missing.
			v.errf(path, "%q is not host:port: a port alone; write :%s for every interface, or 127.0.0.1:%s for this host only", hp, hp, hp)
			return
		}
		v.errf(path, "%q is not host:port: %v", hp, err)
		return
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 {
		v.errf(path, "%q: port %q is not a number from 0 to 65535", hp, port)
	}
}

// CheckAppName checks s as an APP-NAME (a source's app_name, send's
// --app-name): 1 to 48 printable US-ASCII characters, no spaces (RFC 5424
// §6.2.5). The error says what is wrong.
func CheckAppName(s string) error { return checkHeaderField(s, 48) }

// checkHeaderField applies RFC 5424's rules for HOSTNAME and APP-NAME:
// 1..max printable US-ASCII characters, no spaces.
func checkHeaderField(s string, max int) error {
	if s == "" {
		return errors.New("must not be empty")
	}
	if len(s) > max {
		return fmt.Errorf("%s is %d bytes; RFC 5424 allows at most %d", QuoteShort(s), len(s), max)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 33 || s[i] > 126 {
			return fmt.Errorf("%s has a space or non-ASCII byte at %d; RFC 5424 allows printable ASCII only", QuoteShort(s), i)
		}
	}
	return nil
}

// shortMax is the longest value QuoteShort and Short show whole, in bytes.
const shortMax = 80

// Short returns s for a message: whole when it is at most 80 bytes, else
// its first 40 bytes (never cutting a UTF-8 sequence), "…" and its length
// ("hhhh… (2000000 bytes)"), so that a mistaken value of megabytes does
// not flood the output.
func Short(s string) string {
	if len(s) <= shortMax {
		return s
	}
	return s[:shortPrefix(s)] + "… (" + strconv.Itoa(len(s)) + " bytes)"
}

// QuoteShort returns s quoted (strconv.Quote) for a message when it is at
// most 80 bytes, else its first 40 bytes quoted and "…" (the message
// gives the length where it matters).
func QuoteShort(s string) string {
	if len(s) <= shortMax {
		return strconv.Quote(s)
	}
	return strconv.Quote(s[:shortPrefix(s)]) + "…"
}

// shortPrefix returns the length of the prefix Short and QuoteShort
// show of s, longer than 80 bytes: 40 bytes, less when that would cut
// a UTF-8 sequence.
func shortPrefix(s string) int {
	n := shortMax / 2
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return n
}

// checkSDID checks s, the SD-ID of the element that carries the columns,
// against RFC 5424: an SD-NAME (§6.3.3: 1 to 32 printable US-ASCII
// characters other than '=', ' ', ']' and '"') of the private form
// name@<private enterprise number> (§6.3.2), e.g. gitlab@32473. An SD-ID
// without '@' is one registered with IANA (timeQuality, origin, meta),
// whose parameters RFC 5424 §7 defines: none of them can carry the
// columns, so s must have an '@'. The error says what is wrong and gives
// an example.
func checkSDID(s string) error {
	const example = "give name@<your private enterprise number>, e.g. " + DefaultSDID
	if s == "" || len(s) > 32 {
		return fmt.Errorf("%q must be 1 to 32 characters (RFC 5424 §6.3.3); %s", s, example)
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b < 33 || b > 126 || b == '=' || b == ']' || b == '"' {
			return fmt.Errorf("%q: byte %d (%q) is not allowed in an SD-ID (RFC 5424 §6.3.3); %s", s, i, b, example)
		}
	}
	name, pen, ok := strings.Cut(s, "@")
	switch {
	case !ok && slices.Contains([]string{"timeQuality", "origin", "meta"}, s):
		return fmt.Errorf("%q is an SD-ID registered with IANA, whose parameters RFC 5424 §7 defines: it cannot carry the columns; %s", s, example)
	case !ok:
		return fmt.Errorf("%q has no @: an SD-ID without @ must be registered with IANA (RFC 5424 §6.3.2), and a private one is name@<private enterprise number>; %s", s, example)
	case name == "":
		return fmt.Errorf("%q: empty name before @; %s", s, example)
	}
	if _, err := strconv.ParseUint(pen, 10, 32); err != nil {
		return fmt.Errorf("%q: after @ comes a private enterprise number (digits); %s", s, example)
	}
	return nil
}

// listenersClash reports whether two listen addresses (host:port) would
// bind the same TCP port: the same port number other than 0 (056660 is
// 56660), with the same host or a wildcard host ("", 0.0.0.0, ::) on
// either side. "localhost" is taken as 127.0.0.1, where Go listens for it,
// and an IP address is compared as an address ([0:0:0:0:0:0:0:1] is
// [::1]).
func listenersClash(a, b string) bool {
	ha, pa, ok := splitListen(a)
	hb, pb, okB := splitListen(b)
	if !ok || !okB || pa != pb || pa == 0 {
		return false
	}
	return WildcardHost(ha) || WildcardHost(hb) || normHost(ha) == normHost(hb)
}

// sendsToListener reports whether a destination dest (host:port) reaches
// the listen address listen of this very host: the same port number, and
// dest's host is the listener's, or, while the listener listens on every
// interface, a loopback address or one of this host's. A host name is
// resolved for that (at most resolveWait; a name that does not resolve in
// time is taken for another host's). A destination on another host with
// the same port (a tier of aggregators) does not.
func sendsToListener(dest, listen string) bool {
	hd, pd, ok := splitListen(dest)
	hl, pl, okL := splitListen(listen)
	if !ok || !okL || pd != pl || pd == 0 {
		return false
	}
	if d := normHost(hd); d == normHost(hl) {
		return true
	}
	for _, ip := range hostIPs(hd) {
		if WildcardHost(hl) && localIP(ip) || ip.String() == normHost(hl) {
			return true
		}
	}
	return false
}

// resolveWait bounds the name lookup of sendsToListener.
const resolveWait = 2 * time.Second

// hostIPs returns the addresses of host: itself when it is an IP address,
// 127.0.0.1 for localhost, else those the resolver gives within
// resolveWait (none when it gives none).
func hostIPs(host string) []net.IP {
	if ip := net.ParseIP(normHost(host)); ip != nil {
		return []net.IP{ip}
	}
	ctx, cancel := context.WithTimeout(context.Background(), resolveWait)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	if err != nil {
		return nil
	}
	ips := make([]net.IP, len(addrs))
	for i, a := range addrs {
		ips[i] = a.IP
	}
	return ips
}

// localIP reports whether ip is a loopback address or one of this host's
// interfaces'.
func localIP(ip net.IP) bool {
	if ip.IsLoopback() {
		return true
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return false
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.Equal(ip) {
			return true
		}
	}
	return false
}

// splitListen splits a host:port address, its port as a number.
func splitListen(addr string) (host string, port int, ok bool) {
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, false
	}
	n, err := strconv.Atoi(p)
	return h, n, err == nil
}

// normHost is host as listenersClash compares it: "localhost" as
// 127.0.0.1, an IP address in its canonical form, a name in lower case
// and without the dot that ends a fully qualified one ("localhost.").
func normHost(h string) string {
	h = strings.TrimSuffix(h, ".")
	if strings.EqualFold(h, "localhost") {
		return "127.0.0.1"
	}
	if ip := net.ParseIP(h); ip != nil {
		return ip.String()
	}
	return strings.ToLower(h)
}

// RedactedURL returns raw with the password of its user information
// masked as "xxxxx" (url.URL.Redacted), for showing a configured URL; raw
// itself when it holds no password. A URL that does not parse (a space or
// a bad %-escape in the password) is masked all the same: what lies
// between the scheme's "://" and the last "@", after the first ":".
func RedactedURL(raw string) string {
	u, err := url.Parse(raw)
	if err == nil {
		if u.User == nil {
			return raw
		}
		return u.Redacted()
	}
	i := strings.Index(raw, "://")
	if i < 0 {
		return raw
	}
	rest := raw[i+3:]
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return raw
	}
	c := strings.Index(rest[:at], ":")
	if c < 0 {
		return raw
	}
	return raw[:i+3] + rest[:c+1] + "xxxxx" + rest[at:]
}

// WildcardHost reports whether h, the host of a listen address
// (host:port), listens on every interface: "", 0.0.0.0 or ::.
func WildcardHost(h string) bool {
	ip := net.ParseIP(h)
	return h == "" || ip != nil && ip.IsUnspecified()
}

// globError returns filepath.ErrBadPattern when pattern is not a valid
// glob, as filepath.Glob would when listing files; else nil.
// filepath.Match reports a bad pattern only as far as it gets in a
// name, so each path element is matched against nothing and against
// itself, which scans it to its end.
func globError(pattern string) error {
	for _, el := range append(strings.Split(pattern, string(filepath.Separator)), pattern) {
		if _, err := filepath.Match(el, ""); err != nil {
			return err
		}
		if _, err := filepath.Match(el, el); err != nil {
			return err
		}
	}
	return nil
}

// compressedExt returns the compression extension path ends in (.gz,
// .bz2, .xz, .zst: logrotate's compresscmds), or "".
func compressedExt(path string) string {
	for _, ext := range []string{".gz", ".bz2", ".xz", ".zst"} {
		if strings.HasSuffix(path, ext) {
			return ext
		}
	}
	return ""
}

// facilityNames returns the facility keywords ParseFacility accepts, for
// "did you mean" hints.
func facilityNames() []string {
	names := make([]string, 0, 24)
	for f := forwarder.Facility(0); f <= forwarder.Local7; f++ {
		names = append(names, f.String())
	}
	return names
}

// urlParseProblem returns what url.Parse's err says of raw without the Go
// parser's framing ("parse \"URL\": "): the URL quoted and the cause,
// then hint (urlHint's " (did you mean ...?)") or, without one, the form
// to write: "tcp://{addr}": invalid character "{" in host name; write
// SCHEME://HOST:PORT, e.g. tcp://127.0.0.1:514.
func urlParseProblem(raw string, err error, hint string) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if hint == "" {
		hint = "; write SCHEME://HOST:PORT, e.g. tcp://127.0.0.1:514"
	}
	return fmt.Sprintf("%q: %v%s", RedactedURL(raw), err, hint)
}

// urlHint returns a "did you mean" for a forward URL that has no scheme
// the forwarder knows (u is raw parsed, nil when it did not parse):
// URLHint's guesses, or a misspelt stdout ("stdot"). It is "" when no
// guess is close.
func urlHint(raw string, u *url.URL) string {
	if h := URLHint(raw, Schemes()); h != "" {
		return h
	}
	if u != nil && u.Scheme == "" && !strings.Contains(raw, "://") {
		return DidYouMean(raw, []string{"stdout"})
	}
	return ""
}

// HostProblem returns what is wrong with raw, parsed as u, a URL of a
// network scheme (udp, tcp, tls, relp, relp+tls), when it names no host:
// "tcp:/h:514" and "udp:h:514" parse with the address in the path, and a
// listener or dialer given no host would take every interface or the
// local host. The example it gives is the address written with the
// scheme's "//" when it is one ("tcp://h:514"), else 127.0.0.1:514. It is
// "" when u has a host. send --to, the config's forward.url and collect
// --listen share it.
func HostProblem(raw string, u *url.URL) string {
	if u.Hostname() != "" {
		return ""
	}
	addr := strings.TrimLeft(u.Opaque+u.Path, "/")
	if h, _, err := net.SplitHostPort(addr); err != nil || h == "" {
		addr = "127.0.0.1:514"
	}
	return fmt.Sprintf("%q has no host (e.g. %s://%s)", raw, u.Scheme, addr)
}

// URLHint returns ` (did you mean "x"?)` for a URL raw whose scheme is
// not one of schemes (lower case, as the command accepts them): a
// misspelt scheme ("tpc://h:514": "tcp://h:514"), or a host and port
// without a scheme ("h:514": "tcp://h:514", when schemes has tcp, the
// scheme rsyslog and syslog-ng listen on most). It is "" when raw's
// scheme is known or no guess is close. send --to, the config's
// forward.url and collect --listen share it.
func URLHint(raw string, schemes []string) string {
	if scheme, rest, ok := strings.Cut(raw, "://"); ok {
		if s := schemeTypo(strings.ToLower(scheme), schemes); s != "" {
			return fmt.Sprintf(" (did you mean %q?)", s+"://"+rest)
		}
		return ""
	}
	if u := schemeWithoutSlashes(raw, schemes); u != "" {
		return fmt.Sprintf(" (did you mean %q?)", u)
	}
	if !slices.Contains(schemes, "tcp") {
		return ""
	}
	if _, port, err := net.SplitHostPort(raw); err == nil && port != "" && forwarder.CheckPort(port) == nil {
		return fmt.Sprintf(" (did you mean %q?)", "tcp://"+raw)
	}
	return ""
}

// schemeWithoutSlashes returns raw written with "://" when it starts
// with a scheme of schemes (or a typo of one) followed by a wrong
// separator: "tcp//h:514", "tcp:/h:514", "tcp:h:514" give "tcp://h:514";
// "unix//run/x.sock" gives "unix:///run/x.sock". It is "" otherwise.
func schemeWithoutSlashes(raw string, schemes []string) string {
	i := strings.IndexAny(raw, ":/")
	if i <= 0 || strings.HasPrefix(raw[i:], "://") {
		return ""
	}
	scheme, rest := strings.ToLower(raw[:i]), strings.TrimLeft(raw[i:], ":/")
	if !slices.Contains(schemes, scheme) {
		scheme = schemeTypo(scheme, schemes)
	}
	if scheme == "" || rest == "" {
		return ""
	}
	if strings.HasPrefix(scheme, "unix") {
		return scheme + ":///" + rest
	}
	if _, _, err := net.SplitHostPort(rest); err != nil {
		return ""
	}
	return scheme + "://" + rest
}

// schemeTypo returns the scheme of schemes that scheme (lower case) is a
// likely typo of: one edit away ("relpp"), or the same letters swapped
// ("tpc"); "" when scheme is one of schemes. Two edits would take ftp and
// http to tcp.
func schemeTypo(scheme string, schemes []string) string {
	if slices.Contains(schemes, scheme) {
		return ""
	}
	sorted := func(s string) string {
		b := []byte(s)
		slices.Sort(b)
		return string(b)
	}
	for _, s := range schemes {
		if distance(s, scheme) <= 1 || sorted(s) == sorted(scheme) {
			return s
		}
	}
	return ""
}

// howSame says how path names the file of other, which has the same
// checkpoint key: written another way (a trailing or doubled slash, a
// ./, or relative to the working directory), or through a symbolic link
// to a directory.
func howSame(path, other string) string {
	if abs(path) == abs(other) {
		return "written another way"
	}
	return "through a symbolic link"
}

// abs is path made absolute and clean, or path cleaned when the working
// directory cannot be known.
func abs(path string) string {
	if a, err := filepath.Abs(path); err == nil {
		return a
	}
	return filepath.Clean(path)
}

// fileKey identifies the file at path, followed through symbolic links,
// by device and inode ("" when it cannot be examined, or the system has
// none): two paths with one key name one file.
func fileKey(path string) string {
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return ""
	}
	dev, ino := checkpoint.DevIno(fi)
	if dev == 0 && ino == 0 {
		return ""
	}
	return "file:" + strconv.FormatUint(dev, 10) + ":" + strconv.FormatUint(ino, 10)
}
