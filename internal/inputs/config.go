package inputs

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
)

// Defaults for the zero values of Config.
const (
	// DefaultMaxMessageBytes bounds one message. A node agent's message
	// carries a GitLab line (up to the agent's max_line_bytes, 1 MiB by
	// default) and its parsed columns in STRUCTURED-DATA, so the bound
	// leaves room for both.
	DefaultMaxMessageBytes = 4 << 20
	// MinMaxMessageBytes is the smallest max_message_bytes accepted:
	// RFC 5424 §6.1 says receivers SHOULD accept messages of 2048 octets.
	MinMaxMessageBytes = 2048
	// DefaultMaxConnections bounds the connections open at once.
	DefaultMaxConnections = 1024
	// DefaultIdleTimeout closes a connection that sent nothing for this
	// long (and bounds the RELP open handshake).
	DefaultIdleTimeout = 5 * time.Minute
	// DefaultSpoolMaxBytes is the size at which a spool is rotated.
	DefaultSpoolMaxBytes = 64 << 20
	// OtherForward and OtherDrop are the values of Config.Other.
	OtherForward = "forward"
	OtherDrop    = "drop"
)

// Config configures one network input. The yaml tags are the keys of an
// entry of the agent configuration's inputs list; fields tagged "-" are
// set by the agent.
type Config struct {
	// Listen is the URL to listen on: tcp://host:port, tls://host:port,
	// relp://host:port or relp+tls://host:port. Port 0 picks a free port
	// (see Server.Addr). In the agent's configuration an empty Listen
	// turns the input off.
	Listen string `yaml:"listen"`
	// TLS names the server certificate for tls:// and relp+tls://, and
	// the CA that client certificates must chain to (mutual TLS).
	TLS TLSFiles `yaml:"tls"`
	// MaxMessageBytes bounds one message; a longer one is cut and counted.
	// Default DefaultMaxMessageBytes. In the file a byte size: 4MiB.
	MaxMessageBytes int `yaml:"max_message_bytes" config:"bytes"`
	// MaxConnections bounds the connections at once; further ones are
	// closed at once and counted. Default DefaultMaxConnections.
	MaxConnections int `yaml:"max_connections"`
	// IdleTimeout closes a connection that sent nothing for this long.
	// Default DefaultIdleTimeout.
	IdleTimeout time.Duration `yaml:"idle_timeout"`
	// Other says what happens to a syslog message whose APP-NAME is none
	// of gitlab-syslog's: "forward" (default) sends it on unchanged, "drop"
	// drops it; both are counted. Data that is not a syslog message (no
	// <PRI>, a NUL octet) is dropped either way, counted as malformed.
	Other string `yaml:"other"`
	// SpoolDir holds the spool files of the inputs. The agent sets it to
	// <state_dir>/inputs.
	SpoolDir string `yaml:"-"`
	// SpoolMaxBytes is the size at which the spool rotates. Default
	// DefaultSpoolMaxBytes.
	SpoolMaxBytes int64 `yaml:"-"`
	// Logger receives the input's logs. Default slog.Default().
	Logger *slog.Logger `yaml:"-"`
	// Where, when not nil, names where a key of this entry was set, for
	// the warnings the input logs: given a key of the entry ("listen") it
	// returns its place, such as "agent.yaml:7: inputs[0].listen" (the
	// agent's configuration file and line), logged as the attribute
	// "where", so that a warning names the line to fix as the check
	// command does. Nil logs the listen URL alone.
	Where func(key string) string `yaml:"-"`
}

// TLSFiles are the PEM files of a TLS listener.
type TLSFiles struct {
	CertFile string `yaml:"cert_file" config:"path"`
	KeyFile  string `yaml:"key_file" config:"path"`
	// ClientCAFile, when set, makes client certificates required and
	// verified against these CAs (mutual TLS).
	ClientCAFile string `yaml:"client_ca_file" config:"path"`
}

// Protocol is how an input frames and acknowledges messages.
type Protocol uint8

// The protocols.
const (
	TCP  Protocol = iota + 1 // octet counting or LF framing, no acknowledgement
	RELP                     // RELP transactions, each answered after the spool sync
)

// Scheme is the parsed Listen URL.
type Scheme struct {
	Protocol Protocol
	TLS      bool
	Addr     string // host:port
}

// ParseListen parses a Listen URL. Its errors name the URL and say what
// is accepted.
func ParseListen(s string) (Scheme, error) {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return Scheme{}, fmt.Errorf("inputs: listen %q: want tcp://host:port, tls://host:port, relp://host:port or relp+tls://host:port", s)
	}
	var sc Scheme
	switch u.Scheme {
	case "tcp":
		sc = Scheme{Protocol: TCP}
	case "tls":
		sc = Scheme{Protocol: TCP, TLS: true}
	case "relp":
		sc = Scheme{Protocol: RELP}
	case "relp+tls":
		sc = Scheme{Protocol: RELP, TLS: true}
	default:
		return Scheme{}, fmt.Errorf("inputs: listen %q: unknown scheme %q (want tcp, tls, relp or relp+tls)", s, u.Scheme)
	}
	if err := forwarder.CheckHostPort(u); err != nil {
		return Scheme{}, fmt.Errorf("inputs: listen %q: %w", s, err)
	}
	_, port, err := net.SplitHostPort(u.Host)
	if err != nil {
		return Scheme{}, fmt.Errorf("inputs: listen %q: %w (a port is required)", s, err)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return Scheme{}, fmt.Errorf("inputs: listen %q: port %q is not a number from 0 to 65535", s, port)
	}
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" {
		return Scheme{}, fmt.Errorf("inputs: listen %q: no path or query allowed", s)
	}
	sc.Addr = u.Host
	return sc, nil
}

// listenTLS reports, for a Listen that ParseListen refuses, whether its
// scheme is a TLS one, and whether its scheme is one of the four at all
// (known): a bad host or port leaves the scheme, and so the tls keys it
// needs, known.
func listenTLS(s string) (tls, known bool) {
	scheme, _, ok := strings.Cut(s, "://")
	if !ok {
		return false, false
	}
	switch strings.ToLower(scheme) { // as url.Parse reads it
	case "tcp", "relp":
		return false, true
	case "tls", "relp+tls":
		return true, true
	}
	return false, false
}

// KeyError is an error of Config.Check about one key of an inputs entry.
type KeyError struct {
	Key string // the key in the entry, e.g. "other", "tls.cert_file"
	Err error
}

// Error returns the cause's text.
func (e *KeyError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *KeyError) Unwrap() error { return e.Err }

func keyErr(key, format string, args ...any) error {
	return &KeyError{Key: key, Err: fmt.Errorf(format, args...)}
}

// Check reports every problem of c, each a *KeyError naming its key,
// joined (errors.Join) when there are several; nil when c is usable. A
// listen that does not parse hides none of the other keys' problems:
// only the tls keys, checked against its scheme, are left unchecked when
// even the scheme is not one of the four. It opens no file.
func (c *Config) Check() error {
	var errs []error
	sc, err := ParseListen(c.Listen)
	schemeKnown := err == nil
	if err != nil {
		errs = append(errs, &KeyError{Key: "listen", Err: err})
		sc.TLS, schemeKnown = listenTLS(c.Listen)
	}
	switch {
	case !schemeKnown: // which tls keys it needs depends on the scheme
	case sc.TLS && c.TLS.CertFile == "" && c.TLS.KeyFile == "":
		errs = append(errs, keyErr("tls.cert_file", "inputs: %s needs tls.cert_file and tls.key_file", c.Listen))
	case sc.TLS && c.TLS.CertFile == "": // at the key that is set
		errs = append(errs, keyErr("tls.key_file", "inputs: %s needs tls.cert_file too, the PEM certificate (chain) of key_file %s; give it, or remove key_file", c.Listen, c.TLS.KeyFile))
	case sc.TLS && c.TLS.KeyFile == "":
		errs = append(errs, keyErr("tls.cert_file", "inputs: %s needs tls.key_file too, the private key (PEM) of cert_file %s; give it, or remove cert_file", c.Listen, c.TLS.CertFile))
	case !sc.TLS && (c.TLS != TLSFiles{}):
		errs = append(errs, keyErr("tls", "inputs: %s is not a TLS listener but has tls files: use tls:// or relp+tls://", c.Listen))
	}
	switch {
	case c.MaxMessageBytes < 0:
		errs = append(errs, keyErr("max_message_bytes", "inputs: %s: max_message_bytes must not be negative", c.Listen))
	case c.MaxMessageBytes > 0 && c.MaxMessageBytes < MinMaxMessageBytes:
		errs = append(errs, keyErr("max_message_bytes", "inputs: %s: max_message_bytes is %d; want at least %d (RFC 5424 §6.1: receivers should accept 2048 octets; a node's message carries a GitLab line and its columns, 4MiB by default)",
			c.Listen, c.MaxMessageBytes, MinMaxMessageBytes))
	}
	if c.MaxConnections < 0 {
		errs = append(errs, keyErr("max_connections", "inputs: %s: max_connections must not be negative", c.Listen))
	}
	if c.IdleTimeout < 0 {
		errs = append(errs, keyErr("idle_timeout", "inputs: %s: idle_timeout must not be negative", c.Listen))
	}
	if c.Other != "" && c.Other != OtherForward && c.Other != OtherDrop {
		errs = append(errs, keyErr("other", "inputs: %s: other is %q, want forward or drop", c.Listen, c.Other))
	}
	return errors.Join(errs...)
}

// PlainWarning is what Listen (and Server.WarnPlain) logs, and the check
// command prints, for a plain listener on a non-loopback address.
const PlainWarning = "plain listener on a non-loopback address: messages travel in clear text and any host can send; use tls:// or relp+tls:// (with tls.client_ca_file for mutual TLS)"

// PlainExposed reports whether sc is a plain (not TLS) listener on an
// address other hosts can reach: all interfaces, or a host that is not a
// loopback IP address or "localhost". It does no name lookup.
func (sc Scheme) PlainExposed() bool {
	if sc.TLS {
		return false
	}
	host, _, _ := net.SplitHostPort(sc.Addr)
	if host == "localhost" {
		return false
	}
	ip := net.ParseIP(host)
	return ip == nil || !ip.IsLoopback()
}

// withDefaults returns c with the zero values replaced by the defaults.
func (c Config) withDefaults() Config {
	if c.MaxMessageBytes == 0 {
		c.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if c.MaxConnections == 0 {
		c.MaxConnections = DefaultMaxConnections
	}
	if c.IdleTimeout == 0 {
		c.IdleTimeout = DefaultIdleTimeout
	}
	if c.Other == "" {
		c.Other = OtherForward
	}
	if c.SpoolMaxBytes == 0 {
		c.SpoolMaxBytes = DefaultSpoolMaxBytes
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// SpoolName returns the spool file's name for the input: the scheme and
// address of Listen with every character other than letters, digits, '.'
// and '-' replaced by '_', e.g. relp_0.0.0.0_2514.log.
func (c *Config) SpoolName() string {
	s := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			return r
		}
		return '_'
	}, strings.Replace(c.Listen, "://", "_", 1))
	return s + ".log"
}

// SpoolPath returns the spool file the input appends to: SpoolName in
// SpoolDir.
func (c *Config) SpoolPath() string { return filepath.Join(c.SpoolDir, c.SpoolName()) }

// MaxSpoolLine returns the longest spool line the input writes: a message
// of MaxMessageBytes in the base64 form. The agent's tailer must accept
// lines this long.
func (c *Config) MaxSpoolLine() int {
	n := c.MaxMessageBytes
	if n == 0 {
		n = DefaultMaxMessageBytes
	}
	return 1 + (n+2)/3*4
}
