// Package collect is a small syslog receiver for the collect command and
// for tests. It listens on a udp://, tcp://, tls:// or unix:// URL, splits
// stream connections into frames itself (RFC 6587 octet counting or
// newline framing, detected per frame from its first byte, with no size
// limit below Config.MaxFrame), and parses each message with the
// go-syslog v3 RFC 5424 parser, falling back to its RFC 3164 parser.
//
// It does not use go-syslog's stream parsers: the v3 octet-counting parser
// stops at frames over about 8 KiB, and the frames this project must carry
// can be much longer.
package collect
