package forwarder

import "sync/atomic"

// counters are the writer's counters, read by Forwarder.Stats from any
// goroutine. Only dropped is also added to outside the writer: by Send,
// for batches it refuses.
type counters struct {
	messages, bytes, batches, reconnects atomic.Uint64
	resent, truncated, escaped, dropped  atomic.Uint64
	connected                            atomic.Bool // the writer holds a connection
}

// stats returns the counters as Stats, without QueueDepth and
// EncoderStats.
func (c *counters) stats() Stats {
	return Stats{
		Messages:   c.messages.Load(),
		Batches:    c.batches.Load(),
		Bytes:      c.bytes.Load(),
		Reconnects: c.reconnects.Load(),
		Resent:     c.resent.Load(),
		Truncated:  c.truncated.Load(),
		Escaped:    c.escaped.Load(),
		Dropped:    c.dropped.Load(),
		Connected:  c.connected.Load(),
	}
}
