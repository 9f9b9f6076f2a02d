package forwarder

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Defaults for the zero fields of Config.
const (
	DefaultMaxDatagram = 8192
	// DefaultMaxStreamMessage is the default Config.MaxStreamMessage: 4
	// MiB, the message size the example collector configurations accept
	// (rsyslog's maxMessageSize="4m", syslog-ng's log-msg-size).
	DefaultMaxStreamMessage = 4 << 20
	DefaultQueueSize        = 64
	DefaultFlushInterval    = 0 // write as soon as no other batch is queued
	DefaultBufferSize       = 256 << 10
	DefaultDialTimeout      = 10 * time.Second
	DefaultWriteTimeout     = time.Minute
	DefaultMinBackoff       = 100 * time.Millisecond
	DefaultMaxBackoff       = 30 * time.Second
	// DefaultRELPWindow is the number of RELP transactions that may be
	// unanswered at a time, librelp's default (rsyslog's omrelp
	// windowSize).
	DefaultRELPWindow = 128
)

// TLSConfig configures tls:// and relp+tls:// destinations. The server certificate is
// verified against CAFile, or the system roots when CAFile is empty. The
// yaml tags are the keys of the agent configuration's forward.tls block.
type TLSConfig struct {
	// CAFile is a PEM bundle of the CAs to trust; "" uses the system roots.
	CAFile string `yaml:"ca_file" config:"path"`
	// CertFile is the client certificate (PEM) for mutual TLS.
	CertFile string `yaml:"cert_file" config:"path"`
	// KeyFile is the client key (PEM) for mutual TLS.
	KeyFile string `yaml:"key_file" config:"path"`
	// ServerName is the name to verify in the server certificate; "" uses
	// the host of the URL.
	ServerName string `yaml:"server_name"`
	// InsecureSkipVerify disables server certificate verification. Use it
	// only for tests.
	InsecureSkipVerify bool `yaml:"insecure_skip_verify"`
}

// Config configures a Forwarder. Only URL is required; zero values of the
// rest take the defaults above. The yaml tags are the keys of the agent
// configuration's forward block (internal/config decodes that block into
// a Config); fields tagged "-" are not configurable there.
type Config struct {
	// URL is the destination:
	//
	//	udp://host:port             one message per datagram (port 514 if omitted)
	//	tcp://host:port             RFC 6587 octet counting (port 514 if omitted)
	//	tcp://host:port?framing=lf  newline framing, for receivers without octet counting
	//	tls://host:port             RFC 5425: TLS 1.2+ and octet counting (port 6514 if omitted)
	//	unix:///dev/log             datagram socket, or stream if it is one
	//	unix:///path?type=stream    force a stream socket (newline framing; ?framing=octet)
	//	relp://host:port            RELP: every message acknowledged by the receiver (no default port)
	//	relp+tls://host:port        RELP over TLS, as rsyslog's imrelp with tls="on"
	URL string `yaml:"url"`
	// TLS configures tls:// and relp+tls:// URLs.
	TLS TLSConfig `yaml:"tls"`
	// RELPWindow is the number of RELP transactions (messages) that may be
	// sent and not yet answered by the receiver. Default DefaultRELPWindow,
	// rsyslog's omrelp windowSize.
	RELPWindow int `yaml:"relp_window"`
	// MaxDatagram is the largest datagram sent to udp:// and datagram
	// unix:// destinations; longer messages are truncated (and counted). The
	// default, 8192, matches rsyslog's default maximum message size. In the
	// agent's configuration it is max_message_bytes, a byte size: 8192, 8KiB.
	MaxDatagram int `yaml:"max_message_bytes" config:"bytes"`
	// MaxStreamMessage is the longest message (framing left out) sent
	// whole to the stream destinations (tcp://, tls://, relp://,
	// relp+tls://, stream unix://), which cut nothing themselves, while a
	// collector cuts or refuses what is over its own limit (and may lose
	// the messages after it). It is what MaxMessageBytes returns for them:
	// the agent writes a longer log line's message without
	// STRUCTURED-DATA (Encoder.MaxMessageBytes) and shortens a longer
	// alert. Default DefaultMaxStreamMessage. In the agent's
	// configuration it is max_stream_message_bytes, a byte size: 4MiB.
	MaxStreamMessage int `yaml:"max_stream_message_bytes" config:"bytes"`
	// QueueSize is the number of batches Send can queue before it blocks.
	// Default DefaultQueueSize.
	QueueSize int `yaml:"queue_size"`
	// FlushInterval is how long the writer may hold batches, waiting for
	// more to write them together, while less than BufferSize bytes are
	// pending. The default, 0, writes as soon as no other batch is queued:
	// batches still coalesce under load (everything queued goes out in one
	// write), and a sender that waits for its acks is never stalled.
	FlushInterval time.Duration `yaml:"-"`
	// BufferSize is the number of pending bytes that are written at once,
	// whatever FlushInterval says.
	BufferSize int `yaml:"-"`
	// DialTimeout bounds one connection attempt.
	DialTimeout time.Duration `yaml:"-"`
	// WriteTimeout bounds one write, and how long a receiver may
	// acknowledge nothing while data is outstanding (TCP and TLS on Linux,
	// RELP); a stalled connection is then replaced and the unacknowledged
	// data sent again.
	WriteTimeout time.Duration `yaml:"-"`
	// MaxAttempts is the number of consecutive failed connection attempts
	// after which the Forwarder gives up and fails every queued and later
	// batch. 0 means never give up, which is what a daemon wants; a one-shot
	// command sets a small number.
	MaxAttempts int `yaml:"-"`
	// MinBackoff and MaxBackoff bound the exponential backoff between
	// connection attempts: after the n-th consecutive failure the writer
	// waits between d/2 and d, d = min(MaxBackoff, MinBackoff·2^(n-1))
	// ("equal jitter"), so with the defaults 50-100 ms, 100-200 ms, ...,
	// and 15-30 s once the cap is reached.
	MinBackoff, MaxBackoff time.Duration `yaml:"-"`
	// Encoder, when set, is the encoder the caller fills batches with; its
	// counters are included in Stats.
	Encoder *Encoder `yaml:"-"`
	// ackOnWrite turns the TCP acknowledgement tracking off, so that tests
	// can measure what it saves.
	ackOnWrite bool
	// Logger receives reconnect warnings; nil discards them.
	Logger *slog.Logger `yaml:"-"`
}

type framing uint8

const (
	framingOctet    framing = iota // MSG-LEN SP SYSLOG-MSG
	framingLF                      // SYSLOG-MSG LF
	framingDatagram                // one message per datagram
)

// endpoint is a parsed destination URL.
type endpoint struct {
	raw     string
	kind    transport
	addr    string
	tls     *tls.Config
	framing framing
	// framingSet records an explicit ?framing= for unix stream detection.
	framingSet bool
}

func (c *Config) withDefaults() Config {
	d := *c
	if d.MaxDatagram <= 0 {
		d.MaxDatagram = DefaultMaxDatagram
	}
	if d.MaxStreamMessage <= 0 {
		d.MaxStreamMessage = DefaultMaxStreamMessage
	}
	if d.QueueSize <= 0 {
		d.QueueSize = DefaultQueueSize
	}
	if d.FlushInterval < 0 {
		d.FlushInterval = DefaultFlushInterval
	}
	if d.BufferSize <= 0 {
		d.BufferSize = DefaultBufferSize
	}
	if d.DialTimeout <= 0 {
		d.DialTimeout = DefaultDialTimeout
	}
	if d.WriteTimeout <= 0 {
		d.WriteTimeout = DefaultWriteTimeout
	}
	if d.MinBackoff <= 0 {
		d.MinBackoff = DefaultMinBackoff
	}
	if d.MaxBackoff <= 0 {
		d.MaxBackoff = DefaultMaxBackoff
	}
	if d.RELPWindow <= 0 {
		d.RELPWindow = DefaultRELPWindow
	}
	if d.MaxBackoff < d.MinBackoff {
		d.MaxBackoff = d.MinBackoff
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	return d
}

// parseEndpoint validates the URL and loads TLS material.
func parseEndpoint(c *Config) (*endpoint, error) {
	u, err := url.Parse(c.URL)
	if err != nil {
		return nil, fmt.Errorf("forwarder: destination URL %q: %w", c.URL, err)
	}
	ep := &endpoint{raw: c.URL}
	q := u.Query()
	if err := CheckURLOptions(u); err != nil {
		return nil, fmt.Errorf("forwarder: destination %s: %w", c.URL, err)
	}
	switch f := strings.ToLower(q.Get("framing")); f { // any case, as the config's enumerations
	case "":
	case "octet", "octet-counting":
		ep.framing, ep.framingSet = framingOctet, true
	case "lf", "newline", "non-transparent":
		ep.framing, ep.framingSet = framingLF, true
	default:
		return nil, fmt.Errorf("forwarder: destination %s: unknown framing %q (want octet or lf)", c.URL, f)
	}
	hostPort := func(def string) (string, error) {
		if u.Hostname() == "" {
			return "", fmt.Errorf("forwarder: destination %s: missing host (want %s://host:port)", c.URL, u.Scheme)
		}
		if err := CheckHostPort(u); err != nil {
			return "", fmt.Errorf("forwarder: destination %s: %w", c.URL, err)
		}
		if u.Port() == "" && !strings.HasSuffix(u.Host, ":") {
			return net.JoinHostPort(u.Hostname(), def), nil
		}
		if err := CheckPort(u.Port()); err != nil {
			return "", fmt.Errorf("forwarder: destination %s: %w", c.URL, err)
		}
		return u.Host, nil
	}
	switch u.Scheme {
	case "udp":
		ep.kind = transportUDP
		ep.framing = framingDatagram
		if ep.addr, err = hostPort(DefaultPort(u.Scheme)); err != nil {
			return nil, err
		}
	case "tcp":
		ep.kind = transportTCP
		if ep.addr, err = hostPort(DefaultPort(u.Scheme)); err != nil {
			return nil, err
		}
	case "tls":
		ep.kind = transportTLS
		if ep.addr, err = hostPort(DefaultPort(u.Scheme)); err != nil {
			return nil, err
		}
		if ep.tls, err = clientTLS(&c.TLS, u.Hostname()); err != nil {
			return nil, fmt.Errorf("forwarder: destination %s: %w", c.URL, err)
		}
	case "relp", "relp+tls":
		ep.kind = transportRELP
		if u.Port() == "" {
			return nil, fmt.Errorf("forwarder: destination %s: missing port (RELP has no standard port; rsyslog's imrelp examples use 2514)", c.URL)
		}
		if ep.addr, err = hostPort(""); err != nil {
			return nil, err
		}
		if u.Scheme == "relp+tls" {
			ep.kind = transportRELPTLS
			if ep.tls, err = clientTLS(&c.TLS, u.Hostname()); err != nil {
				return nil, fmt.Errorf("forwarder: destination %s: %w", c.URL, err)
			}
		}
	case "unix", "unixgram":
		ep.addr = u.Path
		if ep.addr == "" {
			ep.addr = u.Opaque
		}
		if ep.addr == "" {
			return nil, fmt.Errorf("forwarder: destination %s: missing socket path (want unix:///dev/log)", c.URL)
		}
		switch t := strings.ToLower(q.Get("type")); {
		case u.Scheme == "unixgram" || t == "dgram" || t == "datagram":
			ep.kind = transportUnixgram
			ep.framing = framingDatagram
		case t == "stream":
			ep.kind = transportUnixStream
			if !ep.framingSet {
				ep.framing = framingLF
			}
		case t == "":
			ep.kind = transportUnixDetect
		default:
			return nil, fmt.Errorf("forwarder: destination %s: unknown socket type %q (want dgram or stream)", c.URL, t)
		}
	default:
		return nil, fmt.Errorf("forwarder: destination %q: unknown scheme %q (want %s)", c.URL, u.Scheme, SchemeList(Schemes()))
	}
	return ep, nil
}

// Schemes returns the URL schemes a Forwarder sends to, in the order the
// documentation lists them: udp, tcp, tls, unix, unixgram, relp and
// relp+tls.
func Schemes() []string {
	return []string{"udp", "tcp", "tls", "unix", "unixgram", "relp", "relp+tls"}
}

// DefaultPort returns the port a destination URL of scheme dials when it
// gives none: 514 for udp and tcp (syslog's), 6514 for tls (syslog over
// TLS, RFC 5425), and "" for the schemes that have none (relp and
// relp+tls require one; unix and unixgram take a socket path).
func DefaultPort(scheme string) string {
	switch scheme {
	case "udp", "tcp":
		return "514"
	case "tls":
		return "6514"
	}
	return ""
}

// SchemeList formats schemes for a message: "udp://, tcp:// or tls://".
func SchemeList(schemes []string) string {
	var b strings.Builder
	for i, s := range schemes {
		switch {
		case i == 0:
		case i == len(schemes)-1:
			b.WriteString(" or ")
		default:
			b.WriteString(", ")
		}
		b.WriteString(s + "://")
	}
	return b.String()
}

// CheckPort returns an error unless port is a decimal number from 1 to
// 65535.
func CheckPort(port string) error {
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 || port[0] == '+' {
		return fmt.Errorf("port %q is not a number from 1 to 65535", port)
	}
	return nil
}

// CheckHostPort returns an error when the host part of the URL u (a
// udp, tcp, tls, relp or relp+tls destination, or a listen URL) has a
// colon but does not split into a host and a port as net.Dial needs it:
// more colons than one ("127.0.0.1:5591:9"), or an IPv6 address not in
// brackets ("::1:514"), which url.Parse accepts. The error does not name
// the URL; it says what to write.
func CheckHostPort(u *url.URL) error {
	h := u.Host
	if !strings.Contains(h, ":") || strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]") {
		return nil // no port, or an IPv6 address in brackets without one
	}
	_, _, err := net.SplitHostPort(h)
	if err == nil {
		return nil
	}
	cause := err.Error()
	if ae, ok := err.(*net.AddrError); ok {
		cause = ae.Err
	}
	port := "514"
	if strings.HasPrefix(u.Scheme, "relp") {
		port = "2514"
	}
	return fmt.Errorf("%q is not host:port (%s): write one host and one port, e.g. %s://127.0.0.1:%s; an IPv6 address goes in brackets, e.g. %s://[::1]:%s",
		h, cause, u.Scheme, port, u.Scheme, port)
}

// CheckURLOptions returns an error for a query option of the destination
// URL u that its scheme does not take, or a value it does not know, so
// that a mistyped option (?frameing=lf) is an error instead of being
// ignored: framing (octet or lf) for tcp, tls and unix, type (dgram or
// stream) for unix. The error does not name the URL.
func CheckURLOptions(u *url.URL) error {
	for k, vs := range u.Query() {
		v := strings.ToLower(vs[len(vs)-1]) // any case, as the config's enumerations
		switch {
		case k == "framing" && (u.Scheme == "tcp" || u.Scheme == "tls" || u.Scheme == "unix"):
			switch v {
			case "octet", "octet-counting", "lf", "newline", "non-transparent":
			default:
				return fmt.Errorf("unknown framing %q (want octet or lf)", vs[len(vs)-1])
			}
		case k == "type" && u.Scheme == "unix":
			switch v {
			case "", "dgram", "datagram", "stream":
			default:
				return fmt.Errorf("unknown socket type %q (want dgram or stream)", vs[len(vs)-1])
			}
		default:
			return fmt.Errorf("unknown option %q (tcp:// and tls:// take ?framing=octet or lf; unix:// takes ?type=dgram or stream and ?framing=; other schemes take none)", k)
		}
	}
	return nil
}

// clientTLS builds the TLS client configuration.
func clientTLS(c *TLSConfig, host string) (*tls.Config, error) {
	tc := &tls.Config{
		MinVersion:         tls.VersionTLS12,
		ServerName:         c.ServerName,
		InsecureSkipVerify: c.InsecureSkipVerify, //nolint:gosec // opt-in, documented as test-only
	}
	if tc.ServerName == "" {
		tc.ServerName = host
	}
	if c.CAFile != "" {
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			return nil, fmt.Errorf("read CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("CA file %s: no PEM certificate found", c.CAFile)
		}
		tc.RootCAs = pool
	}
	if c.CertFile != "" || c.KeyFile != "" {
		if c.CertFile == "" || c.KeyFile == "" {
			return nil, fmt.Errorf("client certificate needs both a cert file and a key file (got cert %q, key %q)", c.CertFile, c.KeyFile)
		}
		cert, err := tls.LoadX509KeyPair(c.CertFile, c.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("load client certificate: %w", err)
		}
		// Sent whatever CAs the collector names in its request, as
		// OpenSSL clients do: crypto/tls would send none when its issuer
		// is not among them, and the collector would report a missing
		// certificate instead of an untrusted one.
		tc.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &cert, nil }
	}
	return tc, nil
}
