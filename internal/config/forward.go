package config

import (
	"strings"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
)

// StdoutURL is the destination that prints each message on a line of its
// own instead of sending it.
const StdoutURL = "stdout://"

// Schemes returns every destination URL scheme, in the order the
// documentation lists them: the forwarder's (udp, tcp, tls, unix,
// unixgram, relp, relp+tls) and stdout. Validation, the --to flag and its help text all
// take their list from here.
func Schemes() []string { return append(forwarder.Schemes(), "stdout") }

// IsStdout reports whether url means printing the messages: stdout://,
// stdout (in any case, as the other schemes) or -.
func IsStdout(url string) bool {
	return strings.EqualFold(url, StdoutURL) || strings.EqualFold(url, "stdout") || url == "-"
}

// Encoder returns a new encoder for f: its SD-ID, format and whether
// STRUCTURED-DATA is sent. The detection alerts are encoded with it: they
// are fit to the destination's limit as alerts (their JSON kept valid).
func (f *Forward) Encoder() *forwarder.Encoder {
	e := &forwarder.Encoder{SDID: f.SDID, NoSD: !f.SendStructuredData()}
	if f.Format == "rfc3164" {
		e.Format = forwarder.RFC3164
	}
	return e
}

// LineEncoder returns Encoder for the log lines sent to f: for a stream
// destination (Stream), one that keeps their messages within StreamLimit
// (forwarder.Encoder.MaxMessageBytes). A datagram destination's forwarder
// keeps to max_message_bytes itself; standard output has no limit.
func (f *Forward) LineEncoder() *forwarder.Encoder {
	e := f.Encoder()
	if f.Stream() {
		e.MaxMessageBytes = f.StreamLimit()
	}
	return e
}

// SetByFlag records that the value at key path (e.g. "start_at",
// "forward.url") was given by the command-line flag (e.g. "--start-at"),
// so that Validate names the flag instead of the key.
func (c *Config) SetByFlag(key, flag string) {
	if c.flags == nil {
		c.flags = map[string]string{}
	}
	c.flags[key] = flag
}

// Stream reports whether f's destination is a stream, whose collector
// takes a message whole up to its own limit (StreamLimit): tcp://, tls://,
// relp://, relp+tls://, or unix:// with ?type=stream.
func (f *Forward) Stream() bool {
	scheme, rest, _ := strings.Cut(strings.ToLower(f.URL), "://")
	switch scheme {
	case "tcp", "tls", "relp", "relp+tls":
		return true
	case "unix":
		return strings.Contains(rest, "type=stream")
	}
	return false
}

// StreamLimit returns max_stream_message_bytes, or its default when 0.
func (f *Forward) StreamLimit() int {
	if f.MaxStreamMessage > 0 {
		return f.MaxStreamMessage
	}
	return forwarder.DefaultMaxStreamMessage
}
