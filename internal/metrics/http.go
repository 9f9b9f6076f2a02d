package metrics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Handler serves /metrics from m's registry, /healthz from health and
// /readyz from ready: 200 "ok" when the func returns nil, else 503 with
// the error's text, which says what is wrong (one problem per line). It
// also serves Go's profiles under
// /debug/pprof/ (as Prometheus and promtail do), so a slow or busy agent can
// be profiled in place, but only to clients on a loopback address (on the
// host, through ssh or kubectl port-forward): others get 403, since the
// profiles show the command line and the code's state, and metrics.listen
// is often every interface so that Prometheus can scrape.
func (m *Metrics) Handler(health, ready func() error) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/debug/pprof/", loopbackOnly(pprof.Index))
	mux.Handle("/debug/pprof/cmdline", loopbackOnly(pprof.Cmdline))
	mux.Handle("/debug/pprof/profile", loopbackOnly(pprof.Profile))
	mux.Handle("/debug/pprof/symbol", loopbackOnly(pprof.Symbol))
	mux.Handle("/debug/pprof/trace", loopbackOnly(pprof.Trace))
	mux.Handle("/metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg}))
	mux.Handle("/healthz", probe(health))
	mux.Handle("/readyz", probe(ready))
	return mux
}

// probe answers 200 "ok" when check returns nil, else 503 with its text.
func probe(check func() error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := check(); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, err)
			return
		}
		fmt.Fprintln(w, "ok")
	})
}

// loopbackOnly serves h to clients on a loopback address and answers
// others 403 with what to do.
func loopbackOnly(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
			http.Error(w, "/debug/pprof/ is served to loopback clients only: profile from the agent's host (ssh), or through kubectl port-forward", http.StatusForbidden)
			return
		}
		h(w, r)
	})
}

// Server is a running metrics endpoint.
type Server struct {
	ln  net.Listener
	srv *http.Server
	err chan error
}

// Listen starts serving h on addr (host:port; port 0 picks a free one).
func Listen(addr string, h http.Handler, log *slog.Logger) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics: listen on %s: %w", addr, err)
	}
	s := &Server{
		ln:  ln,
		srv: &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)},
		err: make(chan error, 1),
	}
	go func() {
		err := s.srv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		s.err <- err
	}()
	return s, nil
}

// Addr returns the address the server listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Close stops the server, waiting up to ctx for requests in flight.
func (s *Server) Close(ctx context.Context) error {
	if err := s.srv.Shutdown(ctx); err != nil {
		s.srv.Close()
		return fmt.Errorf("metrics: shutdown: %w", err)
	}
	return <-s.err
}
