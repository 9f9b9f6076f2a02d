package forwarder

import "net"

// countingConn is the TCP connection under a TLS connection. It counts the
// bytes written to it, TLS records and handshake included, so that the end
// of a batch can be located in the TCP stream whose unacknowledged bytes
// the kernel reports.
type countingConn struct {
	*net.TCPConn
	n uint64 // bytes written; only the writer goroutine writes
}

func (c *countingConn) Write(p []byte) (int, error) {
	n, err := c.TCPConn.Write(p)
	c.n += uint64(n)
	return n, err
}
