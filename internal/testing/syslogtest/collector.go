// Package syslogtest provides a TCP syslog collector for tests: it accepts
// RFC 6587 octet-counted frames (and newline-framed messages), hands every
// message to a callback, and can be stopped and started again on the same
// address to play a collector outage.
package syslogtest

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/collect"
)

// Collector is a TCP syslog receiver. Create it with Listen.
type Collector struct {
	addr   string
	handle func(msg []byte)

	mu    sync.Mutex // serialises handle and guards ln and conns
	ln    net.Listener
	conns map[*net.TCPConn]struct{}
	wg    sync.WaitGroup

	messages atomic.Int64
	accepted atomic.Int64
	timeouts atomic.Int64 // connections a Stop closed at its deadline
}

// Listen starts a collector on addr ("127.0.0.1:0" picks a port). handle is
// called for every message, one call at a time; msg is only valid during the
// call.
func Listen(addr string, handle func(msg []byte)) (*Collector, error) {
	c := &Collector{addr: addr, handle: handle, conns: map[*net.TCPConn]struct{}{}}
	if err := c.Start(); err != nil {
		return nil, err
	}
	return c, nil
}

// Addr returns host:port.
func (c *Collector) Addr() string { return c.addr }

// Messages returns the number of messages received so far.
func (c *Collector) Messages() int64 { return c.messages.Load() }

// DrainTimeouts returns the number of connections Stop had to close at its
// deadline because the sender did not close its side after the half-close.
func (c *Collector) DrainTimeouts() int64 { return c.timeouts.Load() }

// Connections returns the number of connections accepted so far.
func (c *Collector) Connections() int64 { return c.accepted.Load() }

// Start listens again on the collector's address after Stop or Kill. It
// retries for a few seconds while the port is still held by the kernel.
func (c *Collector) Start() error {
	var ln net.Listener
	var err error
	for i := 0; i < 100; i++ {
		if ln, err = net.Listen("tcp", c.addr); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		return fmt.Errorf("syslogtest: listen on %s: %w", c.addr, err)
	}
	c.mu.Lock()
	c.ln = ln
	c.addr = ln.Addr().String()
	c.mu.Unlock()
	c.wg.Add(1)
	go c.accept(ln)
	return nil
}

func (c *Collector) accept(ln net.Listener) {
	defer c.wg.Done()
	for {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		tc := conn.(*net.TCPConn)
		c.mu.Lock()
		c.conns[tc] = struct{}{}
		c.mu.Unlock()
		c.accepted.Add(1)
		c.wg.Add(1)
		go c.serve(tc)
	}
}

// serve reads frames until EOF or an error.
func (c *Collector) serve(conn *net.TCPConn) {
	defer c.wg.Done()
	defer func() {
		conn.Close()
		c.mu.Lock()
		delete(c.conns, conn)
		c.mu.Unlock()
	}()
	// Frames longer than 16 MiB, or malformed, end the connection.
	err := collect.ReadFrames(bufio.NewReaderSize(conn, 256<<10), 1<<24, c.deliver)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		c.timeouts.Add(1)
	}
}

func (c *Collector) deliver(msg []byte) {
	c.mu.Lock()
	if c.handle != nil {
		c.handle(msg)
	}
	c.mu.Unlock()
	c.messages.Add(1)
}

// Stop shuts the collector down gracefully, the way a receiver should: it
// stops accepting, half-closes every connection (the sender sees EOF and
// stops writing to it), reads what the sender wrote until the sender closes
// its side (or drainTimeout passes), and only then closes. Nothing written
// before the sender noticed is lost.
func (c *Collector) Stop(drainTimeout time.Duration) {
	c.mu.Lock()
	ln := c.ln
	c.ln = nil
	conns := make([]*net.TCPConn, 0, len(c.conns))
	for conn := range c.conns {
		conns = append(conns, conn)
	}
	c.mu.Unlock()
	if ln != nil {
		ln.Close()
	}
	for _, conn := range conns {
		conn.CloseWrite()
		conn.SetReadDeadline(time.Now().Add(drainTimeout))
	}
	c.wg.Wait()
}

// Kill closes the listener and every connection at once, like a crashing
// receiver: what sits unread in the socket buffers is lost.
func (c *Collector) Kill() {
	c.mu.Lock()
	ln := c.ln
	c.ln = nil
	for conn := range c.conns {
		conn.SetLinger(0)
		conn.Close()
	}
	c.mu.Unlock()
	if ln != nil {
		ln.Close()
	}
	c.wg.Wait()
}

// Close stops the collector for good (gracefully, 2 s drain).
func (c *Collector) Close() { c.Stop(2 * time.Second) }
