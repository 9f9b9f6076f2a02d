package inputs

import "sync/atomic"

// Stats are an input's counters since its start.
type Stats struct {
	Connections  uint64 // connections accepted
	Open         int64  // connections open now
	Refused      uint64 // connections closed at accept: max_connections reached
	Messages     uint64 // messages spooled
	Bytes        uint64 // octets of the messages spooled
	Truncated    uint64 // messages over max_message_bytes, cut
	Malformed    uint64 // connections ended by a malformed frame, and frames dropped as not syslog messages (no <PRI>, a NUL octet)
	TLSErrors    uint64 // connections whose TLS handshake failed
	Timeouts     uint64 // connections closed by idle_timeout before their RELP open handshake completed, or whose client did not read the responses in time
	IdleClosed   uint64 // established sessions closed by idle_timeout: sent nothing for that long (not an error)
	Protocol     uint64 // RELP protocol errors: a first command other than open, an unknown command
	SpoolErrors  uint64 // batches the spool could not write or sync (not acknowledged)
	AcceptErrors uint64 // temporary accept errors (out of file descriptors), each retried after a back-off
}

// counters is the atomic form of Stats.
type counters struct {
	connections, refused, messages, bytes, truncated, malformed    atomic.Uint64
	tlsErrors, timeouts, protocol, spoolErrors, acceptErrors, idle atomic.Uint64
	open                                                           atomic.Int64
}

func (c *counters) snapshot() Stats {
	return Stats{
		Connections:  c.connections.Load(),
		Open:         c.open.Load(),
		Refused:      c.refused.Load(),
		Messages:     c.messages.Load(),
		Bytes:        c.bytes.Load(),
		Truncated:    c.truncated.Load(),
		Malformed:    c.malformed.Load(),
		TLSErrors:    c.tlsErrors.Load(),
		Timeouts:     c.timeouts.Load(),
		IdleClosed:   c.idle.Load(),
		Protocol:     c.protocol.Load(),
		SpoolErrors:  c.spoolErrors.Load(),
		AcceptErrors: c.acceptErrors.Load(),
	}
}
