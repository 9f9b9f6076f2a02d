package streaming

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/spool"
)

// Receiver is the HTTP endpoint of a GitLab streaming destination. Create it
// with New, serve with Run.
type Receiver struct {
	path     string
	maxBody  int64
	tokens   atomic.Pointer[tokenSet]
	cert     atomic.Pointer[tls.Certificate] // nil: plain HTTP
	log      *slog.Logger
	tlsCfg   *tls.Config
	ln       net.Listener
	spool    *spool.File
	dedupe   *dedupe // nil when deduplication is off
	reqs     chan *commitReq
	quit     chan struct{} // closed when the commit loop must stop
	now      func() time.Time
	refusals [numRefusals]logLimiter // for 401 log lines, one per cause (refusalTodo)

	encodingRefusals logLimiter // for 415 log lines (identityEncoded)
	spoolRefusals    logLimiter // for 503 log lines: a full disk refuses every event
	invalidRefusals  logLimiter // for 400 log lines (invalid body, body not read)
	largeRefusals    logLimiter // for 413 log lines
	ran              atomic.Bool
	closeErr         error
	closed           sync.Once

	// tokenKeys names the configured token sources for the 401 log line
	// (setTokenKeys).
	tokenKeys atomic.Pointer[string]

	stats counters
	fault atomic.Pointer[spoolFault] // the last event's spooling failed: see SpoolFault
}

// Stats counts what the Receiver did since New.
type Stats struct {
	Accepted            uint64 // events appended to the spool and synced (answered 200); each element of a batch counts
	Duplicates          uint64 // repeats of an event already spooled (answered 200, not spooled); each element of a batch counts
	NoID                uint64 // events without a usable id (not deduplicated); each element of a batch counts
	Batches             uint64 // requests whose body is a JSON array of events (a batch), answered 200; [] too
	Unauthorized        uint64 // 401: token missing or wrong
	Invalid             uint64 // 400: body not one JSON object, nor a JSON array of them
	TooLarge            uint64 // 413: body over MaxBody
	UnsupportedEncoding uint64 // 415: a Content-Encoding other than identity
	SpoolErrors         uint64 // 503: the spool could not be written or synced
	Syncs               uint64 // fsyncs of the spool; Accepted/Syncs is the group-commit factor
	Rotations           uint64 // spool rotations
	DedupeEvicted       uint64 // events forgotten before their window ended (DedupeMaxIDs reached)
	NotFound            uint64 // 404: a path other than Config.Path
	MethodNotAllowed    uint64 // 405: a method other than POST
}

type counters struct {
	accepted, duplicates, noID, batches, unauthorized, invalid, tooLarge, unsupportedEncoding, spoolErrors, syncs atomic.Uint64
	notFound, notAllowed                                                                                          atomic.Uint64
}

// New checks cfg, loads the tokens, opens the spool and the dedupe log and
// starts listening. Call Run to serve, or Close to give the resources back
// without serving. The token sources that give no usable token are each a
// *TokenError, joined; what Check warns about is logged at WARN level.
func New(cfg Config) (*Receiver, error) {
	r, cfg, err := open(cfg)
	if err != nil {
		return nil, err
	}
	if cfg.DedupeWindow > 0 {
		if r.dedupe, err = openDedupe(cfg.SpoolDir, cfg.DedupeWindow, cfg.DedupeMaxIDs, r.now(), r.log); err != nil {
			r.spool.Close()
			return nil, err
		}
	}
	if r.ln, err = net.Listen("tcp", cfg.Listen); err != nil {
		r.release()
		return nil, fmt.Errorf("streaming: listen: %w", err)
	}
	if r.tlsCfg == nil && !isLoopback(r.ln.Addr()) {
		r.log.Warn("streaming: "+PlainWarning, append(warnAttrs(&cfg, "listen"), "addr", r.ln.Addr().String())...)
	}
	if msg := maxBodyWarning(cfg.MaxBody); msg != "" {
		r.log.Warn("streaming: "+msg, warnAttrs(&cfg, "max_body")...)
	}
	return r, nil
}

// OpenSpool checks cfg and loads its tokens and certificate as New does,
// with the same errors and warnings, and opens its spool, but neither
// listens nor opens the dedupe log: the Receiver receives nothing, and the
// agent reads its spool, with what an earlier Receiver accepted, to its
// end (run --once forwards it and exits). Run on it waits for ctx to end
// and closes the spool; Addr returns nil.
func OpenSpool(cfg Config) (*Receiver, error) {
	r, _, err := open(cfg)
	return r, err
}

// open checks cfg, fills in its defaults, loads the tokens and the
// certificate and opens the spool: the Receiver New and OpenSpool share,
// with cfg as completed.
func open(cfg Config) (*Receiver, Config, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	if cfg.Listen == "" {
		return nil, cfg, errors.New("streaming: listen address is empty (e.g. \":8443\")")
	}
	if cfg.SpoolDir == "" {
		return nil, cfg, errors.New("streaming: spool directory is empty")
	}
	if cfg.Path == "" {
		cfg.Path = DefaultPath
	}
	if cfg.Path[0] != '/' {
		return nil, cfg, fmt.Errorf("streaming: path %q must start with /", cfg.Path)
	}
	if cfg.MaxBody == 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.MaxBody < 0 {
		return nil, cfg, fmt.Errorf("streaming: max_body %d is negative", cfg.MaxBody)
	}
	if cfg.DedupeWindow == 0 {
		cfg.DedupeWindow = DefaultDedupeWindow
	}
	if cfg.DedupeMaxIDs <= 0 {
		cfg.DedupeMaxIDs = DefaultDedupeMaxIDs
	}
	if cfg.SpoolMaxBytes <= 0 {
		cfg.SpoolMaxBytes = DefaultSpoolMaxBytes
	}
	tokens, err := loadTokens(&cfg, log)
	if err != nil {
		return nil, cfg, err
	}
	r := &Receiver{
		path:    cfg.Path,
		maxBody: cfg.MaxBody,
		log:     log,
		reqs:    make(chan *commitReq),
		quit:    make(chan struct{}),
		now:     time.Now,
	}
	r.tokens.Store(&tokens)
	r.setTokenKeys(&cfg)
	for i := range r.refusals {
		r.refusals[i].interval = refusalLogInterval
	}
	r.encodingRefusals.interval = refusalLogInterval
	r.spoolRefusals.interval = refusalLogInterval
	r.invalidRefusals.interval = refusalLogInterval
	r.largeRefusals.interval = refusalLogInterval
	cert, err := loadCert(&cfg)
	if err != nil {
		return nil, cfg, err
	}
	if cert != nil {
		r.cert.Store(cert)
		r.tlsCfg = &tls.Config{MinVersion: tls.VersionTLS12,
			GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return r.cert.Load(), nil }}
	}
	if r.spool, err = spool.Open(cfg.SpoolDir, SpoolFile, cfg.SpoolMaxBytes, log); err != nil {
		return nil, cfg, err
	}
	return r, cfg, nil
}

// loadCert loads cfg's TLS certificate and key; nil when neither is set.
func loadCert(cfg *Config) (*tls.Certificate, error) {
	if (cfg.TLS.CertFile == "") != (cfg.TLS.KeyFile == "") {
		return nil, errors.New("streaming: tls needs both cert and key")
	}
	if cfg.TLS.CertFile == "" {
		return nil, nil
	}
	cert, err := tls.LoadX509KeyPair(cfg.TLS.CertFile, cfg.TLS.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("streaming: load TLS certificate %s and key %s: %w", cfg.TLS.CertFile, cfg.TLS.KeyFile, err)
	}
	return &cert, nil
}

// MaxSpoolLine returns the longest line, in bytes without its LF, that the
// spool may hold: a body is spooled compacted, never longer than it came,
// and a body over Config.MaxBody is refused; but a spool written before
// max_body was lowered holds longer ones, so it is at least GitLabMaxBody,
// the most GitLab sends. The spool's reader must take lines this long
// whole: an event answered 200 is forwarded whole (fresh-user trial 283:
// an event taken under max_body 2MiB was cut once it was lowered).
func (r *Receiver) MaxSpoolLine() int { return int(max(r.maxBody, GitLabMaxBody)) }

// Reload reads the verification tokens (Tokens, TokenFile, TokenEnv) and
// the TLS certificate and key of cfg again and puts them in use for the
// next requests and handshakes: for a rotated token_file or a renewed
// certificate, on SIGHUP. The other fields of cfg are ignored; changing
// them, or turning TLS on or off, needs a new Receiver. On error nothing
// changes.
func (r *Receiver) Reload(cfg Config) error {
	tokens, err := loadTokens(&cfg, r.log)
	if err != nil {
		return err
	}
	cert, err := loadCert(&cfg)
	if err != nil {
		return err
	}
	if (cert == nil) != (r.cert.Load() == nil) {
		return errors.New("streaming: turning TLS on or off needs a restart")
	}
	r.tokens.Store(&tokens)
	r.setTokenKeys(&cfg)
	for i := range r.refusals { // new tokens: the next 401 of each cause is logged
		r.refusals[i].reset()
	}
	if cert != nil {
		r.cert.Store(cert)
	}
	return nil
}

func isLoopback(a net.Addr) bool {
	ta, ok := a.(*net.TCPAddr)
	return ok && ta.IP.IsLoopback()
}

// Addr is the address the Receiver listens on; nil for one made by
// OpenSpool.
func (r *Receiver) Addr() net.Addr {
	if r.ln == nil {
		return nil
	}
	return r.ln.Addr()
}

// SpoolPath is the file the agent must tail as an audit log (its rotated
// predecessor is SpoolPath()+".1").
func (r *Receiver) SpoolPath() string { return r.spool.Path() }

// SetRotateCheck makes the spool's rotation wait until ok reports that its
// reader committed a position in the current file (see
// spool.File.SetRotateCheck), that is, once it is done with events.log.1,
// which the rotation replaces: no acknowledged event is rotated away
// unread, and the spool grows past SpoolMaxBytes meanwhile. Without it the
// spool rotates at SpoolMaxBytes whatever its reader did. Safe for
// concurrent use.
func (r *Receiver) SetRotateCheck(ok func(cur os.FileInfo) bool) { r.spool.SetRotateCheck(ok) }

// Stats returns the counters.
func (r *Receiver) Stats() Stats {
	s := Stats{
		Accepted:            r.stats.accepted.Load(),
		Duplicates:          r.stats.duplicates.Load(),
		NoID:                r.stats.noID.Load(),
		Batches:             r.stats.batches.Load(),
		Unauthorized:        r.stats.unauthorized.Load(),
		NotFound:            r.stats.notFound.Load(),
		MethodNotAllowed:    r.stats.notAllowed.Load(),
		Invalid:             r.stats.invalid.Load(),
		TooLarge:            r.stats.tooLarge.Load(),
		UnsupportedEncoding: r.stats.unsupportedEncoding.Load(),
		SpoolErrors:         r.stats.spoolErrors.Load(),
		Syncs:               r.stats.syncs.Load(),
		Rotations:           r.spool.Rotations(),
	}
	if r.dedupe != nil {
		r.dedupe.mu.Lock()
		s.DedupeEvicted = r.dedupe.evicted
		r.dedupe.mu.Unlock()
	}
	return s
}

// Run serves until ctx is cancelled, then stops accepting connections, waits
// up to ShutdownTimeout for requests in progress and closes the spool. It
// returns nil after a cancellation, or the error that stopped the server. Run
// may be called once.
func (r *Receiver) Run(ctx context.Context) error {
	if !r.ran.CompareAndSwap(false, true) {
		return errors.New("streaming: Run called twice")
	}
	if r.ln == nil { // OpenSpool: nothing to serve
		<-ctx.Done()
		return r.release()
	}
	srv := &http.Server{
		Handler:           http.HandlerFunc(r.serveHTTP),
		TLSConfig:         r.tlsCfg,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(r.log.Handler(), slog.LevelInfo),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	commitDone := make(chan struct{})
	go func() {
		defer close(commitDone)
		r.commitLoop()
	}()
	serveErr := make(chan error, 1)
	go func() {
		if r.tlsCfg != nil {
			serveErr <- srv.ServeTLS(r.ln, "", "")
		} else {
			serveErr <- srv.Serve(r.ln)
		}
	}()
	r.log.Info("streaming: receiving GitLab audit events", "addr", r.ln.Addr().String(), "path", r.path,
		"tls", r.tlsCfg != nil, "spool", r.spool.Path())

	var err error
	select {
	case <-ctx.Done():
	case err = <-serveErr:
		err = fmt.Errorf("streaming: serve: %w", err)
	}
	sctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	if serr := srv.Shutdown(sctx); serr != nil {
		r.log.Warn("streaming: requests still running at shutdown were cut off", "err", serr)
		srv.Close()
	}
	close(r.quit)
	<-commitDone
	if cerr := r.release(); err == nil {
		err = cerr
	}
	return err
}

// Close releases the listener and files of a Receiver that is not running.
// After Run has returned it does nothing.
func (r *Receiver) Close() error {
	if r.ran.Load() {
		return nil
	}
	return r.release()
}

func (r *Receiver) release() error {
	r.closed.Do(func() {
		var errs []error
		if r.ln != nil {
			r.ln.Close() // already closed by the server when Run served
		}
		if err := r.spool.Close(); err != nil {
			errs = append(errs, err)
		}
		if r.dedupe != nil {
			if err := r.dedupe.close(); err != nil {
				errs = append(errs, err)
			}
		}
		r.closeErr = errors.Join(errs...)
	})
	return r.closeErr
}
