package agent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"reflect"
	"sync"
	"sync/atomic"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
	"github.com/gitlab-syslog/gitlab-syslog/internal/geoip"
	"github.com/gitlab-syslog/gitlab-syslog/internal/inputs"
	"github.com/gitlab-syslog/gitlab-syslog/internal/mapping"
	"github.com/gitlab-syslog/gitlab-syslog/internal/metrics"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
	"github.com/gitlab-syslog/gitlab-syslog/tailer"
)

// inputSourceType is config.Source.Type, and the type label of the
// metrics, of a network input's spool followed as a source.
const inputSourceType = "input"

// input is a running network input (see internal/inputs).
type input struct {
	srv  *inputs.Server
	log  *slog.Logger
	done chan struct{}
	mu   sync.Mutex
	err  error
	// index is the input's place in the inputs list of the configuration
	// it was started with (inputs[index]), and where the places of that
	// entry's keys in it (inputWhere), for its warnings at a reload.
	index int
	where func(key string) string
	// Counted by the sources' workers: messages forwarded unchanged and
	// dropped because their APP-NAME is none of gitlab-syslog's.
	other, dropped atomic.Uint64
	// src is the source following the spool; nil between sources (a
	// reload).
	src atomic.Pointer[source]
	// legacy holds the HOSTNAMEs warned about for sending RFC 3164 (at
	// most maxLegacyHosts).
	legacyMu sync.Mutex
	legacy   map[string]struct{}
	// alerting holds the HOSTNAMEs warned about for sending their own
	// detection alerts (at most maxLegacyHosts); under legacyMu.
	alerting map[string]struct{}
}

// maxLegacyHosts bounds the hosts an input warns about for sending RFC
// 3164; past it, further hosts are not logged.
const maxLegacyHosts = 1024

// warnLegacy logs, once per sending host, that a node (gitlab-syslog, or
// rsyslog with a default template) sends GitLab's logs in RFC 3164, which
// the aggregator does not re-parse: its messages go out as other
// messages, past every detection; the warning says how to make each send
// RFC 5424.
func (in *input) warnLegacy(host []byte) {
	if !in.firstFrom(&in.legacy, string(host)) {
		return
	}
	in.log.Warn("inputs: a node sends GitLab's logs in RFC 3164 (<PRI>TIMESTAMP HOSTNAME TAG: MSG): its messages are handled as other messages (not parsed, past every detection); aggregation needs RFC 5424 from the nodes: on a gitlab-syslog node set forward.format: rfc5424 (no --rfc3164); on an rsyslog node give its omfwd or omrelp action template=\"RSYSLOG_SyslogProtocol23Format\"",
		"listen", in.srv.Config().Listen, "hostname", string(host))
}

// firstFrom adds host to the set *hosts (one of in's, under legacyMu) and
// reports whether it is new there and one of the first maxLegacyHosts:
// the warning about it is logged once.
func (in *input) firstFrom(hosts *map[string]struct{}, host string) bool {
	in.legacyMu.Lock()
	defer in.legacyMu.Unlock()
	if _, ok := (*hosts)[host]; ok || len(*hosts) >= maxLegacyHosts {
		return false
	}
	if *hosts == nil {
		*hosts = make(map[string]struct{})
	}
	(*hosts)[host] = struct{}{}
	return true
}

// warnNodeAlerts logs, once per sending host, that a node sends its own
// detection alerts while this agent runs the rules on the lines it
// receives: an alert both raise reaches the collector twice, with one
// alert_id (both hash the same events); the warning says what to do.
func (in *input) warnNodeAlerts(host string) {
	if !in.firstFrom(&in.alerting, host) {
		return
	}
	in.log.Warn("inputs: a node sends its own detection alerts while this agent runs the rules on the lines it receives from it: an alert both raise reaches the collector twice, with one alert_id; turn detections off on the nodes (detections: {enabled: false}, as examples/node.yaml does), or deduplicate by alert_id in the SIEM",
		"listen", in.srv.Config().Listen, "hostname", host)
}

// drained reports whether the source following the spool committed a
// position in cur, the current spool file: it is then done with the file
// rotated before, which the spool's next rotation replaces.
func (in *input) drained(cur os.FileInfo) bool { return committedIn(in.src.Load(), cur) }

// committedIn reports whether s, the source following a spool (nil: none
// yet), committed a position in cur, the spool's current file.
func committedIn(s *source, cur os.FileInfo) bool {
	if s == nil {
		return false
	}
	return s.t.Stats().CommittedFile.SameAs(cur)
}

// startInputs opens every configured input and runs it until ctx ends.
// With ExitAtEOF (--once) an input does not listen: only its spool is
// opened, and followed as a source, so that what an earlier run received
// and did not forward is forwarded before the run ends; each input logs
// that at INFO. On an error the inputs opened so far are stopped when ctx
// ends.
func (a *Agent) startInputs(ctx context.Context, cfg *config.Config) error {
	open := inputs.Listen
	if a.opts.ExitAtEOF {
		open = inputs.OpenSpool
	}
	for i, ic := range cfg.Inputs {
		if ic.Listen == "" {
			continue // off (config.Config.InputsOn)
		}
		ic.Logger = a.log
		ic.Where = inputWhere(cfg, i)
		srv, err := open(ic)
		if err != nil {
			return fmt.Errorf("agent: %w", err)
		}
		if a.opts.ExitAtEOF {
			a.log.Info("--once: the input does not listen; what its spool holds (received by an earlier run, not yet forwarded) is forwarded, then the run ends",
				"listen", ic.Listen, "spool", srv.SpoolPath())
		}
		in := &input{srv: srv, index: i, where: ic.Where, done: make(chan struct{}), log: a.log}
		srv.SetRotateCheck(in.drained)
		go func() {
			defer close(in.done)
			if err := srv.Run(ctx); err != nil {
				in.mu.Lock()
				in.err = err
				in.mu.Unlock()
				a.log.Error("input stopped", "listen", ic.Listen, "err", err)
			}
		}()
		a.mu.Lock()
		a.inputs = append(a.inputs, in)
		a.mu.Unlock()
	}
	if len(a.inputs) > 0 {
		a.m.SetInputs(a.inputStats)
	}
	return nil
}

// stopInputs waits for the inputs to stop (their context ended).
func (a *Agent) stopInputs() {
	for _, in := range a.inputs {
		<-in.done
	}
}

// inputWhere returns the places of the keys of cfg's inputs[i] for the
// input's warnings (inputs.Config.Where), as check prints them:
// "FILE:LINE: inputs[i].KEY".
func inputWhere(cfg *config.Config, i int) func(key string) string {
	return func(key string) string { return cfg.Where(fmt.Sprintf("inputs[%d].%s", i, key)) }
}

// reloadInputs keeps the running inputs: a change of the inputs list
// needs a restart. The warning of a plain listener on a non-loopback
// address is logged again, as at start: at the line of its entry in
// cfg's file, or, when the list changed, in the file as read at start
// (the entry the input runs with).
func (a *Agent) reloadInputs(old, cfg *config.Config) {
	changed := !reflect.DeepEqual(old.Inputs, cfg.Inputs) // old.Inputs: those started
	if changed {
		a.log.Warn("reload: inputs changes take effect at the next restart")
	}
	for _, in := range a.inputs {
		where := in.where
		if !changed {
			where = inputWhere(cfg, in.index)
		}
		in.srv.WarnPlain(where)
	}
	cfg.Inputs = old.Inputs
}

// inputSources returns the sources that follow the inputs' spools.
func (a *Agent) inputSources() []config.Source {
	var scs []config.Source
	for _, in := range a.inputs {
		scs = append(scs, config.Source{Type: inputSourceType, Path: in.srv.SpoolPath(), StartAt: "beginning"})
	}
	return scs
}

// inputOf returns the input whose spool is path, or nil.
func (a *Agent) inputOf(path string) *input {
	for _, in := range a.inputs {
		if in.srv.SpoolPath() == path {
			return in
		}
	}
	return nil
}

// inputStats reports the inputs' counters for the metrics.
func (a *Agent) inputStats() []metrics.InputStats {
	a.mu.Lock()
	ins := a.inputs
	a.mu.Unlock()
	var out []metrics.InputStats
	for _, in := range ins {
		s := in.srv.Stats()
		out = append(out, metrics.InputStats{
			Listen: in.srv.Config().Listen, Connections: s.Connections, Open: s.Open, Messages: s.Messages, Bytes: s.Bytes,
			Refused: s.Refused, Truncated: s.Truncated, Malformed: s.Malformed, TLSErrors: s.TLSErrors,
			Timeouts: s.Timeouts, IdleClosed: s.IdleClosed, Protocol: s.Protocol, SpoolErrors: s.SpoolErrors, AcceptErrors: s.AcceptErrors,
			Other: in.other.Load(), Dropped: in.dropped.Load(),
		})
	}
	return out
}

// runErr returns why an input stopped, or nil.
func (in *input) runErr() error {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.err
}

// attachRelay makes the source's workers map its lines as an input's
// spool lines (see inputs.Relay).
func (s *source) attachRelay(in *input, geo *geoip.DB, opts forwarder.RecordOptions) {
	for _, w := range s.workers {
		w.relay = inputs.NewRelay(geo, opts, in.srv.Config().Other)
		w.in = in
	}
	s.rescan.relay = inputs.NewRelay(geo, opts, in.srv.Config().Other)
	in.src.Store(s)
}

// encodeInput is encode for the spool of an input: each line is a
// received syslog message, re-parsed by APP-NAME (inputs.Relay), forwarded
// unchanged or dropped. The events the engine wants carry the message's
// HOSTNAME as their Host.
func (w *worker) encodeInput(tb *tailer.Batch, fb *forwarder.Batch, evs *[]*detect.Event) {
	fb.Reset()
	n := tb.Len()
	if w.sums != nil {
		w.sums.reset(w.det, n)
	}
	failures := 0
	var other, dropped uint64
	for i := range n {
		line := tb.Line(i)
		if parser.Blank(line) {
			continue
		}
		out, perr := w.relay.Map(line, tb.IsCut(i), &w.rec, &w.msg)
		switch out {
		case inputs.Parsed:
			if w.read != nil {
				w.read.note(w.rec.Time, tb, i)
			}
			if set := w.want(); set.Wanted() {
				*evs = append(*evs, w.event(tb, i, w.msg.Msg, set))
			} else if w.sums != nil && w.sums.on {
				w.sums.take(i, w.wr, &w.rec)
			}
		case inputs.Raw:
			failures++
			if w.pl != nil && !errors.Is(perr, mapping.ErrNoParser) {
				w.pl.report(tb.Name, tb.Offsets[i], perr)
			}
		case inputs.Other:
			other++
			w.checkLegacy()
			if host, ok := w.relay.Alert(); ok && w.det != nil {
				w.in.warnNodeAlerts(host)
			}
			m, sd, msg := w.relay.Message()
			fb.AppendRaw(m, sd, msg)
			continue
		case inputs.Dropped:
			dropped++
			w.checkLegacy()
			continue
		}
		fb.Append(w.enc, &w.msg)
	}
	w.m.LinesRead.Add(float64(n))
	w.m.BytesRead.Add(float64(len(tb.Data) + n))
	if failures > 0 {
		w.m.ParseFailures.Add(float64(failures))
		if w.unparsed != nil {
			w.unparsed.Add(uint64(failures))
		}
	}
	w.in.other.Add(other)
	w.in.dropped.Add(dropped)
}

// checkLegacy warns when the other message just mapped comes from a
// gitlab-syslog node sending RFC 3164.
func (w *worker) checkLegacy() {
	if host, ok := w.relay.Legacy3164(); ok {
		w.in.warnLegacy(host)
	}
}
