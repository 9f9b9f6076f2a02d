package inputs

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/relp"
	"github.com/gitlab-syslog/gitlab-syslog/internal/spool"
)

// batchBytes bounds the spool lines a connection gathers before it
// writes them (and, over RELP, acknowledges them).
const batchBytes = 1 << 20

// Server is one network input. Create it with Listen, run it with Run.
type Server struct {
	cfg    Config
	sc     Scheme
	log    *slog.Logger
	ln     net.Listener
	tlsCfg *tls.Config
	file   *spool.File
	w      *spool.Writer
	c      counters
	// notSyslogLog paces the warnings about frames that are not syslog
	// messages (dropNotSyslog).
	notSyslogLog pace
	// refusedLog paces the warnings about connections refused at their
	// start (refused).
	refusedLog pace

	mu    sync.Mutex
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

// Listen checks cfg, loads its TLS files, opens its spool (SpoolPath,
// creating SpoolDir) and its listening socket. A plain listener on a
// non-loopback address is allowed with a warning: messages travel in
// clear text.
func Listen(cfg Config) (*Server, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	sc, _ := ParseListen(cfg.Listen) // checked
	s := &Server{cfg: cfg, sc: sc, log: cfg.Logger, conns: map[net.Conn]struct{}{}, notSyslogLog: pace{every: notSyslogLogEvery},
		refusedLog: pace{every: handshakeLogEvery}}
	var err error
	if sc.TLS {
		if s.tlsCfg, err = serverTLS(cfg.TLS); err != nil {
			return nil, err
		}
	}
	if s.file, err = spool.Open(cfg.SpoolDir, cfg.SpoolName(), cfg.SpoolMaxBytes, cfg.Logger); err != nil {
		return nil, fmt.Errorf("inputs: %s: %w", cfg.Listen, err)
	}
	if s.ln, err = net.Listen("tcp", sc.Addr); err != nil {
		s.file.Close()
		where := ""
		if cfg.Where != nil {
			where = cfg.Where("listen") + ": "
		}
		if errors.Is(err, syscall.EADDRINUSE) {
			return nil, fmt.Errorf("inputs: %slisten on %s: %w: another process listens there (another agent?): stop it, or give the input another port", where, cfg.Listen, err)
		}
		return nil, fmt.Errorf("inputs: %slisten on %s: %w", where, cfg.Listen, err)
	}
	s.WarnPlain(cfg.Where)
	s.w = spool.NewWriter(s.file)
	return s, nil
}

// OpenSpool checks cfg and opens its spool as Listen does, but no
// listening socket and no TLS files: the Server receives nothing, and its
// spool, with what an earlier Listen received, is only read (run --once
// forwards it and exits). Run on it waits for ctx to end and closes the
// spool; Addr returns nil and WarnPlain logs nothing.
func OpenSpool(cfg Config) (*Server, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	sc, _ := ParseListen(cfg.Listen) // checked
	s := &Server{cfg: cfg, sc: sc, log: cfg.Logger, conns: map[net.Conn]struct{}{}}
	var err error
	if s.file, err = spool.Open(cfg.SpoolDir, cfg.SpoolName(), cfg.SpoolMaxBytes, cfg.Logger); err != nil {
		return nil, fmt.Errorf("inputs: %s: %w", cfg.Listen, err)
	}
	return s, nil
}

// WarnPlain logs PlainWarning at WARN when s listens in plain text (not
// TLS) on an address that is not loopback, with the attribute listen (its
// URL) and, when where is not nil, where: where("listen"), the place of
// the entry's listen key (see Config.Where). Listen calls it with the
// Config's Where; the agent calls it again at a reload, with the places
// of the file reread.
func (s *Server) WarnPlain(where func(key string) string) {
	if s.ln == nil || s.sc.TLS || isLoopback(s.ln.Addr()) {
		return
	}
	attrs := []any{"listen", s.cfg.Listen}
	if where != nil {
		attrs = append(attrs, "where", where("listen"))
	}
	s.log.Warn("inputs: "+PlainWarning, attrs...)
}

func isLoopback(a net.Addr) bool {
	ta, ok := a.(*net.TCPAddr)
	return ok && ta.IP.IsLoopback()
}

// Addr is the address the input listens on; nil for a Server made by
// OpenSpool.
func (s *Server) Addr() net.Addr {
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// SpoolPath is the spool file the input appends to.
func (s *Server) SpoolPath() string { return s.file.Path() }

// SetRotateCheck makes the spool's rotation wait until ok reports that
// its reader committed a position in the current file (see
// spool.File.SetRotateCheck), so that no spooled message is rotated away
// unread.
func (s *Server) SetRotateCheck(ok func(cur os.FileInfo) bool) { s.file.SetRotateCheck(ok) }

// Config returns the input's configuration with the defaults filled in.
func (s *Server) Config() Config { return s.cfg }

// Stats returns the input's counters.
func (s *Server) Stats() Stats { return s.c.snapshot() }

// Run accepts connections until ctx ends, then closes the listener and
// every connection, waits for their handlers (a batch being written is
// finished and acknowledged) and closes the spool. A temporary accept
// error (out of file descriptors) is counted (Stats.AcceptErrors) and
// retried after a back-off of 5 ms doubling up to 1 s. It returns nil
// after ctx ended, or the permanent accept error that stopped it. For a
// Server made by OpenSpool it only waits for ctx to end and closes the
// spool.
func (s *Server) Run(ctx context.Context) error {
	if s.ln == nil {
		<-ctx.Done()
		return s.file.Close()
	}
	stop := context.AfterFunc(ctx, s.shutdown)
	defer stop()
	s.log.Info("inputs: listening", "listen", s.cfg.Listen, "addr", s.ln.Addr().String(), "tls", s.sc.TLS,
		"mutual_tls", s.cfg.TLS.ClientCAFile != "", "spool", s.file.Path())
	var err error
	var retry acceptRetry
	for {
		var c net.Conn
		c, err = s.ln.Accept()
		if err != nil {
			if ctx.Err() == nil && temporaryAccept(err) && s.acceptFailed(&retry, err, ctx.Done()) {
				continue
			}
			break
		}
		retry.delay = 0
		if s.c.open.Load() >= int64(s.cfg.MaxConnections) {
			s.c.refused.Add(1)
			s.refused("inputs: connection refused: max_connections reached; raise max_connections if the senders are legitimate", // a reconnect storm, a scanner: paced
				c.RemoteAddr().String(), fmt.Errorf("%d connections open, max_connections %d", s.c.open.Load(), s.cfg.MaxConnections))
			c.Close()
			continue
		}
		s.track(c, true)
		s.wg.Go(func() {
			defer s.track(c, false)
			s.serve(c)
		})
	}
	s.shutdown()
	s.wg.Wait()
	s.w.Close()
	cerr := s.file.Close()
	if ctx.Err() != nil {
		return cerr
	}
	return fmt.Errorf("inputs: accept on %s: %w", s.cfg.Listen, err)
}

func (s *Server) track(c net.Conn, add bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if add {
		s.conns[c] = struct{}{}
		s.c.open.Add(1)
		s.c.connections.Add(1)
		return
	}
	if _, ok := s.conns[c]; ok {
		delete(s.conns, c)
		s.c.open.Add(-1)
	}
	c.Close()
}

func (s *Server) shutdown() {
	s.ln.Close()
	s.mu.Lock()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
}

// errIdle wraps the read timeout of an established session (a TCP
// connection, a RELP session after open) that sent nothing for
// idle_timeout: a normal close, not an error.
var errIdle = errors.New("idle_timeout")

// idleErr wraps err in errIdle when it is a read timeout.
func idleErr(err error) error {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("%w: %w", errIdle, err)
	}
	return err
}

// serve runs one connection and counts and logs why it ended.
func (s *Server) serve(c net.Conn) {
	remote := c.RemoteAddr().String()
	if s.tlsCfg != nil {
		tc := tls.Server(c, s.tlsCfg)
		_ = tc.SetDeadline(time.Now().Add(s.cfg.IdleTimeout))
		if err := tc.Handshake(); err != nil {
			s.c.tlsErrors.Add(1)
			if m := handshakeMismatch(s.sc, err); m != nil {
				err = fmt.Errorf("%w (%w)", m, err)
			} else if h := clientCertHint(err); h != "" {
				err = fmt.Errorf("%w: %s", err, h)
			}
			s.refused("inputs: TLS handshake failed", remote, err)
			return
		}
		_ = tc.SetDeadline(time.Time{})
		c = tc
	}
	br := bufio.NewReaderSize(c, 64<<10)
	_ = c.SetReadDeadline(time.Now().Add(s.cfg.IdleTimeout))
	err := s.first(br)
	if err == nil {
		if s.sc.Protocol == RELP {
			err = s.serveRELP(c, br)
		} else {
			err = s.serveTCP(c, br)
		}
	}
	var ne net.Error
	switch {
	case err == nil, errors.Is(err, io.EOF), errors.Is(err, net.ErrClosed):
		return
	case errors.Is(err, errMismatch):
		s.c.protocol.Add(1)
		s.refused("inputs: connection refused", remote, err)
		return
	case errors.Is(err, errIdle):
		s.c.idle.Add(1)
		s.log.Info("inputs: connection closed: idle_timeout", "listen", s.cfg.Listen, "remote", remote, "idle_timeout", s.cfg.IdleTimeout)
		return
	case errors.As(err, &ne) && ne.Timeout():
		s.c.timeouts.Add(1)
	case errors.Is(err, ErrFrame), errors.Is(err, relp.ErrFrame), errors.Is(err, io.ErrUnexpectedEOF):
		s.c.malformed.Add(1)
		s.refused("inputs: connection closed", remote, err) // a scanner, a probe: paced
		return
	case errors.Is(err, errProtocol):
		s.c.protocol.Add(1)
		s.refused("inputs: connection closed", remote, err)
		return
	}
	s.log.Warn("inputs: connection closed", "listen", s.cfg.Listen, "remote", remote, "err", err)
}

// commit writes a connection's batch of spool lines (n messages, size
// octets) and counts it.
func (s *Server) commit(lines []byte, n, size int) error {
	if err := s.w.Write(lines); err != nil {
		s.c.spoolErrors.Add(1)
		return fmt.Errorf("inputs: spool %s: %w; %d messages not acknowledged", s.file.Path(), err, n)
	}
	s.c.messages.Add(uint64(n))
	s.c.bytes.Add(uint64(size))
	return nil
}

// cut counts and logs a message over max_message_bytes.
func (s *Server) cut(c net.Conn, size int) {
	s.c.truncated.Add(1)
	s.log.Warn("inputs: message over max_message_bytes cut", "listen", s.cfg.Listen, "remote", c.RemoteAddr().String(),
		"bytes", size, "max_message_bytes", s.cfg.MaxMessageBytes)
}
