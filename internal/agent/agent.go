package agent

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
	"github.com/gitlab-syslog/gitlab-syslog/internal/geoip"
	"github.com/gitlab-syslog/gitlab-syslog/internal/metrics"
	"github.com/gitlab-syslog/gitlab-syslog/internal/shellcmd"
	"github.com/gitlab-syslog/gitlab-syslog/internal/statelock"
	"github.com/gitlab-syslog/gitlab-syslog/internal/streaming"
	"github.com/gitlab-syslog/gitlab-syslog/tailer"
	"github.com/gitlab-syslog/gitlab-syslog/tailer/checkpoint"
)

// DefaultShutdownTimeout bounds how long Run spends flushing the forwarder
// and writing checkpoints after its context ends.
const DefaultShutdownTimeout = 5 * time.Second

// DefaultStallLimit is how long batches may wait without an acknowledgement
// before /healthz reports the collector as unreachable.
const DefaultStallLimit = 15 * time.Second

// Options tune an Agent beyond its configuration.
type Options struct {
	// Logger receives the agent's logs. Default slog.Default().
	Logger *slog.Logger
	// Metrics is the metric set to update. Default: a new one.
	Metrics *metrics.Metrics
	// Stdout receives the messages when forward.url is stdout://.
	// Default os.Stdout.
	Stdout io.Writer
	// ExitAtEOF makes Run return once every source was read to its end and
	// every line was acknowledged (the --once flag). The files are taken as
	// complete (tailer.Config.Complete): a last line without a newline is
	// sent. Run then logs the totals of each file and returns an error when
	// a source stopped (a path that exists but cannot be read, a
	// destination that failed), when the destination acknowledged nothing
	// for StallLimit, or when none of the source files exists; when the
	// context ends first, it returns ErrOnceInterrupted. A network
	// input does not listen: its spool (what an earlier run received) is
	// read to its end as a source and forwarded.
	ExitAtEOF bool
	// ShutdownTimeout bounds the flush after the context ends.
	// Default DefaultShutdownTimeout.
	ShutdownTimeout time.Duration
	// TailerPoll makes the tailers poll instead of using inotify.
	TailerPoll bool
	// CheckInterval is how often the agent checks its sources: with
	// ExitAtEOF whether they reached their end, and whether an idle
	// detection watermark should advance. Default 250ms. (Metrics are read
	// when /metrics is scraped, not on this tick.)
	CheckInterval time.Duration
	// StallLimit is how long batches may wait without an acknowledgement
	// before Health reports the collector unreachable, and, with ExitAtEOF,
	// before Run gives up with an error. Default 15s.
	StallLimit time.Duration
	// GlobInterval is how often the files of glob sources are listed.
	// Default DefaultGlobInterval.
	GlobInterval time.Duration
	// CarryTimeout is how long the parts of a line in a container log wait
	// for their last part before they are sent raw on their own (and
	// counted as unwrap errors). Default DefaultCarryTimeout.
	CarryTimeout time.Duration
	// Workers is the number of goroutines per source that parse and encode
	// in parallel; it overrides the configuration's pipeline.workers.
	// Default: pipeline.workers, else DefaultWorkers().
	Workers int
	// Ready, when not nil, is called once by Run when the agent is up: the
	// state directory locked, the forwarder, metrics endpoint, streaming
	// receiver and inputs opened and the sources started. Reload may be
	// called from then on (it may be called before too: it waits for Run).
	// run tells systemd (sd_notify READY=1).
	Ready func()
}

// Agent follows the configured sources and forwards them. Create it with
// New and run it with Run; Reload may be called while it runs.
type Agent struct {
	opts Options
	log  *slog.Logger
	m    *metrics.Metrics

	reloads chan reloadReq
	// stoppedAt is when Run's context ended (SIGINT, SIGTERM), in Unix
	// nanoseconds; 0 while it has not. The stop's waits end
	// ShutdownTimeout after it (stopDeadline).
	stoppedAt atomic.Int64

	mu     sync.Mutex // guards what Health and Reload read
	cfg    *config.Config
	sink   sink
	enc    *forwarder.Encoder
	sinkAt string // since when sink runs, for closeSink: "in this run" or "since the reload that opened it"
	tlsSum string // tlsFilesSum of the forward block sink was built with
	// fwdBase holds the counters of the sinks closed (reloads), added to
	// the running sink's so that the forwarder's counters never go back;
	// fwdClosed is the last sink closed, counted in fwdBase.
	fwdBase   metrics.ForwarderStats
	fwdClosed sink
	geo       *geoip.DB
	det       *detector // nil when detections are off
	// sources are the running sources. The slice is replaced or
	// appended to under mu, never changed in place (removeSource): a
	// reader takes it under mu and reads it after unlocking.
	sources  []*source
	nglobs   int                // glob sources configured (they may match no file yet)
	globWG   sync.WaitGroup     // watchGlobs
	cancelSr context.CancelFunc // stops the current sources
	streamer *streamer
	inputs   []*input // the running network inputs
	aw       ackWatch
	// stallSince is when the forwarder's stall that logStall warned of
	// began; zero while none was warned of. Used by supervise only.
	stallSince time.Time
	// watcher is the inotify instance every tailer shares (nil: each
	// polls, with --poll or when none could be created); see openWatcher.
	watcher *tailer.Watcher
}

type reloadReq struct {
	cfg  *config.Config
	done chan error
}

// New returns an agent for cfg with the defaults of opts filled in. It
// opens nothing: Run opens the destination, the TLS files and the GeoIP
// databases and reports when they cannot be used.
func New(cfg *config.Config, opts Options) (*Agent, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Metrics == nil {
		opts.Metrics = metrics.New()
	}
	if opts.Stdout == nil {
		opts.Stdout = os.Stdout
	}
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = DefaultShutdownTimeout
	}
	if opts.CheckInterval <= 0 {
		opts.CheckInterval = 250 * time.Millisecond
	}
	if opts.StallLimit <= 0 {
		opts.StallLimit = DefaultStallLimit
	}
	if opts.GlobInterval <= 0 {
		opts.GlobInterval = DefaultGlobInterval
	}
	if opts.CarryTimeout <= 0 {
		opts.CarryTimeout = DefaultCarryTimeout
	}
	a := &Agent{
		opts:    opts,
		log:     opts.Logger,
		m:       opts.Metrics,
		reloads: make(chan reloadReq),
		cfg:     cfg,
	}
	return a, nil
}

// Metrics returns the agent's metrics.
func (a *Agent) Metrics() *metrics.Metrics { return a.m }

// Run checks that the state directory can hold checkpoints (it creates,
// fsyncs and removes a probe file there), takes its lock (see statelock:
// it fails at once when another process uses the directory), starts the sources, the
// forwarder, the metrics endpoint and the streaming receiver, and runs until
// ctx ends (or, with ExitAtEOF, until everything was read and acknowledged).
// It then stops reading, flushes the forwarder, writes the checkpoints and
// returns nil (see ExitAtEOF for its errors); lines not acknowledged by then
// are read again at the next start.
func (a *Agent) Run(ctx context.Context) error {
	cfg := a.cfg
	lock, err := lockStateDir(cfg.StateDir)
	if err != nil {
		return err
	}
	defer lock.Release()
	a.removeTemps(cfg.StateDir)
	a.log.Info("starting", "state_dir", cfg.StateDir, "forward", cfg.Forward.URL, "sources", len(cfg.Sources), "inputs", len(cfg.InputsOn()), "hostname", cfg.Hostname)
	defer a.closeOutputs()
	srv, err := a.openOutputs(cfg)
	if err != nil {
		return err
	}
	runCtx, cancelRun := context.WithCancel(ctx)
	defer cancelRun()
	defer context.AfterFunc(ctx, func() { a.stoppedAt.CompareAndSwap(0, time.Now().UnixNano()) })()
	a.openWatcher()
	defer a.closeWatcher() // after shutdown: the tailers have stopped
	if err := a.startReaders(runCtx, cancelRun, cfg); err != nil {
		return err
	}
	detDone := make(chan struct{})
	go func() {
		defer close(detDone)
		a.detectLoop(runCtx)
	}()
	if a.opts.Ready != nil {
		a.opts.Ready()
	}
	runErr := a.supervise(ctx, runCtx)
	cancelRun()
	a.mu.Lock()
	srcs := a.sources
	a.mu.Unlock()
	err = errors.Join(runErr, a.shutdown(srv, detDone))
	if err == nil && !a.opts.ExitAtEOF { // --once logs its own last line; an error is the caller's to report
		a.logStopped(srcs)
	}
	return err
}

// logStopped logs the daemon's last line: that what the collector
// acknowledged is checkpointed, or, when the last checkpoint save of a
// source failed, which ones, that their lines delivered since their last
// saved checkpoint are sent again at the next start, and what to do.
func (a *Agent) logStopped(srcs []*source) {
	var paths []string
	var hint string
	for _, s := range srcs {
		if err := s.t.CheckpointError(); err != nil {
			paths = append(paths, s.cfg.Path)
			hint = tailer.CheckpointHint(err)
		}
	}
	if len(paths) == 0 {
		a.log.Info("stopped: what the collector acknowledged is checkpointed; the rest is read again at the next start, from its files or the rotated copies still there")
		return
	}
	a.log.Warn("stopped, but the checkpoints of some sources could not be saved (the errors above say why): their lines delivered since their last saved checkpoint are sent again at the next start (duplicates, none lost); what the collector acknowledged of the others is checkpointed",
		"sources", strings.Join(paths, ", "), "hint", hint)
}

// stateDirFix says what to do about err, the error of making the state
// directory dir hold checkpoints: free space on a full file system, else
// make it writable.
func stateDirFix(dir string, err error) string {
	switch {
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return "free space (or inodes) on the file system that holds it (df -h " + dir + "; df -i " + dir + ")"
	case errors.Is(err, syscall.EROFS):
		return "it is on a read-only file system"
	}
	return "make it writable by this user"
}

// removeTemps removes the temporary files that saves interrupted by a
// crash left in the state directory dir (checkpoints, and the detection
// state under dir/detect), which nothing would remove, and logs them. It
// runs with dir's lock held, before anything saves.
func (a *Agent) removeTemps(dir string) {
	ck, err1 := checkpoint.RemoveTemps(dir)
	det, err2 := detect.RemoveTemps(dir)
	if files := append(ck, det...); len(files) > 0 {
		a.log.Info("removed temporary files of saves a crash interrupted (the saved files themselves are whole)", "files", strings.Join(files, ", "))
	}
	if err := errors.Join(err1, err2); err != nil {
		a.log.Warn("temporary files of saves a crash interrupted could not be removed; they are left in the state directory, harmless", "err", err)
	}
}

// lockStateDir creates dir, checks that it can hold checkpoints (it
// creates, fsyncs and removes a probe file there) and takes its lock (see
// statelock: it fails at once when another process uses the directory).
func lockStateDir(dir string) (*statelock.Lock, error) {
	err := os.MkdirAll(dir, 0o750)
	if err == nil {
		err = probeStateDir(dir)
	}
	if err != nil {
		return nil, fmt.Errorf("agent: state_dir %s cannot hold checkpoints: %w; %s, or choose another with --state-dir (state_dir)", dir, err, stateDirFix(dir, err))
	}
	lock, err := statelock.Acquire(dir)
	if err != nil {
		return nil, fmt.Errorf("agent: %w", err)
	}
	return lock, nil
}

// openOutputs opens what the sources feed: the GeoIP databases, the
// detection engine, the forwarder (the sink) and, when cfg.Metrics.Listen
// is set, the metrics endpoint, which it returns (nil otherwise). On an
// error the sink is closed again; closeOutputs releases the rest.
func (a *Agent) openOutputs(cfg *config.Config) (*metrics.Server, error) {
	if err := a.openGeoIP(cfg); err != nil {
		return nil, err
	}
	if err := a.openDetections(cfg); err != nil {
		return nil, err
	}
	if err := a.openSink(cfg, false); err != nil {
		return nil, err
	}
	a.m.SetForwarder(a.forwarderStats)
	if cfg.Metrics.Listen == "" {
		return nil, nil
	}
	srv, err := metrics.Listen(cfg.Metrics.Listen, a.m.Handler(a.Health, a.Ready), a.log)
	if err != nil {
		a.closeSink(context.Background(), false)
		return nil, listenError(cfg, "metrics.listen", err)
	}
	a.log.Info("metrics endpoint listening", "addr", srv.Addr().String())
	return srv, nil
}

// listenError returns err as it is, unless it is the failure to listen on
// the address of the key at path of cfg (metrics.listen,
// streaming.listen): then it is located as check locates its problems
// (config.Config.KeyError: FILE:LINE: KEY, or the flag that gave the
// address), and an address in use says what to do.
func listenError(cfg *config.Config, path string, err error) error {
	var oe *net.OpError
	if !errors.As(err, &oe) || oe.Op != "listen" {
		return err
	}
	if errors.Is(err, syscall.EADDRINUSE) {
		err = fmt.Errorf("%w: another process listens there (another agent?): stop it, or give another port", err)
	}
	return cfg.KeyError(path, err)
}

// closeOutputs detaches the forwarder's and the detection engine's
// metrics and closes the GeoIP databases.
func (a *Agent) closeOutputs() {
	a.m.SetForwarder(nil)
	a.m.SetDetections(nil)
	if a.geo != nil {
		a.geo.Close()
	}
}

// startReaders starts what reads lines: the streaming receiver, the
// network inputs and the sources. On an error it cancels ctx (with
// cancel), stops what it started and closes the sink.
func (a *Agent) startReaders(ctx context.Context, cancel context.CancelFunc, cfg *config.Config) error {
	err := a.startStreaming(ctx, cfg)
	if err == nil {
		err = a.startInputs(ctx, cfg)
		if err == nil {
			err = a.startSources(ctx, cfg)
		}
		if err != nil {
			cancel()
			a.stopInputs()
			a.stopStreaming()
		}
	}
	if err != nil {
		a.closeSink(context.Background(), false)
	}
	return err
}

// ErrOnceInterrupted is Run's error, with ExitAtEOF, when its context
// ended (SIGINT, SIGTERM) before the run finished: before every source
// was read to its end and delivered, or, that done, before the windows
// of the detection rules were closed at the end of the input. The
// checkpoints and the detection state saved mark what was done, and a
// run started again does the rest.
var ErrOnceInterrupted = errors.New("--once: interrupted (SIGINT or SIGTERM) before it finished; " +
	"the checkpoints saved mark what was delivered: run again to finish (it sends what was not delivered, if anything, and raises the alerts held for the end of the input)")

// supervise runs until ctx ends, serving reloads and, every
// CheckInterval, advancing idle sources and (with ExitAtEOF) ending once
// everything was read and acknowledged, or a source failed. runCtx is the
// context the sources run under. It returns ExitAtEOF's error, if any,
// ErrOnceInterrupted when ctx ends first.
func (a *Agent) supervise(ctx, runCtx context.Context) error {
	tick := time.NewTicker(a.opts.CheckInterval)
	defer tick.Stop()
	eofTicks := 0
	for {
		select {
		case <-ctx.Done():
			a.log.Info("stopping: flushing and saving checkpoints")
			if a.opts.ExitAtEOF {
				return ErrOnceInterrupted
			}
			return nil
		case req := <-a.reloads:
			req.done <- a.reload(ctx, runCtx, req.cfg)
		case <-tick.C:
			a.caughtUp(runCtx)
			a.advanceIdle(runCtx)
			a.logStall(time.Now())
			a.updateUp()
			if !a.opts.ExitAtEOF {
				continue
			}
			if err := a.onceFailed(); err != nil {
				return a.finishOnce(err)
			}
			if a.allAtEOF() {
				eofTicks++
			} else {
				eofTicks = 0
			}
			if eofTicks >= 2 { // stable over two ticks: nothing more to read
				a.flushDetections(runCtx)
				return a.finishOnce(nil)
			}
		}
	}
}

// updateUp sets the source_up of every running source (source.updateUp).
func (a *Agent) updateUp() {
	a.mu.Lock()
	srcs := a.sources
	a.mu.Unlock()
	for _, s := range srcs {
		s.updateUp()
	}
}

// logStall warns once when batches have waited StallLimit without an
// acknowledgement (as /healthz reports it), with the forwarder's last
// error or the question a collector that accepts and never reads raises,
// and logs once when acknowledgements come again. A collector that
// accepted the connection and reads nothing shows in no other log line:
// forwarder_connected stays 1.
func (a *Agent) logStall(now time.Time) {
	a.mu.Lock()
	s := a.sink
	a.mu.Unlock()
	d := a.aw.stalled(now)
	switch {
	case s == nil, a.opts.ExitAtEOF: // --once ends with the error (onceFailed)
	case d >= a.opts.StallLimit && a.stallSince.IsZero():
		a.stallSince = now.Add(-d)
		a.log.Warn("forwarder: nothing acknowledged while batches wait; the sources stop reading until the collector takes them, logged again once it does (nothing is lost unless logrotate deletes a file before it was read: more rotations meanwhile than its rotate count keeps"+stallStreamLoss(s.URL(), s.LastError())+")",
			"url", s.URL(), "waiting", d.Round(time.Second).String(), "cause", a.stallCause(s.LastError()))
	case d < a.opts.StallLimit && !a.stallSince.IsZero():
		a.log.Info("forwarder: the collector acknowledges again", "url", s.URL(), "stalled_for", now.Sub(a.stallSince).Round(time.Second).String())
		a.stallSince = time.Time{}
	}
}

// stallStreamLoss is what logStall adds for a tcp:// or tls:// url while
// the connection is up (last, the forwarder's last error, is nil: the
// collector accepted it and reads nothing): what the collector's TCP took
// and the collector did not read (up to its receive buffer, delivered as
// far as the agent knows) is lost if the collector is killed or restarted
// rather than unstuck. It is "" while connecting fails (nothing listens:
// there is nothing to make read again) and for the other transports
// (relp:// acknowledges what the collector took).
func stallStreamLoss(url string, last error) string {
	if last != nil || !strings.HasPrefix(url, "tcp:") && !strings.HasPrefix(url, "tls:") {
		return ""
	}
	return "; but the lines the collector's TCP took before it stopped reading, up to its receive buffer, count as delivered: killing or restarting the collector loses them, with their alerts, so first make it read again if it can (relp:// loses none)"
}

// shutdown stops the sources (waiting for their acknowledgements and
// final checkpoints until ShutdownTimeout after the stop signal, or after
// now when Run ended for another reason: see stopDeadline), then, once
// the detection loop has ended (detDone closed), the detection engine,
// the streaming receiver, the network inputs and the metrics endpoint
// srv (when not nil). It returns the sources' errors and, with ExitAtEOF, the
// checkpoints that could not be written.
func (a *Agent) shutdown(srv *metrics.Server, detDone <-chan struct{}) error {
	sctx, cancel := context.WithDeadline(context.Background(), a.stopDeadline())
	defer cancel()
	a.mu.Lock()
	srcs := a.sources
	a.mu.Unlock()
	err := a.stopSources(sctx, true, false)
	if a.opts.ExitAtEOF {
		err = errors.Join(err, checkpointErrors(srcs))
	}
	<-detDone
	if derr := a.closeDetections(); derr != nil && a.opts.ExitAtEOF {
		err = errors.Join(err, derr)
	}
	a.stopStreaming()
	a.stopInputs()
	if srv != nil {
		srv.Close(sctx)
	}
	return err
}

// stopDeadline returns when the stop's waits end: ShutdownTimeout after
// the stop signal (stoppedAt), so that a signal that came during a reload,
// which waited for the old sources, does not get a whole timeout more;
// ShutdownTimeout from now when there was none (--once at the end of its
// files, a fatal error).
func (a *Agent) stopDeadline() time.Time {
	if at := a.stoppedAt.Load(); at != 0 {
		return time.Unix(0, at).Add(a.opts.ShutdownTimeout)
	}
	return time.Now().Add(a.opts.ShutdownTimeout)
}

// Reload replaces the configuration of a running agent: when nothing the
// sources are built from changed (sourcesKept) and the GeoIP databases and
// the detection engine are kept, the sources keep running; otherwise the
// old sources are stopped (their tailers write their checkpoints) before
// the new ones start, and the forwarder is replaced when the forward
// section changed. In both, the GeoIP databases are reopened, and the
// streaming receiver rereads its tokens and TLS certificate. A changed state_dir, metrics or other streaming settings
// (listen, spool_dir) need a restart: a warning is logged and the running
// values stay.
//
// A configuration read from a file that sets nothing (empty, or only
// comments: half-written by an editor or a deployment tool, or truncated
// by mistake) is refused with an error logged, when the running one's
// file set something: every setting would be a built-in default, so the
// agent would follow /var/log/gitlab and forward to tcp://127.0.0.1:514
// instead of what is configured. When the running file set nothing either,
// the reload changes no setting and goes ahead (the rules' files and the
// GeoIP databases are reread).
//
// A reload that fails is logged, with its cause, as one ERROR line (the
// caller need not log the error again), and the running configuration is
// kept; the error is returned too, as is ctx's when ctx ends first.
func (a *Agent) Reload(ctx context.Context, cfg *config.Config) error {
	req := reloadReq{cfg: cfg, done: make(chan error, 1)}
	select {
	case a.reloads <- req:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-req.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// reload applies cfg (see Reload); the sources run under ctx. When stop
// (SIGINT, SIGTERM) ends while the old sources stop (which can take up
// to ShutdownTimeout with a collector down), nothing of cfg is applied:
// the agent is stopping, and new sources, or a detection engine saving
// its state first, would make its shutdown wait again.
func (a *Agent) reload(stop, ctx context.Context, cfg *config.Config) error {
	old := a.cfg
	if err := setsNothing(old, cfg); err != nil {
		a.log.Error("reload: "+err.Error(), "file", cfg.File())
		return fmt.Errorf("agent: %w", err)
	}
	a.keepStateDir(old, cfg)
	geoChanged := !reflect.DeepEqual(old.GeoIP, cfg.GeoIP)
	// Sources that nothing of the reload changes keep running: stopped,
	// they would write their checkpoints as acknowledged so far, and the
	// new ones would read again the lines still queued for a collector
	// that is down, which are sent when it is back: twice.
	renewed := reflect.DeepEqual(old.Forward, cfg.Forward) && tlsFilesSum(&cfg.Forward) != a.tlsSum
	keep := sourcesKept(old, cfg) && !renewed && !geoChanged && a.detectionsKept(old, cfg, geoChanged)
	if keep {
		a.log.Info("reload: sources, destination and detection engine unchanged; the sources keep running")
		a.reopenGeoIP(cfg)
		a.reloadRest(old, cfg, false)
		a.log.Info("configuration reloaded", "sources", len(cfg.Sources))
		return nil
	}
	// The old tailers must be gone before new ones follow the same paths;
	// each gives up waiting for unacknowledged batches after
	// ShutdownTimeout, so this bound is only a safety net.
	sctx, cancel := context.WithTimeout(context.Background(), 2*a.opts.ShutdownTimeout+time.Second)
	defer cancel()
	// A stop signal meanwhile bounds the wait as it bounds the
	// shutdown's: ShutdownTimeout after it.
	defer context.AfterFunc(stop, func() {
		until := a.stopDeadline()
		a.log.Info("stopping (SIGINT or SIGTERM) during a reload: the old sources are given until the shutdown timeout to stop, the new configuration is not applied",
			"timeout", time.Until(until).Round(time.Millisecond))
		t := time.AfterFunc(time.Until(until), cancel)
		context.AfterFunc(sctx, func() { t.Stop() })
	})()
	fwdChanged := renewed || !reflect.DeepEqual(old.Forward, cfg.Forward)
	if fwdChanged {
		a.log.Info("reload: destination changed; flushing the old forwarder", "old", old.Forward.URL, "new", cfg.Forward.URL,
			"changed", strings.Join(forwardChanges(&old.Forward, &cfg.Forward, renewed), ", "))
	}
	if err := a.stopSources(sctx, fwdChanged, true); err != nil {
		a.log.Warn("reload: old sources did not stop cleanly", "err", err)
	}
	if err := stop.Err(); err != nil {
		a.log.Info("reload: stopping (SIGINT or SIGTERM) while the old sources stopped; the new configuration is not applied: the checkpoints mark what the collector acknowledged, and the next start reads on from there")
		return err
	}
	if fwdChanged {
		if err := a.openSink(cfg, true); err != nil {
			a.log.Error("reload: new destination unusable; keeping the old configuration", "err", err)
			a.openSink(old, true)
			a.startSources(ctx, old)
			return err
		}
	}
	if geoChanged {
		if a.geo != nil {
			a.geo.Close()
			a.geo = nil
		}
		if err := a.openGeoIP(cfg); err != nil {
			a.log.Error("reload: a GeoIP database does not open; GeoIP is off (no GeoIP columns, the rules that need them off) until a reload opens it: fix the file or the setting and send SIGHUP again",
				geoipFileAttrs(cfg, err)...)
		}
	} else {
		a.reopenGeoIP(cfg)
	}
	a.reloadRest(old, cfg, geoChanged)
	if err := a.startSources(ctx, cfg); err != nil {
		a.log.Error("reload: starting sources failed; going back to the old configuration", "err", err)
		a.mu.Lock()
		a.cfg = old
		a.mu.Unlock()
		a.startSources(ctx, old)
		return err
	}
	logRemovedSources(a.log, old, cfg)
	a.log.Info("configuration reloaded", "sources", len(cfg.Sources))
	return nil
}

// reopenGeoIP opens the running GeoIP databases' files again, when there
// are any; one that does not open is logged and the previous ones stay.
func (a *Agent) reopenGeoIP(cfg *config.Config) {
	if a.geo == nil {
		return
	}
	if err := a.geo.Reload(); err != nil {
		a.log.Error("reload: a GeoIP database does not open again; the previous databases stay in use: fix or replace the file (by rename, as geoipupdate does) and send SIGHUP again",
			geoipFileAttrs(cfg, err)...)
	} else {
		a.log.Info("reload: geoip databases reopened")
	}
}

// reloadRest applies what a reload changes besides the sources, the
// destination and GeoIP, and makes cfg the running configuration: the
// streaming receiver and the network inputs first (they keep what runs
// until a restart, and the logs they deliver decide which rules can run),
// then the detections; metrics changes wait for a restart.
func (a *Agent) reloadRest(old, cfg *config.Config, geoChanged bool) {
	a.reloadStreaming(old, cfg)
	a.reloadInputs(old, cfg)
	a.reloadDetections(old, cfg, geoChanged)
	if keys := changedKeys("metrics", old.Metrics, cfg.Metrics); len(keys) > 0 {
		a.log.Warn("reload: metrics changes take effect at the next restart; the endpoint runs as before until then",
			"changed", strings.Join(keys, ", "))
		cfg.Metrics = old.Metrics
	}
	a.mu.Lock()
	a.cfg = cfg
	a.mu.Unlock()
}

// sourcesKept reports whether the running sources can stay as they are
// after a reload from old to cfg: every setting but those a reload
// applies apart (detections, geoip, streaming, inputs, metrics) is the
// same (config.Config.Settings: a comment added changes nothing), so that
// the sources, the destination and the pipeline would be built the same.
// The caller also checks that the GeoIP databases and the detection
// engine are kept.
func sourcesKept(old, cfg *config.Config) bool {
	o, c := old.Settings(), cfg.Settings()
	o.Detections, o.GeoIP, o.Streaming, o.Inputs, o.Metrics = c.Detections, c.GeoIP, c.Streaming, c.Inputs, c.Metrics
	return reflect.DeepEqual(o, c)
}

// setsNothing returns an error when cfg was read from a file that sets
// nothing (config.Config.Empty) while old's file set something: the
// reload would put every setting back to its built-in default. The error
// names the file, says the running configuration is kept and what to do.
func setsNothing(old, cfg *config.Config) error {
	if cfg.File() == "" || !cfg.Empty() || old.Empty() {
		return nil
	}
	return fmt.Errorf("%s sets nothing: every setting would be a built-in default; keeping the running configuration "+
		"(an empty or all-commented file: half-written, or emptied by mistake?); restore the file and send SIGHUP again", cfg.File())
}

// keepStateDir sets cfg's state_dir back to old's: the running tailers'
// checkpoints, the detection state, the streaming spool (by default under
// it) and the lock of the running agent are there, so a new one would read
// every source again from the beginning. A change needs a restart.
func (a *Agent) keepStateDir(old, cfg *config.Config) {
	if cfg.StateDir == old.StateDir {
		return
	}
	a.log.Warn("reload: state_dir changes take effect at the next restart; keeping the running one",
		"running", old.StateDir, "configured", cfg.StateDir)
	// The spool directories under state_dir by default follow it: they
	// are not changes of their own (a warning about streaming would send
	// the user to a block not edited).
	if d := filepath.Join(cfg.StateDir, "streaming"); cfg.Streaming.SpoolDir == d {
		cfg.Streaming.SpoolDir = filepath.Join(old.StateDir, "streaming")
	}
	for i := range cfg.Inputs {
		if d := filepath.Join(cfg.StateDir, "inputs"); cfg.Inputs[i].SpoolDir == d {
			cfg.Inputs[i].SpoolDir = filepath.Join(old.StateDir, "inputs")
		}
	}
	cfg.StateDir = old.StateDir
}

// geoipFileAttrs returns the log attributes of err, an error of opening
// or reloading cfg's GeoIP databases: err and, when it is about one file
// (geoip.FileError), file, the database, and where, its key's place as
// check names it ("agent.yaml:12: geoip.city_db").
func geoipFileAttrs(cfg *config.Config, err error) []any {
	attrs := []any{"err", err}
	if fe, ok := errors.AsType[*geoip.FileError](err); ok {
		attrs = append(attrs, "file", fe.Path, "where", cfg.Where("geoip."+fe.Option))
	}
	return attrs
}

func (a *Agent) openGeoIP(cfg *config.Config) error {
	if cfg.GeoIP.CityDB == "" && cfg.GeoIP.ASNDB == "" {
		return nil
	}
	db, err := geoip.Open(cfg.GeoIP.CityDB, cfg.GeoIP.ASNDB)
	if err != nil {
		return fmt.Errorf("agent: %w", err)
	}
	a.geo = db
	return nil
}

// openSink opens the sink of cfg; reload says a reload opens it.
func (a *Agent) openSink(cfg *config.Config, reload bool) error {
	enc := newEncoder(&cfg.Forward)
	sum := tlsFilesSum(&cfg.Forward) // before the forwarder reads them
	s, err := newSink(cfg, enc, a.opts.Stdout, a.log)
	if err != nil {
		return fmt.Errorf("agent: %w", err)
	}
	at := "in this run"
	if reload {
		at = "since the reload that opened it"
	}
	a.mu.Lock()
	a.sink, a.enc, a.sinkAt, a.tlsSum = s, enc, at, sum
	a.mu.Unlock()
	return nil
}

// closeSink closes the running sink, giving it until ctx ends to deliver
// what it holds. Messages it gives up on are read again by the sources:
// at the next start, or, when reload is set, at once by the new sources,
// for the new destination; the warning says which. A sink closed before
// (by a reload the stop cut short) is closed again without a word. A
// sink closed while its collector is unreachable with no message pending
// loses nothing: the warning says so, and whether the collector was never
// reached or was reached before (with the messages delivered to it).
func (a *Agent) closeSink(ctx context.Context, reload bool) {
	a.mu.Lock()
	s, since := a.sink, a.sinkAt
	a.mu.Unlock()
	if s == nil {
		return
	}
	err := s.Close(ctx)
	a.mu.Lock()
	closed := a.fwdClosed == s
	if !closed {
		a.fwdBase = addCounters(a.fwdBase, sinkStats(s, a.enc))
		a.fwdClosed = s
	}
	a.mu.Unlock()
	if closed { // a reload closed it, then the stop came: said then
		return
	}
	again, when := "they are sent again at the next start, read from their files or the rotated copies still there (a file deleted meanwhile cannot be read again)", "at shutdown"
	if reload {
		again, when = "the new sources read them again for the new destination (the next start does, if the agent stops before they start)", "at the reload"
	}
	switch {
	case errors.Is(err, forwarder.ErrNeverReached):
		a.log.Warn("the collector was never reached "+since+"; no message was waiting for it, so nothing is lost", "url", s.URL(), "err", err)
	case errors.Is(err, forwarder.ErrUnreachableAtClose):
		a.log.Warn("the collector was not reachable "+when+", after it had been reached "+since+"; no message was waiting for it, so nothing is lost",
			"url", s.URL(), "delivered", s.Stats().Sent, "err", err)
	case err != nil:
		a.log.Warn("forwarder closed with undelivered messages; "+again, "url", s.URL(), "err", err)
	}
}

// startSources creates and starts one source per configured file (plus the
// streaming spool).
func (a *Agent) startSources(ctx context.Context, cfg *config.Config) error {
	facility, err := forwarder.ParseFacility(cfg.Forward.Facility)
	if err != nil {
		return err
	}
	workers := a.workers(cfg)
	// The sources made now are caught up together below; those a glob
	// matches later (watchGlobs), each on its own.
	var ats []*attachment
	later := false
	mk := func(sc config.Source, tc tailer.Config) (*source, error) {
		s, err := newSource(sc, tc, cfg.Hostname, facility, workers, a.sink, a.enc, a.geo, a.m, &a.aw, a.log)
		if err == nil {
			s.carryWait = a.opts.CarryTimeout
			at := s.attachDetector(a.det, cfg.Hostname, false)
			if later {
				a.det.attach(ctx, []*attachment{at})
			} else {
				ats = append(ats, at)
			}
		}
		return s, err
	}
	srcs, globs, made, err := a.newSources(cfg, facility, workers)
	if err != nil {
		return err
	}
	ats = append(made, ats...)
	// The files globs match now start with the others; later ones are
	// found by watchGlobs.
	followed := newFollowedSet()
	for _, s := range srcs {
		followed.add(s.cfg.Path, s.cfg.Path, nil)
	}
	var matched []*source
	for _, g := range globs {
		added, _, err := g.scan(mk, followed, true)
		if err != nil {
			return err
		}
		matched = append(matched, added...)
	}
	later = true
	// Every source's lines checkpointed after the last detection save,
	// folded again merged by event time, as the engine got them live.
	a.det.attach(ctx, ats)
	sctx, cancel := context.WithCancel(ctx)
	for _, s := range srcs {
		a.prepareOlder(s)
		s.start(sctx)
		a.log.Info("following", "type", s.cfg.Type, "path", s.cfg.Path, "app_name", s.cfg.AppName, "format", s.cfg.Format, "workers", len(s.workers))
		a.logOlder(s)
	}
	for _, g := range globs {
		a.log.Info("following a glob", "glob", g.sc.Path, "type", g.sc.Type, "format", g.sc.Format, "files", len(g.matched))
	}
	a.mu.Lock()
	a.sources, a.cancelSr, a.nglobs = srcs, cancel, len(globs)
	a.mu.Unlock()
	a.addSources(sctx, matched)
	for _, g := range globs {
		g.saveRecord(time.Now())
	}
	if len(globs) > 0 {
		a.globWG.Go(func() { a.watchGlobs(sctx, globs, mk, a.opts.GlobInterval) })
	}
	return nil
}

// prepareOlder gives s, before it starts, what its dispatcher needs to
// log the copies its tailer does not read when they are known only once a
// file appears at its path (source.olderLater): logOlderCopies with the
// configuration s was made with.
func (a *Agent) prepareOlder(s *source) {
	if !s.olderLater {
		return
	}
	cfg, log := a.cfg, a.log
	s.noteOlder = func(older []string) { logOlderCopies(log, cfg, s, older) }
}

// logOlder logs the rotated copies of s's file that its tailer does not
// read, being older than this first start (source.older), and how to
// send them; for a source that named none when made (source.olderLater)
// its dispatcher does so at its first batch, for a file that appeared
// after the start (prepareOlder).
func (a *Agent) logOlder(s *source) {
	if s.olderLater {
		return
	}
	logOlderCopies(a.log, a.cfg, s, s.older)
}

// logOlderCopies logs older, the rotated copies of s's file its tailer
// does not read, with the command that sends them (SendOlder of c), unless
// there are none.
func logOlderCopies(log *slog.Logger, c *config.Config, s *source, older []string) {
	if len(older) == 0 {
		return
	}
	msg := "rotated copies older than this first start are not read (only copies rotated after it are): send them once with gitlab-syslog send"
	switch {
	case s.waited && s.glob != "":
		msg = "rotated copies last written before the glob's first start are not read (nor a .gz whose header dates the file it compresses before then; only copies rotated after it are): send them once with gitlab-syslog send"
	case s.waited:
		msg = "rotated copies last written before the agent last waited for the path are not read (and a .gz whose header dates the file it compresses before then: an older copy compressed since): send those that hold lines never sent once with gitlab-syslog send"
	}
	log.Info(msg,
		"path", s.cfg.Path, "copies", strings.Join(older, ", "),
		"send", SendOlder(c, s.cfg, older))
}

// SendOlder returns the send command (one line of text, ending in a
// parenthesis that says to put the collector's URL and TLS flags in) that
// sends older, the names of rotated copies of the file of the source sc,
// once, oldest first, as run would have sent them: its type (auto when
// the source has none, as a glob's), for a container log its format and
// other_subcomponents: forward, and the settings of c that change the
// messages (hostname, forward's facility, sd_id, structured_data and
// format, tailer.max_line_bytes) when they are not the defaults (trial
// 280: a backfill unlike run's lines). run logs it at a first start; check
// prints it for the copies a first start will not read.
func SendOlder(c *config.Config, sc config.Source, older []string) string {
	flags := "--type " + cmp.Or(sc.Type, "auto")
	if f := sc.Format; f != "" && f != "plain" {
		flags += " --format " + f
		if sc.OtherSubcomponents == "forward" {
			flags += " --other-subcomponents forward"
		}
	}
	add := func(flag, v, def string) {
		if v != "" && v != def {
			flags += " " + flag + " " + shellcmd.Quote(v)
		}
	}
	if !c.HostnameFromOS() && len(c.Hostname) <= forwarder.MaxHostname { // a longer one is refused: not repeated whole
		add("--hostname", c.Hostname, "")
	}
	add("--facility", c.Forward.Facility, config.DefaultFacility)
	add("--sd-id", c.Forward.SDID, config.DefaultSDID)
	if n := c.Tailer.MaxLineBytes; n > 0 && n != config.DefaultMaxLine {
		flags += " --max-line-bytes " + strconv.Itoa(n)
	}
	if sd := c.Forward.StructuredData; sd != nil && !*sd {
		flags += " --no-sd"
	}
	if strings.EqualFold(c.Forward.Format, "rfc3164") {
		flags += " --rfc3164"
	}
	return fmt.Sprintf("gitlab-syslog send %s --to URL -- %s (oldest first; URL and the TLS flags as forward has them)", flags, oldestFirst(older))
}

// workers returns the encode workers per source: Options.Workers, else
// the pipeline block's, else DefaultWorkers.
func (a *Agent) workers(cfg *config.Config) int {
	switch {
	case a.opts.Workers > 0:
		return a.opts.Workers
	case cfg.Pipeline.Workers > 0:
		return cfg.Pipeline.Workers
	}
	return DefaultWorkers()
}

// newSources makes, without starting them, a source for each configured
// path that is not a glob, for the streaming receiver's spool and for each
// network input's spool, and a globSource for each glob. With detections
// on, it returns what is left to do for each source before it starts
// (attachDetector, detector.attach).
func (a *Agent) newSources(cfg *config.Config, facility forwarder.Facility, workers int) ([]*source, []*globSource, []*attachment, error) {
	scs := append([]config.Source(nil), cfg.Sources...)
	if a.streamer != nil {
		scs = append(scs, config.Source{Type: "audit", Path: a.streamer.spoolPath, AppName: config.AppNameAudit, StartAt: "beginning"})
	}
	scs = append(scs, a.inputSources()...)
	var srcs []*source
	var globs []*globSource
	var ats []*attachment
	for _, sc := range scs {
		tc := a.tailerConfig(cfg, sc)
		if sc.IsGlob() {
			globs = append(globs, &globSource{sc: sc, tc: tc, matched: map[string]*source{}, log: a.log})
			continue
		}
		in := a.inputOf(sc.Path)
		if in != nil {
			ic := in.srv.Config()
			tc.MaxLineBytes = max(tc.MaxLineBytes, ic.MaxSpoolLine())
		}
		spooled := a.streamer != nil && sc.Path == a.streamer.spoolPath
		if spooled { // an event answered 200 is forwarded whole
			tc.MaxLineBytes = max(tc.MaxLineBytes, a.streamer.r.MaxSpoolLine())
		}
		s, err := newSource(sc, tc, cfg.Hostname, facility, workers, a.sink, a.enc, a.geo, a.m, &a.aw, a.log)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("agent: source %s: %w", sc.Path, err)
		}
		if in != nil {
			s.attachRelay(in, a.geo, forwarder.RecordOptions{Facility: facility, Hostname: cfg.Hostname})
		}
		s.carryWait = a.opts.CarryTimeout
		if spooled {
			a.streamer.src.Store(s)
			s.markSpool()
		}
		if at := s.attachDetector(a.det, cfg.Hostname, spooled); at != nil {
			ats = append(ats, at)
		}
		srcs = append(srcs, s)
	}
	return srcs, globs, ats, nil
}

// openWatcher creates the inotify instance the tailers share (one for
// all the files followed, however many: the kernel's
// fs.inotify.max_user_instances, 128 by default, counts instances per
// user), unless the tailers poll (--poll). When none can be created it
// logs why, once, and the tailers poll.
func (a *Agent) openWatcher() {
	if a.opts.TailerPoll {
		return
	}
	w, err := tailer.NewWatcher()
	if err != nil {
		a.log.Warn("inotify unavailable: every file is polled instead (a look every poll interval)", "err", err,
			"hint", "\"too many open files\" means this user's inotify instances (fs.inotify.max_user_instances) are all taken by other processes: raise it (sysctl fs.inotify.max_user_instances=512)")
		return
	}
	a.watcher = w
}

// closeWatcher releases the tailers' inotify instance, once they stopped.
func (a *Agent) closeWatcher() {
	if a.watcher != nil {
		a.watcher.Close()
	}
}

// tailerConfig returns the tailer configuration of source sc: the tailer
// block, with the source's path and start position and the agent's
// options, and the shared inotify instance (polling without one).
func (a *Agent) tailerConfig(cfg *config.Config, sc config.Source) tailer.Config {
	tc := cfg.Tailer
	tc.Path, tc.StateDir, tc.OldDir, tc.Extension = sc.Path, cfg.StateDir, sc.OldDir, sc.Extension
	tc.ShutdownTimeout, tc.Poll, tc.Complete = a.opts.ShutdownTimeout, a.opts.TailerPoll || a.watcher == nil, a.opts.ExitAtEOF
	tc.Watcher = a.watcher
	tc.Logger = a.log // the tailer adds the path itself
	if sc.StartAt == "end" {
		tc.StartAt = tailer.StartEnd
	}
	return tc
}

// stopSources stops reading and waits for the tailers' final checkpoints.
// Batches in flight are acknowledged first: with closeSink the sink is
// closed, which flushes its queue (a batch it cannot deliver before the
// deadline is acknowledged with an error and read again: by the new
// sources when reload is set, else at the next start);
// without, the agent waits for the acknowledgements of the running sink.
func (a *Agent) stopSources(ctx context.Context, closeSink, reload bool) error {
	a.mu.Lock()
	cancel := a.cancelSr
	a.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	a.globWG.Wait() // no source is added after this
	a.mu.Lock()
	srcs := a.sources
	a.sources, a.cancelSr, a.nglobs = nil, nil, 0
	a.mu.Unlock()
	// Acknowledgements must come before the tailers' own shutdown timeout,
	// so give them a part of the time.
	ackCtx, ackCancel := context.WithDeadline(ctx, time.Now().Add(time.Until(deadlineOf(ctx))*3/5))
	defer ackCancel()
	for _, s := range srcs {
		s.stopHandoff(ackCtx) // before the sink closes: the batch in hand reaches it
	}
	if closeSink {
		a.closeSink(ackCtx, reload)
	} else {
		for _, s := range srcs {
			// Once its goroutines returned, the tailer has written its
			// checkpoint: a batch acknowledged later moves it no more.
			for !s.idle() && !s.returned() && ackCtx.Err() == nil {
				time.Sleep(5 * time.Millisecond)
			}
		}
	}
	var errs []error
	for _, s := range srcs {
		if err := s.wait(ctx); err != nil {
			errs = append(errs, fmt.Errorf("agent: source %s did not stop: %w", s.cfg.Path, err))
		}
		a.m.RemoveSource(metricsType(s.cfg), s.cfg.Path)
	}
	return errors.Join(errs...)
}

func deadlineOf(ctx context.Context) time.Time {
	if d, ok := ctx.Deadline(); ok {
		return d
	}
	return time.Now().Add(DefaultShutdownTimeout)
}

func (a *Agent) allAtEOF() bool {
	a.mu.Lock()
	srcs := a.sources
	a.mu.Unlock()
	for _, s := range srcs {
		if !s.atEOF() {
			return false
		}
	}
	return true
}

// forwarderStats returns the forwarder's stats for the metrics and the
// --once summary: the running sink's, its counters added to those of the
// sinks closed before it (fwdBase), so that a reload that opens another
// never makes them go back; the gauges are the running sink's (zero once
// it is closed).
func (a *Agent) forwarderStats() metrics.ForwarderStats {
	a.mu.Lock()
	s, enc, base, closed := a.sink, a.enc, a.fwdBase, a.fwdClosed
	a.mu.Unlock()
	if s == nil {
		return base
	}
	if s == closed { // counted in base
		return base
	}
	st := addCounters(sinkStats(s, enc), base)
	st.Unacknowledged = a.aw.stalled(time.Now())
	return st
}

// sinkStats returns the stats of the sink s and of its encoder enc (nil:
// none).
func sinkStats(s sink, enc *forwarder.Encoder) metrics.ForwarderStats {
	st := s.Stats()
	if enc != nil {
		es := enc.Stats()
		st.Clamped, st.ShortNames, st.Repaired, st.BOMs, st.Timestamps = es.Clamped, es.ShortNames, es.Repaired, es.BOMs, es.Timestamps
		st.SDDropped = es.SDDropped
	}
	return st
}

// addCounters returns st with the counters of base added (the gauges,
// Connected, QueueDepth and Unacknowledged, are st's).
func addCounters(st, base metrics.ForwarderStats) metrics.ForwarderStats {
	st.Reconnects += base.Reconnects
	st.Sent += base.Sent
	st.Dropped += base.Dropped
	st.Resent += base.Resent
	st.Truncated += base.Truncated
	st.Clamped += base.Clamped
	st.ShortNames += base.ShortNames
	st.Repaired += base.Repaired
	st.BOMs += base.BOMs
	st.Timestamps += base.Timestamps
	st.Escaped += base.Escaped
	st.SDDropped += base.SDDropped
	return st
}

// Health returns nil when every source is running and the forwarder keeps
// up, or an error listing what is wrong, one problem a line: a source that
// stopped, a source path that exists but cannot be read, a checkpoint that
// could not be written (naming its file), a stalled forwarder, a stopped
// streaming receiver or one whose spool does not persist events, a
// stopped input.
func (a *Agent) Health() error {
	a.mu.Lock()
	srcs, s, st, nglobs, ins := a.sources, a.sink, a.streamer, a.nglobs, a.inputs
	a.mu.Unlock()
	var problems []string
	if s == nil {
		problems = append(problems, "forwarder: not started")
	} else if d := a.aw.stalled(time.Now()); d >= a.opts.StallLimit {
		problems = append(problems, fmt.Sprintf("forwarder: nothing acknowledged by %s for %s while batches wait: %s", s.URL(), d.Round(time.Second), a.stallCause(s.LastError())))
	}
	if len(srcs) == 0 && nglobs == 0 { // a glob may match no file on this node
		problems = append(problems, "no source is running")
	}
	for _, src := range srcs {
		if err := src.err(); err != nil {
			problems = append(problems, fmt.Sprintf("source %s stopped: %v", src.cfg.Path, err))
		}
		if err := src.t.OpenError(); err != nil {
			problems = append(problems, fmt.Sprintf("source %s cannot be read (retrying): %v", src.cfg.Path, err))
		}
		if err := src.t.CheckpointError(); err != nil {
			problems = append(problems, fmt.Sprintf("source %s: checkpoint not saved, so a restart would send its lines again: %v", src.cfg.Path, err))
		}
	}
	problems = append(problems, intake(st, ins)...)
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "\n"))
	}
	return nil
}

// Ready returns nil when the agent takes what clients push to it: the
// Audit Event Streaming receiver (when configured) runs and spools the
// events it is sent, and the network inputs run; else an error listing
// what is wrong, one problem a line. Unlike Health it does not look at
// the collector: what the receiver and the inputs take is spooled and
// sent once the collector is back, so a load balancer in front of
// several receivers should keep one whose collector is down (fresh-user
// trial 283), and take out one that refuses events.
func (a *Agent) Ready() error {
	a.mu.Lock()
	st, ins := a.streamer, a.inputs
	a.mu.Unlock()
	if problems := intake(st, ins); len(problems) > 0 {
		return errors.New(strings.Join(problems, "\n"))
	}
	return nil
}

// intake returns the problems of the streaming receiver st (nil: none
// configured) and the network inputs ins: one stopped, or a receiver
// whose spool does not persist the events it is sent.
func intake(st *streamer, ins []*input) []string {
	var problems []string
	if st != nil {
		if err := st.err(); err != nil {
			problems = append(problems, "streaming receiver stopped: "+err.Error())
		} else if err := st.r.SpoolFault(); err != nil {
			problems = append(problems, "streaming receiver: "+err.Error())
		}
	}
	for _, in := range ins {
		if err := in.runErr(); err != nil {
			problems = append(problems, "input stopped: "+err.Error())
		}
	}
	return problems
}

// streamer runs the Audit Event Streaming receiver.
type streamer struct {
	r         *streaming.Receiver
	spoolPath string
	done      chan struct{}
	mu        sync.Mutex
	runErr    error
	// src is the source following the spool; nil until the first one is
	// made (a reload replaces it).
	src atomic.Pointer[source]
}

// drained reports whether the source following the spool committed a
// position in cur, the current spool file: it is then done with
// events.log.1, which the spool's next rotation replaces (see
// streaming.Receiver.SetRotateCheck).
func (st *streamer) drained(cur os.FileInfo) bool {
	return committedIn(st.src.Load(), cur)
}

func (st *streamer) err() error {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.runErr
}

// streamingConfig is the receiver's configuration: cfg's streaming block
// with the agent's logger, and cfg's places of its keys for the
// receiver's warnings (as check prints them: "FILE:LINE: streaming.KEY").
func (a *Agent) streamingConfig(cfg *config.Config) streaming.Config {
	sc := cfg.Streaming
	sc.Logger = a.log
	sc.Where = func(key string) string { return cfg.Where("streaming." + key) }
	return sc
}

// reloadStreaming puts the streaming tokens and TLS certificate of cfg in
// use (a rotated token_file, a renewed certificate). Its other streaming
// settings need a restart: they are set back to old's.
func (a *Agent) reloadStreaming(old, cfg *config.Config) {
	a.mu.Lock()
	st := a.streamer
	a.mu.Unlock()
	reloaded := false
	if st != nil {
		if err := st.r.Reload(a.streamingConfig(cfg)); err != nil {
			a.log.Error("reload: streaming tokens and certificate unchanged", "err", err)
		} else {
			reloaded = true
			a.log.Info("reload: streaming tokens and TLS certificate reread")
		}
	}
	next := old.Streaming
	if reloaded {
		next.Tokens, next.TokenFile, next.TokenEnv, next.TLS = cfg.Streaming.Tokens, cfg.Streaming.TokenFile, cfg.Streaming.TokenEnv, cfg.Streaming.TLS
	}
	if keys := changedKeys("streaming", next, cfg.Streaming, "tokens"); len(keys) > 0 {
		a.log.Warn("reload: streaming changes other than tokens and certificate files take effect at the next restart; the receiver runs as before until then",
			"changed", strings.Join(keys, ", "))
	}
	cfg.Streaming = next
}

func (a *Agent) startStreaming(ctx context.Context, cfg *config.Config) error {
	sc := cfg.Streaming
	if sc.Listen == "" {
		return nil
	}
	open := streaming.New
	if a.opts.ExitAtEOF {
		open = streaming.OpenSpool
	}
	r, err := open(a.streamingConfig(cfg))
	if err != nil {
		return fmt.Errorf("agent: %w", listenError(cfg, "streaming.listen", err))
	}
	if a.opts.ExitAtEOF {
		a.log.Info("--once: the streaming receiver does not listen; what its spool holds (received by an earlier run, not yet forwarded) is forwarded, then the run ends",
			"listen", sc.Listen, "spool", r.SpoolPath())
	}
	a.exportStreaming(r)
	st := &streamer{r: r, spoolPath: r.SpoolPath(), done: make(chan struct{})}
	r.SetRotateCheck(st.drained)
	go func() {
		defer close(st.done)
		if err := r.Run(ctx); err != nil {
			st.mu.Lock()
			st.runErr = err
			st.mu.Unlock()
			a.log.Error("streaming receiver stopped", "err", err)
		}
	}()
	a.mu.Lock()
	a.streamer = st
	a.mu.Unlock()
	return nil
}

func (a *Agent) stopStreaming() {
	if a.streamer != nil {
		<-a.streamer.done
	}
}
