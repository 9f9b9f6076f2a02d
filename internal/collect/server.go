package collect

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"sync"
)

// Config configures a Server.
type Config struct {
	// URL is where to listen: udp://host:port, tcp://host:port,
	// tls://host:port (needs TLS), unix:///path (a datagram socket) or
	// unix:///path?type=stream. Port 0 picks a free port; see Server.URL.
	URL string
	// TLS is the server configuration for tls:// URLs.
	TLS *tls.Config
	// MaxFrame is the largest frame accepted on a stream; a longer one
	// closes the connection. 0 means DefaultMaxFrame.
	MaxFrame int
	// Raw skips parsing: handlers get Messages with only Raw set. Tests use
	// it to count frames cheaply.
	Raw bool
	// Logger receives a warning for each connection that ends with an
	// error (a bad frame, a TLS failure); nil discards them.
	Logger *slog.Logger
}

// Server receives syslog messages. Create it with Listen, run it with Serve.
type Server struct {
	cfg    Config
	scheme string
	ln     net.Listener
	pc     net.PacketConn
	path   string // unix datagram socket to remove on close

	mu    sync.Mutex // serialises handler calls
	wg    sync.WaitGroup
	cmu   sync.Mutex
	conns map[net.Conn]struct{}
}

// Schemes returns the URL schemes Listen accepts.
func Schemes() []string { return []string{"udp", "tcp", "tls", "unix"} }

// Listen opens the listening socket.
func Listen(cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxFrame <= 0 {
		cfg.MaxFrame = DefaultMaxFrame
	}
	u, err := url.Parse(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("collect: listen URL %q: %w", cfg.URL, err)
	}
	s := &Server{cfg: cfg, scheme: u.Scheme, conns: map[net.Conn]struct{}{}}
	switch u.Scheme {
	case "udp":
		s.pc, err = net.ListenPacket("udp", u.Host)
	case "tcp":
		s.ln, err = net.Listen("tcp", u.Host)
	case "tls":
		if cfg.TLS == nil {
			return nil, fmt.Errorf("collect: %s needs a server certificate (--cert-file and --key-file)", cfg.URL)
		}
		s.ln, err = tls.Listen("tcp", u.Host, cfg.TLS)
	case "unix":
		path := u.Path
		if path == "" {
			return nil, fmt.Errorf("collect: %s: missing socket path (want unix:///path)", cfg.URL)
		}
		switch t := u.Query().Get("type"); t {
		case "", "dgram", "datagram":
			s.pc, err = net.ListenPacket("unixgram", path)
			s.path = path
		case "stream":
			s.ln, err = net.Listen("unix", path)
		default:
			return nil, fmt.Errorf("collect: %s: unknown socket type %q (want dgram or stream)", cfg.URL, t)
		}
	default:
		return nil, fmt.Errorf("collect: listen URL %q: unknown scheme %q (want udp, tcp, tls or unix)", cfg.URL, u.Scheme)
	}
	if err != nil {
		return nil, fmt.Errorf("collect: listen on %s: %w", cfg.URL, err)
	}
	return s, nil
}

// URL returns the address the server listens on, with the real port, for
// example "tcp://127.0.0.1:41234".
func (s *Server) URL() string {
	switch {
	case s.scheme == "unix" && s.ln != nil:
		return "unix://" + s.ln.Addr().String() + "?type=stream"
	case s.scheme == "unix":
		return "unix://" + s.pc.LocalAddr().String()
	case s.ln != nil:
		return s.scheme + "://" + s.ln.Addr().String()
	}
	return s.scheme + "://" + s.pc.LocalAddr().String()
}

// Serve receives messages until ctx ends, calling h for each one (never
// concurrently). It closes the socket and every connection before it
// returns. Errors on one connection end that connection only.
func (s *Server) Serve(ctx context.Context, h func(*Message)) error {
	stop := context.AfterFunc(ctx, s.shutdown)
	defer stop()
	defer s.shutdown()
	handle := func(m *Message) {
		s.mu.Lock()
		defer s.mu.Unlock()
		h(m)
	}
	var err error
	if s.pc != nil {
		err = s.servePackets(handle)
	} else {
		err = s.serveStream(handle)
	}
	s.wg.Wait()
	if ctx.Err() != nil {
		return nil
	}
	return err
}

func (s *Server) shutdown() {
	if s.ln != nil {
		_ = s.ln.Close()
	}
	if s.pc != nil {
		_ = s.pc.Close()
		if s.path != "" {
			_ = os.Remove(s.path)
		}
	}
	s.cmu.Lock()
	for c := range s.conns {
		_ = c.Close()
	}
	s.cmu.Unlock()
}

func (s *Server) message(ps *parsers, frame []byte) *Message {
	if s.cfg.Raw {
		return &Message{Raw: append([]byte(nil), frame...), Priority: -1, Facility: -1, Severity: -1}
	}
	return ps.parse(frame)
}

func (s *Server) servePackets(h func(*Message)) error {
	ps := newParsers()
	buf := make([]byte, 1<<20)
	for {
		n, _, err := s.pc.ReadFrom(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			return fmt.Errorf("collect: read from %s: %w", s.cfg.URL, err)
		}
		frame := buf[:n]
		for len(frame) > 0 && (frame[len(frame)-1] == '\n' || frame[len(frame)-1] == 0) {
			frame = frame[:len(frame)-1]
		}
		h(s.message(ps, frame))
	}
}

func (s *Server) serveStream(h func(*Message)) error {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			return fmt.Errorf("collect: accept on %s: %w", s.cfg.URL, err)
		}
		s.cmu.Lock()
		s.conns[c] = struct{}{}
		s.cmu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer func() {
				s.cmu.Lock()
				delete(s.conns, c)
				s.cmu.Unlock()
				_ = c.Close()
			}()
			ps := newParsers()
			err := ReadFrames(bufio.NewReaderSize(c, 64<<10), s.cfg.MaxFrame, func(frame []byte) {
				h(s.message(ps, frame))
			})
			if err != nil && !errors.Is(err, net.ErrClosed) {
				s.cfg.Logger.Warn("collect: connection closed", "remote", c.RemoteAddr().String(), "error", err.Error())
			}
		}()
	}
}
