package forwarder

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// ErrClosed is returned by Send after Close was called.
var ErrClosed = errors.New("forwarder: closed")

// ErrNeverReached is wrapped by the error Close returns when the
// Forwarder was waiting to reconnect, the destination was never reached
// since New (see ErrUnreachableAtClose for one that was), and nothing was
// queued or unwritten when Close was called: no message was lost. The
// error it is wrapped in names the destination and the last connection
// error.
var ErrNeverReached = errors.New("destination never reached; nothing was pending")

// ErrUnreachableAtClose is wrapped by the error Close returns when the
// Forwarder was waiting to reconnect to a destination it had reached
// since New (a connection was made: for udp://, whose connect proves
// nothing, a datagram got through), and nothing was queued or unwritten
// when Close was called: no message was lost. The error it is wrapped in
// names the destination, the messages delivered since New
// (Stats.Messages) and the last connection error.
var ErrUnreachableAtClose = errors.New("destination not reachable at close; nothing was pending")

// Forwarder sends batches of encoded messages to one destination. It owns
// one writer goroutine and one connection; Send queues batches for it on a
// bounded queue. Create one with New and stop it with Close.
type Forwarder struct {
	cfg Config
	ep  *endpoint

	queue   chan *item
	closing chan struct{} // closed by Close: Send stops accepting
	stop    chan struct{} // closed once no Send is in flight: the writer drains and exits
	dead    chan struct{} // closed when the writer gave up
	done    chan struct{} // closed when the writer exited
	dialed  chan struct{} // closed after the first connection attempt
	dialErr error         // result of the first attempt, set before dialed is closed

	ctx    context.Context
	cancel context.CancelFunc

	mu        sync.RWMutex // Send holds it shared while enqueueing; Close exclusively
	closeOnce sync.Once
	errMu     sync.Mutex
	err       error // why the writer gave up

	// lastErr is the error of the latest failed connection attempt or
	// write, until a batch is delivered (nil).
	lastErr atomic.Pointer[error]

	// maxMsg is MaxMessageBytes: cfg.MaxDatagram while the destination
	// is, or may be, a datagram socket; cfg.MaxStreamMessage for a stream.
	maxMsg atomic.Int64

	w *writer // owns the counters that Stats reads
}

// item is a queued batch.
type item struct {
	b       *Batch
	ack     func(error)
	written bool // some of its bytes were passed to a write
	next    int  // datagram transports: index of the next message to send; streams: messages delivered on an earlier connection (skip)
	// skip is, over plain TCP, the bytes of b's first frames the peer's
	// TCP acknowledged on a connection that then failed: they are not
	// written again (see writer.skipAcked).
	skip int
	// RELP: messages sent in the current session, and messages answered
	// in order (done <= sent).
	sent, done int
}

// Stats are a Forwarder's counters.
type Stats struct {
	// Messages counts messages delivered: a stream batch's once the whole
	// batch was acknowledged (see Send), a datagram as soon as it was
	// sent. Batches counts batches acknowledged without error. Every
	// message given to Send ends up in Messages or in Dropped, never both.
	Messages, Batches uint64
	// Bytes counts bytes written to the transport, framing and resends
	// included.
	Bytes uint64
	// Reconnects counts connections re-established after a failure, to a
	// destination reached before (a first connection after failed attempts
	// at start is none).
	Reconnects uint64
	// Resent counts messages written again after a reconnect because their
	// batch was not acknowledged yet. The receiver may see them twice.
	Resent uint64
	// Truncated counts messages written cut to Config.MaxDatagram for a
	// datagram transport, once each however often the write was tried.
	Truncated uint64
	// Escaped counts messages whose line breaks (LF and CR bytes) were
	// replaced by spaces because newline framing cannot carry them (OneLine).
	Escaped uint64
	// Dropped counts messages that will not be sent: Send gave up because
	// its context ended or the Forwarder was closed or failed, or the
	// Forwarder failed (Config.MaxAttempts) or was closed with an expired
	// context while they were queued. Their acks received the error.
	Dropped uint64
	// QueueDepth is the number of batches waiting in the queue.
	QueueDepth int
	// Connected reports whether the writer holds a connection to the
	// destination: false from the failed write, read or acknowledgement
	// check that lost it (a receiver that closed an idle connection is
	// noticed at the next write) and during the reconnect backoff, until
	// a new connection is made; false after the Forwarder gave up.
	Connected bool
	// EncoderStats are the counters of Config.Encoder, if set.
	EncoderStats
}

// New checks cfg, loads TLS material and starts the writer goroutine, which
// connects at once and reconnects whenever the connection fails. New does
// not wait for the connection; use Connect for that.
func New(cfg Config) (*Forwarder, error) {
	if cfg.URL == "" {
		return nil, errors.New("forwarder: no destination URL")
	}
	c := cfg.withDefaults()
	ep, err := parseEndpoint(&c)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	f := &Forwarder{
		cfg:     c,
		ep:      ep,
		queue:   make(chan *item, c.QueueSize),
		closing: make(chan struct{}),
		stop:    make(chan struct{}),
		dead:    make(chan struct{}),
		done:    make(chan struct{}),
		dialed:  make(chan struct{}),
		ctx:     ctx,
		cancel:  cancel,
	}
	if ep.framing == framingDatagram || ep.kind == transportUnixDetect {
		f.maxMsg.Store(int64(c.MaxDatagram))
	} else {
		f.maxMsg.Store(int64(c.MaxStreamMessage))
	}
	f.w = newWriter(f)
	go f.w.run()
	return f, nil
}

// MaxMessageBytes returns the size in bytes of the longest message the
// destination takes whole, framing left out: Config.MaxDatagram (its
// default when unset) for a datagram destination (udp://, unixgram://,
// unix:// with type=dgram), which cuts a longer message to that size and
// counts it in Stats.Truncated; Config.MaxStreamMessage (its default when
// unset) for the stream destinations (tcp://, tls://, relp://,
// relp+tls://, unix:// with type=stream), which cut nothing, but whose
// collector cuts or refuses a longer message. A unix:// destination
// without a type counts as a datagram socket until a connection finds it
// is a stream socket. A caller that can shorten a message better than a
// cut does (keeping it well formed) compares the encoded size
// (Batch.Message) with it. Safe to call from any goroutine.
func (f *Forwarder) MaxMessageBytes() int { return int(f.maxMsg.Load()) }

// URL returns the destination.
func (f *Forwarder) URL() string { return f.ep.raw }

// Connect waits for the first connection attempt and returns its error. A
// command that must fail fast when the destination is down calls it right
// after New; a daemon may ignore it, since the Forwarder keeps retrying.
func (f *Forwarder) Connect(ctx context.Context) error {
	select {
	case <-f.dialed:
		return f.dialErr
	case <-ctx.Done():
		return fmt.Errorf("forwarder: connect to %s: %w", f.ep.raw, ctx.Err())
	}
}

// Send queues b. It blocks while the queue is full (backpressure) until ctx
// ends. Once Send returned nil, ack runs exactly once on the writer
// goroutine: with nil once every message of b was delivered (TCP and TLS
// on Linux: acknowledged by the receiver's TCP; otherwise written to the
// transport; see the package documentation), or with an error when the Forwarder gave up or was closed with
// an expired context. ack must not block; it may be nil. The caller must
// not touch b until ack has run. When Send returns an error, b was not
// taken and ack is not called. A batch of no message is acknowledged at
// once, with nil, on the caller's goroutine: before the batches sent
// earlier may be.
func (f *Forwarder) Send(ctx context.Context, b *Batch, ack func(error)) error {
	n := uint64(b.Len())
	if n == 0 {
		if ack != nil {
			ack(nil)
		}
		return nil
	}
	f.mu.RLock()
	defer f.mu.RUnlock()
	select {
	case <-f.closing:
		f.w.n.dropped.Add(n)
		return ErrClosed
	default:
	}
	select {
	case <-f.dead:
		f.w.n.dropped.Add(n)
		return f.failure()
	default:
	}
	it := &item{b: b, ack: ack}
	select {
	case f.queue <- it:
		return nil
	case <-ctx.Done():
		f.w.n.dropped.Add(n)
		return fmt.Errorf("forwarder: send to %s: %w", f.ep.raw, ctx.Err())
	case <-f.closing:
		f.w.n.dropped.Add(n)
		return ErrClosed
	case <-f.dead:
		f.w.n.dropped.Add(n)
		return f.failure()
	}
}

// Close stops accepting batches, writes and flushes everything queued and
// closes the connection. If ctx ends first, Close abandons what is left
// (acking it with an error and counting it in Stats.Dropped) and returns
// an error wrapping ctx's that says those messages were not sent. Close
// returns the error that made the Forwarder give up, if any. Called while
// the writer waits to reconnect with nothing queued or unwritten, Close
// returns at once an error wrapping ErrNeverReached, or
// ErrUnreachableAtClose when the destination was reached since New: no
// message was lost.
func (f *Forwarder) Close(ctx context.Context) error {
	f.closeOnce.Do(func() {
		close(f.closing)
		f.mu.Lock() // wait for in-flight Sends to finish or back out
		close(f.stop)
		f.mu.Unlock()
	})
	select {
	case <-f.done:
	case <-ctx.Done():
		f.cancel()
		<-f.done
		// Not "dropped": the agent reads them again from its checkpoints.
		return fmt.Errorf("forwarder: close %s: gave up waiting for the destination (%w): the messages still queued were not sent", f.ep.raw, ctx.Err())
	}
	f.cancel()
	return f.failure()
}

// Stats returns the current counters.
func (f *Forwarder) Stats() Stats {
	s := f.w.n.stats()
	s.QueueDepth = len(f.queue)
	if f.cfg.Encoder != nil {
		s.EncoderStats = f.cfg.Encoder.Stats()
	}
	return s
}

// LastError returns the error of the latest failed connection attempt or
// write (a refused connection, a server certificate the CA file does not
// verify, a host name that does not resolve), or nil when a batch was
// delivered since or nothing failed yet. It tells why a destination
// acknowledges nothing. Safe to call from any goroutine.
func (f *Forwarder) LastError() error {
	if p := f.lastErr.Load(); p != nil {
		return *p
	}
	return nil
}

func (f *Forwarder) failure() error {
	f.errMu.Lock()
	defer f.errMu.Unlock()
	return f.err
}

// fail records why the writer gave up and makes Send refuse new batches.
func (f *Forwarder) fail(err error) {
	f.errMu.Lock()
	if f.err == nil {
		f.err = err
		close(f.dead)
	}
	f.errMu.Unlock()
}
