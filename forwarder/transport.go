package forwarder

// transport is the kind of connection a destination URL asks for.
type transport uint8

const (
	transportUDP        transport = iota // udp://: one message per datagram
	transportTCP                         // tcp://
	transportTLS                         // tls://: TCP with TLS (RFC 5425)
	transportUnixgram                    // unixgram://, unix://...?type=dgram
	transportUnixStream                  // unix://...?type=stream
	// transportUnixDetect is unix:// without a type: the socket is dialed
	// as a datagram socket first and as a stream socket if that fails, as
	// /dev/log may be either.
	transportUnixDetect
	transportRELP    // relp://: RELP over TCP
	transportRELPTLS // relp+tls://: RELP over TLS
)

// relp reports whether t speaks RELP.
func (t transport) relp() bool { return t == transportRELP || t == transportRELPTLS }

// network returns the net.Dial network of t; transportUnixDetect dials
// "unixgram" first.
func (t transport) network() string {
	switch t {
	case transportUDP:
		return "udp"
	case transportUnixgram, transportUnixDetect:
		return "unixgram"
	case transportUnixStream:
		return "unix"
	}
	return "tcp"
}
