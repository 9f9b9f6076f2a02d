package agent

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"reflect"
	"slices"
	"strings"
	"time"
	"unsafe"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
	"github.com/gitlab-syslog/gitlab-syslog/internal/detectconf"
	"github.com/gitlab-syslog/gitlab-syslog/internal/inputs"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
	"github.com/gitlab-syslog/gitlab-syslog/tailer"
	"github.com/gitlab-syslog/gitlab-syslog/tailer/checkpoint"
)

// streamSource is Event.Source for the lines of the streaming spool.
const streamSource = "stream"

// openDetections builds the detection engine for cfg and restores its
// state from <state_dir>/detect/, or leaves a.det nil when detections are
// off. It must run after openGeoIP: the country rules use a.geo. A TI file
// that is missing or unusable does not stop the start: the rule runs with
// no indicators, one error says why, and the file is read once it can be
// (detect.Engine.Refresh).
func (a *Agent) openDetections(cfg *config.Config) error {
	d, err := a.newDetector(cfg)
	if err != nil {
		return err
	}
	if d != nil {
		d.e.KeepData(nil) // nothing to keep: logs the faults of the rules' files
	}
	a.mu.Lock()
	a.det = d
	a.mu.Unlock()
	if d != nil {
		a.m.SetDetections(d.stats)
	}
	return nil
}

// newDetector builds the engine for cfg, or returns nil with detections
// off. A rule's data file (ti_file) that cannot be used is a data fault of
// a running agent, not an error (cfg.Detections.Running): the rule is
// built without the file's data; the caller lets it take the data of the
// engine it replaces, if any (detect.Engine.KeepData), which logs the
// fault.
func (a *Agent) newDetector(cfg *config.Config) (*detector, error) {
	if !cfg.Detections.On() {
		a.log.Info("detections off (detections.enabled: false)")
		return nil, nil
	}
	cfg.Detections.Running = true
	d := newDetector(nil, nil, "", forwarder.RecordOptions{}, a.log)
	if err := d.setWire(cfg); err != nil {
		return nil, err
	}
	e, st, err := detectconf.Build(cfg, nil, detect.Config{Emit: d.emit, Log: a.log, Geo: a.geo, StateDir: cfg.StateDir, Nodes: len(cfg.InputsOn()) > 0, WantFirst: true, MinWatermark: true, MaxAhead: detect.LiveMaxAhead, OrderGrace: detect.DefaultOrderGrace, DedupeLines: true,
		QuietSave: true}) // detector.save logs the failures, paced (saveLog)
	if err != nil {
		return nil, fmt.Errorf("agent: %w", err)
	}
	d.e = e
	if st, err := detect.OpenStore(cfg.StateDir); err == nil {
		d.store = st
		d.loadPositions()
		d.loadActivity(time.Now())
		var jr journaled
		d.journal, jr, d.trusted = openDelivered(st.Dir(), a.log)
		d.delivered = jr.ids
		for _, q := range jr.quiet { // delivered since the state was saved
			e.Quiet(q.key, q.until)
		}
	}
	var on []string
	for _, s := range st {
		if s.On { // the engine logs the rules that are off, and why
			on = append(on, s.Info.ID)
		}
	}
	attrs := []any{"rules", len(on), "state", cfg.StateDir + "/detect", "lateness", cfg.Detections.Lateness}
	if cfg.Line("detections") == 0 {
		// An upgrade from a release without detections, its config kept:
		// alerts now go to the collector too.
		attrs = append(attrs, "note", "on by default: the configuration has no detections block; alerts go to the same destination as the lines, under APP-NAME GitLab-Detections; detections: {enabled: false} turns them off")
	}
	a.log.Info("detections on", attrs...)
	if len(on) == 0 {
		a.log.Warn("detections: no rule runs with these sources and settings; the lines are shipped, and no alert will come",
			"hint", "the log lines before this one say why each rule is off; `gitlab-syslog check` lists them")
	}
	a.log.Debug("detection rules on", "rules", strings.Join(on, ","))
	return d, nil
}

// setWire makes the alerts encoded from now on use cfg's encoder,
// facility, hostname and SD-ID, as the log lines of the sources a reload
// started do. It returns an error, and changes nothing, for a facility
// that does not parse.
func (d *detector) setWire(cfg *config.Config) error {
	facility, err := forwarder.ParseFacility(cfg.Forward.Facility)
	if err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	// An alert is fit to the destination's limit by fitAlert, which keeps
	// its STRUCTURED-DATA when shortening raw is enough: not by the line
	// encoder's limit, which drops it.
	d.enc, d.sdid, d.opts = cfg.Forward.Encoder(), cfg.Forward.SDID, forwarder.RecordOptions{Facility: facility, Hostname: cfg.Hostname}
	d.stream = cfg.Forward.Stream()
	return nil
}

// attachDetector gives the source and its workers the detector, if any,
// and returns what is left to do before the source starts: fold the lines
// its checkpoint passed since the last state save, with the other sources'
// (see catchUp), and register it (detector.attach). It returns nil when d
// is nil.
func (s *source) attachDetector(d *detector, host string, stream bool) *attachment {
	if d == nil {
		return nil
	}
	s.det = d
	origin, name := detect.OriginFile, s.cfg.Path
	if stream {
		origin, name = detect.OriginStream, streamSource
	}
	if s.cfg.Type == inputSourceType {
		origin = detect.OriginInput // Host is each message's HOSTNAME (encodeInput)
	}
	for _, w := range s.workers {
		w.det, w.origin, w.src, w.host = d.e, origin, name, host
	}
	s.rescan.det, s.rescan.origin, s.rescan.src, s.rescan.host = d.e, origin, name, host
	s.prevDone = 0
	at := &attachment{s: s, name: name, stream: stream}
	if sc := s.savedPosition(); sc != nil {
		key := fileKey(tailer.FileID{Dev: sc.Dev, Ino: sc.Ino})
		at.ck = position{FileID: key, Offset: sc.Offset, Heads: withHead(nil, key, head{sc.Fingerprint, sc.FpLen})}
		at.resume = true
		if replacedInPlace(s.cfg.Path, sc) {
			// The tailer reads the file anew from its start: none of
			// its lines is one the rules folded before the stop. When
			// a rotated copy holds the content the checkpoint points
			// into (copytruncate after the checkpoint), the tailer
			// drains it from there first: its lines up to the
			// checkpoint are caught up, as after a truncation seen.
			at.ck.Offset, at.ck.Heads = 0, nil // its first bytes are new
			from, had := d.from(name)
			if had {
				// The source's newest line folded stays known: by it
				// the next start tells this position from one of a
				// file that nothing was folded of (pastTruncation).
				at.ck.Newest = from.Newest
			}
			saved := at.ck
			if had {
				var withCut position
				at.catch, withCut, at.linked = s.copyCatchUp(from, at.ck.FileID, sc)
				if at.catch != nil {
					saved = withCut
				}
			}
			d.replaced(name, at.ck.FileID, saved)
			s.log.Info("detection: the file was truncated or replaced in place while stopped; the detection rules read it from its start, as the tailer does", "path", s.cfg.Path)
		} else if from, had := d.from(name); had {
			if cs := s.truncatedWhileStopped(sc); len(cs) > 0 {
				from = d.cutWhileStopped(name, from, cs)
			}
			at.catch, at.linked = s.catchUpReader(s.workers[0], from, sc)
		}
	} else if fi, err := os.Stat(s.cfg.Path); err == nil && s.cfg.StartAt != "end" {
		dev, ino := checkpoint.DevIno(fi)
		at.ck = position{FileID: fileKey(tailer.FileID{Dev: dev, Ino: ino})} // read from its start
	}
	return at
}

// copyCatchUp returns the catch-up of a source whose file (fileKey key)
// was truncated in place after its checkpoint sc and before the agent
// started (copytruncate while stopped, or too soon before a crash for the
// checkpoint to pass the truncation): the ranges from the saved position
// from to the checkpoint, the file's content before the truncation read
// from the rotated copy that begins with the checkpoint's first bytes
// (as the tailer resumes it). withCut is from with that truncation
// recorded (position.Cuts), to be saved: a crash before the next state
// save catches up the copy, then the file from its start, as cutAt
// arranges for a truncation seen. It returns a nil reader when no copy
// matches, or the checkpoint has no first bytes to match it by.
func (s *source) copyCatchUp(from position, key string, sc *checkpoint.Position) (c *catchUpReader, withCut position, linked bool) {
	ct := cut{File: key, Fingerprint: sc.Fingerprint, FpLen: sc.FpLen}
	if sc.FpLen == 0 {
		return nil, from, false
	}
	if pastTruncation(from, key, sc) {
		// Caught up again, the copy's lines raised their alerts again
		// at every start (fresh-user trial 284).
		return nil, from, false
	}
	name, _, ok := s.rotatedCopy(ct)
	if !ok {
		return nil, from, false
	}
	fi, err := os.Stat(name)
	if err != nil {
		return nil, from, false
	}
	if !slices.Contains(from.Cuts, ct) {
		from.Cuts = append(slices.Clip(from.Cuts), ct)
	}
	// The checkpoint is in the copy: its position ends the copy's range,
	// and the file's new content, after it, is the tailer's to read.
	inCopy := *sc
	inCopy.File = name
	inCopy.Dev, inCopy.Ino = checkpoint.DevIno(fi)
	c, linked = s.catchUpReader(s.workers[0], from, &inCopy)
	return c, from, linked
}

// pastTruncation reports whether the saved position from is in the new
// content of the file key, truncated in place after the tailer's
// checkpoint sc, while sc, not committed since for want of a new line,
// still points into the copy of the old content: an earlier start caught
// the copy up and registered the file anew from its start (offset 0, no
// head, lines folded before it: attachDetector), or the rules folded new
// lines (a head of the same length as sc's but another). A head over
// another length than sc's does not tell: the copy is caught up, as
// before.
func pastTruncation(from position, key string, sc *checkpoint.Position) bool {
	if from.FileID != key {
		return false
	}
	h, ok := from.Heads[key]
	switch {
	case !ok:
		return from.Offset == 0 && !from.Newest.IsZero()
	case h.FpLen == sc.FpLen:
		return h.Fingerprint != sc.Fingerprint
	}
	return false
}

// truncatedWhileStopped returns the truncations in place (copytruncate)
// made while the agent was stopped of the files the tailer's checkpoint
// ck has positions in: its own file, renamed away (at the path, its
// truncation is replacedInPlace's, and this is not called), and the newer
// files it keeps apart (checkpoint.Position.Next and Between). A
// logrotate run that renames the file, then, before the
// restart, copies the newer one and truncates it in place leaves the
// checkpoint's position in the newer file pointing into its old content,
// now in the copy. Such a file is one found under the path or a rotated
// name (openFile) with the position's device and inode that is no longer
// the file as checkpointed (tailer.Resumable: another head, shorter than
// the offset, or other bytes before it). Each truncation is the position's
// file cut with the position's first bytes, as srcPos.set records one
// seen while running; a file gone, or checkpointed empty, has none.
func (s *source) truncatedWhileStopped(ck *checkpoint.Position) []cut {
	kept := []checkpoint.FilePosition{{File: ck.File, Dev: ck.Dev, Ino: ck.Ino, Fingerprint: ck.Fingerprint, FpLen: ck.FpLen,
		Offset: ck.Offset, PreLen: ck.PreLen, PreHash: ck.PreHash}}
	if ck.Next != nil { // Between is kept only with Next
		kept = append(append(kept, ck.Between...), *ck.Next)
	}
	var cuts []cut
	for _, p := range kept {
		if p.FpLen <= 0 {
			continue
		}
		key := fileKey(tailer.FileID{Dev: p.Dev, Ino: p.Ino})
		f, err := openFile(s.cfg.Path, copiesOf(s.cfg), key)
		if err != nil {
			continue
		}
		name := f.Name()
		f.Close()
		as := checkpoint.Position{Version: ck.Version, Path: ck.Path, File: name, Dev: p.Dev, Ino: p.Ino,
			Fingerprint: p.Fingerprint, FpLen: p.FpLen, Offset: p.Offset, PreLen: p.PreLen, PreHash: p.PreHash}
		if !tailer.Resumable(name, &as) {
			cuts = append(cuts, cut{File: key, Fingerprint: p.Fingerprint, FpLen: p.FpLen})
		}
	}
	return cuts
}

// attachment is what attachDetector leaves to do for a source before it
// starts (detector.attach).
type attachment struct {
	s      *source
	name   string   // the source's name in the engine (Event.Source)
	stream bool     // the streaming receiver's spool
	ck     position // where the tailer starts: its checkpoint, or the file's start
	resume bool     // ck is the tailer's checkpoint
	// catch reads the lines the checkpoint passed since the last state
	// save (nil: the state has no position of the source); linked is
	// false when the saved position does not lead to the checkpoint.
	catch  *catchUpReader
	linked bool
}

// attach finishes attachDetector for the sources of ats (nil entries are
// skipped; nil d does nothing), before they start. It first folds again
// every source's lines that its tailer's checkpoint passed after the last
// state save (see catchUp), all sources together, merged by event time
// (foldCaughtUp): folded one source after the other, a rule joining two
// logs would see, say, the audit log's actions before the application
// log's session start and miss them. The alerts the catch-up raises that
// were not delivered before the restart go out through the sources' sink
// (under ctx). Then, for each source, a saved
// position that does not lead to the checkpoint is replaced by the
// checkpoint (rebase), the engine resumes the file at the checkpoint
// (detect.Engine.ResumeAt), and the source's position tracker is made
// (register).
func (d *detector) attach(ctx context.Context, ats []*attachment) {
	if d == nil {
		return
	}
	var rs []*catchUpReader
	var snk sink
	for _, at := range ats {
		if at != nil && at.catch != nil {
			rs = append(rs, at.catch)
			snk = at.s.sink
		}
	}
	if len(rs) > 0 {
		d.foldCaughtUp(ctx, rs, snk)
	}
	for _, at := range ats {
		if at == nil {
			continue
		}
		s := at.s
		if c := at.catch; c != nil {
			if err := errors.Join(c.errs...); err != nil {
				s.log.Warn("detection catch-up incomplete: lines checkpointed after the last detection save (sent already) are not given to the detection rules again, so alerts they would raise may be missing; err says which lines and why", "path", s.cfg.Path, "err", err)
			} else if c.n > 0 {
				s.log.Info("detection caught up with the checkpoint", "path", s.cfg.Path, "lines", c.n)
			}
			if !at.linked {
				// The saved state does not lead to the checkpoint (it
				// predates the checkpoint's files: detections were off
				// meanwhile): start from the checkpoint, as a source new
				// to the detection state does.
				d.rebase(at.name, at.ck)
			}
		}
		if at.resume {
			// A line of the file starting before the checkpoint is one
			// written after a truncation (a live copytruncate), never
			// one folded before: the tailer resumes at the checkpoint.
			d.e.ResumeAt(at.name, at.ck.FileID, at.ck.Offset)
		}
		d.mu.Lock()
		d.losses.nameFile(at.name, s.cfg.Path) // the spool's, for find_line
		d.mu.Unlock()
		_, err := os.Stat(s.cfg.Path)
		s.detPos = d.register(at.name, at.ck, errors.Is(err, fs.ErrNotExist) && !at.stream && s.cfg.Type != inputSourceType)
		if c := at.catch; c != nil {
			d.handOver(ctx, s.detPos, c, s.sink)
		}
	}
}

// replacedInPlace reports whether the file at path has the device and
// inode of the file the tailer's checkpoint ck points into but is not
// that file as checkpointed (tailer.Resumable): it was truncated or
// rewritten while the agent was stopped (copytruncate), or is a new file
// that reused the inode. The detection state knows files by device and
// inode alone, so it would take the new file's lines for those it folded
// before the stop. A file that cannot be opened (its mode) is not known
// to be replaced: the tailer waits for it and resumes at the checkpoint.
func replacedInPlace(path string, ck *checkpoint.Position) bool {
	fi, err := os.Stat(path)
	if err != nil {
		return false
	}
	dev, ino := checkpoint.DevIno(fi)
	if dev != ck.Dev || ino != ck.Ino || (dev == 0 && ino == 0) {
		return false
	}
	f, err := os.Open(path)
	if err != nil {
		return false // the tailer waits until it can open it, and resumes at the checkpoint
	}
	f.Close()
	return !tailer.Resumable(path, ck)
}

// savedPosition returns the tailer's saved position of the source, or nil
// when there is none or it cannot be read. The tailer's Stats only report a
// position once a line was read in this run.
func (s *source) savedPosition() *checkpoint.Position {
	if s.store == nil {
		return nil
	}
	p, err := s.store.LoadPosition(s.cfg.Path)
	if err != nil {
		return nil
	}
	return p
}

// detectTick is how often detectLoop wakes.
const detectTick = time.Second

// saveDue reports whether a detectLoop tick at now is the one to save the
// detection state at, the last save (or the start) having been at last,
// with state_save_interval every. A tick counts as due when it comes at
// most half a tick before every has passed: ticks come late or early by a
// few milliseconds, and an interval that is a whole number of ticks would
// otherwise be missed by a tick that came early and saved one tick late.
func saveDue(now, last time.Time, every time.Duration) bool {
	return now.Sub(last) >= every-detectTick/2
}

// detectLoop, every second until ctx ends, lets the rules look at their
// external data (detect.Engine.Refresh: a changed TI file is reread with no
// event needed) and saves the detection state every
// state_save_interval. The final save is Run's, after the sources stopped.
func (a *Agent) detectLoop(ctx context.Context) {
	tick := time.NewTicker(detectTick)
	defer tick.Stop()
	last := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			a.mu.Lock()
			d, every := a.det, a.cfg.Detections.StateSaveInterval
			a.mu.Unlock()
			if d == nil {
				continue
			}
			d.e.Refresh()
			if !saveDue(now, last, every) {
				continue
			}
			last = now
			d.save(ctx, min(saveWait, every/2))
		}
	}
}

// advanceIdle lets windows close and held events be decided while every
// source is idle (see detector.advanceIdle). It runs on Run's goroutine.
func (a *Agent) advanceIdle(ctx context.Context) {
	a.mu.Lock()
	d, snk, lateness := a.det, a.sink, a.cfg.Detections.Lateness
	a.mu.Unlock()
	if d == nil || snk == nil {
		return
	}
	d.advanceIdle(ctx, time.Now(), lateness, snk, a.allAtEOF)
}

// caughtUp tells the engine which sources are read to their end
// (source.atEOF): they stop holding the watermark and the events the
// engine's reorder buffer sorts until they give a new line (see
// detect.Engine.Caught). Without it, a quiet source would keep the other
// sources' events from the order-dependent rules for lateness. It runs on
// Run's goroutine.
func (a *Agent) caughtUp(ctx context.Context) {
	a.mu.Lock()
	d, snk, srcs := a.det, a.sink, a.sources
	a.mu.Unlock()
	if d == nil || snk == nil {
		return
	}
	var names []string
	for _, s := range srcs {
		if s.detPos != nil && s.atEOF() {
			names = append(names, s.detPos.name)
		}
	}
	// Also with none: an event a source held for the engine's OrderGrace
	// is let go once that source was found at its end again, or no
	// longer holds it.
	d.alone(ctx, snk, func() { d.e.Caught(names) })
}

// flushDetections decides what the engine holds back for lateness when
// --once ends the run, as an idle instance would after lateness: the
// watermark moves to now − lateness, so everything of older logs is
// decided, and the alerts go out before the sources stop. The lines the
// sources hold are settled first (settleHeldLines).
func (a *Agent) flushDetections(ctx context.Context) {
	a.mu.Lock()
	d, snk, lateness := a.det, a.sink, a.cfg.Detections.Lateness
	a.mu.Unlock()
	if d == nil || snk == nil {
		return
	}
	d.settleHeldLines(ctx, snk, time.Now(), true)
	d.advance(ctx, time.Now().Add(-lateness), snk)
}

// closeDetections saves the detection state after the sources stopped.
// It returns an error when a state file could not be written (for the
// exit status of --once); a save skipped for alerts still in flight is
// not one (see detector).
func (a *Agent) closeDetections() error {
	a.mu.Lock()
	d := a.det
	a.mu.Unlock()
	if d == nil {
		return nil
	}
	d.flushLosses()
	before := d.e.Stats().StateSaveErrors
	if d.save(context.Background(), shutdownSaveWait) {
		a.log.Info("detection state saved", "dir", a.cfg.StateDir+"/detect")
		return nil
	}
	if n := d.e.Stats().StateSaveErrors - before; n > 0 {
		d.mu.Lock()
		saves := d.saves
		d.mu.Unlock()
		if saves.held { // the same failure as at the saves before: not logged by save
			a.log.Error("detection state not saved at shutdown", "dir", a.cfg.StateDir+"/detect", "failed_saves", saves.failed,
				"note", "the cause is logged above, at the first of these failed saves")
		}
		return fmt.Errorf("detection state not saved: %d file(s) under %s could not be written (logged above)", n, a.cfg.StateDir+"/detect")
	}
	return nil
}

// reloadDetections applies the detections block of cfg after a SIGHUP,
// while no source runs: an unchanged block (and GeoIP) only rereads the
// rules' files (the TI indicator file); a changed one saves the running
// engine's state and builds a new engine from it. One line logs what
// changed: the rules turned on or off, those whose severity or parameters
// changed, or that none did (diffDetections), and the file each rule with
// one uses, with its number of indicators (fileAttrs). On failure the running
// engine stays. A rule's data file that is missing, holds nothing usable
// or became empty is a data fault, not a configuration error
// (cfg.Detections.Running): the rule keeps the data it had, the rule logs
// one error, and it reads the file again when it is back.
func (a *Agent) reloadDetections(old, cfg *config.Config, geoChanged bool) {
	a.mu.Lock()
	d := a.det
	a.mu.Unlock()
	cfg.Detections.Running = true
	if d != nil && a.detectionsKept(old, cfg, geoChanged) {
		if err := d.setWire(cfg); err != nil { // a forward a reload accepted parses
			a.log.Error("reload: the alerts keep their facility, hostname and SD-ID", "err", err)
		}
		if err := d.e.Reload(); err != nil { // the rule logged it, with the file and what to do
			a.log.Info("reload: detections unchanged, rules' files reread; a rule whose file could not be used keeps its data",
				append([]any{"err", err}, fileAttrs(d.e)...)...)
		} else {
			a.log.Info("reload: detections unchanged, rules' files reread", fileAttrs(d.e)...)
		}
		return
	}
	if d == nil && !cfg.Detections.On() {
		return
	}
	if d != nil && d.lost.Load() {
		a.log.Info("reload: detection alerts were not delivered by the old destination; the detection engine restarts from its last saved state, so that the sources' catch-up raises them again")
	}
	if d != nil {
		d.save(context.Background(), saveWait)
		d.freeze() // the new engine reads what d saved last
	}
	nd, err := a.newDetector(cfg)
	if err != nil {
		if d != nil {
			d.thaw()
		}
		a.log.Error("reload: detections unchanged", "err", err)
		cfg.Detections = old.Detections
		return
	}
	if nd != nil {
		var prev *detect.Engine
		if d != nil {
			prev = d.e
		}
		nd.e.KeepData(prev)
		if d != nil && d.journal != nil && nd.journal != nil && d.journal.path == nd.journal.path {
			nd.journal = d.journal // one file handle; the old one's acks may still come
		}
	}
	if d != nil {
		saves := d.retire()
		if nd != nil {
			nd.base, nd.saves = d.stats(), saves
		}
	}
	a.mu.Lock()
	a.det = nd
	a.mu.Unlock()
	switch {
	case nd == nil:
		a.m.SetDetections(nil)
		a.log.Info("reload: detections turned off")
	case d == nil:
		a.m.SetDetections(nd.stats)
		a.log.Info("reload: detections turned on", fileAttrs(nd.e)...)
	default:
		a.m.SetDetections(nd.stats)
		ch := diffDetections(d.e, nd.e, &old.Detections, &cfg.Detections)
		a.log.Info("reload: detections rebuilt", append(ch.attrs(), fileAttrs(nd.e)...)...)
	}
}

// detectionsKept reports whether a reload from old to cfg keeps the
// running detection engine (reloadDetections then rereads the rules'
// files only): the detections block, the state_dir, the GeoIP databases
// (geoChanged) and the logs the sources read (which turn rules on or off)
// are the same; or detections are off and stay off. An engine whose
// alerts were abandoned (the old forwarder closed with them queued, at a
// reload that changed the destination) is never kept: it saves no state
// any more, and rebuilt from its last saved state it raises them again
// in the sources' catch-up, as after a restart.
func (a *Agent) detectionsKept(old, cfg *config.Config, geoChanged bool) bool {
	a.mu.Lock()
	d := a.det
	a.mu.Unlock()
	if d == nil {
		return !cfg.Detections.On()
	}
	return !d.lost.Load() && !geoChanged && old.StateDir == cfg.StateDir && sameDetections(old.Detections, cfg.Detections) &&
		slices.Equal(detectconf.LogTypes(old), detectconf.LogTypes(cfg))
}

// sameDetections reports whether a and b configure the same engine:
// Running only says whether it is built at start or at a reload.
func sameDetections(a, b config.Detections) bool {
	a.Running, b.Running = false, false
	return reflect.DeepEqual(a, b)
}

// recheck asks the engine again which lines of sl it wants when a rule
// started wanting more lines (detect.Engine.WantEpoch) before the workers
// of the earlier batches were done but after sl's worker began: sl's lines
// were checked while another worker read the previous batch, which may
// hold the start of an impersonation that makes the user's later lines
// wanted. It runs on the sender, in file order, and adds the events of the
// lines now wanted to sl.events, in file order. Only the lines that may
// hold one of the engine's hints (detect.Engine.WantHints) are parsed
// again: those whose hint sums (lineSums, recorded by the worker) match a
// hint's, or, without sums, that contain a hint; every line when the
// engine has no hints. When no line's sums match, nothing is parsed.
func (s *source) recheck(sl *slot) {
	prev := s.prevDone
	s.prevDone = max(prev, sl.doneEpoch) // a batch done early may predate an earlier batch's start
	w := s.rescan
	if w == nil || w.det == nil || sl.tb == nil || prev <= sl.wantEpoch { // a flush slot has no lines
		return
	}
	hints, exact := w.det.WantHints(sl.wantEpoch, s.hints[:0])
	defer func() {
		clear(hints)
		s.hints = hints[:0]
	}()
	if exact && len(hints) == 0 {
		return
	}
	summed := exact && sl.sums.on
	if summed {
		hs := s.hintSums[:0]
		for _, h := range hints {
			hs = append(hs, detect.HintSum(h))
		}
		s.hintSums = hs
		if !sl.sums.any(hs) {
			return
		}
	}
	old, out := sl.events, s.rechecked[:0]
	j := 0
	w.arena = &sl.arena // with the worker's events, reset with the slot
	if w.uw != nil {
		w.uw.dec.Seed(&sl.carry) // the parts the batch before left pending
	}
	for i := range sl.tb.Len() {
		line := sl.tb.Line(i)
		if w.uw != nil { // every record, in order: the decoder joins parts
			var ok bool
			if line, ok = s.unwrapAgain(w, sl, i); !ok {
				continue
			}
		}
		if j < len(old) && old[j].Offset == sl.tb.Offsets[i] {
			out = append(out, old[j]) // wanted by the worker
			j++
			continue
		}
		switch {
		case summed:
			if !sl.sums.matches(i, s.hintSums) {
				continue
			}
		case exact:
			if !containsAny(sl.tb.Line(i), hints) {
				continue
			}
		}
		if ev := w.wantAgain(sl.tb, i, line); ev != nil {
			out = append(out, ev)
		}
	}
	clear(old)
	s.rechecked, sl.events = old[:0], out
}

// unwrapAgain decodes record i of sl for recheck as encode's unwrapLine
// does (w.rec filled when the GitLab line parsed), into a batch and counts
// recheck throws away: the worker already sent and counted it. It returns
// the GitLab line, and false for a part, a dropped or blank line, a
// wrapper that did not decode or a line that did not parse.
func (s *source) unwrapAgain(w *worker, sl *slot, i int) ([]byte, bool) {
	var c unwrapCounts
	line, ok, perr := w.unwrapLine(sl.tb, i, &s.recheckFB, &c)
	s.recheckFB.Reset()
	return line, ok && perr == nil
}

// wantAgain returns the event of line i of tb when the engine wants it
// now, or nil. For a container format w.rec already holds the parsed
// line (unwrapAgain); an input's spool line is re-parsed by its relay.
func (w *worker) wantAgain(tb *tailer.Batch, i int, line []byte) *detect.Event {
	switch {
	case w.uw != nil:
	case w.relay != nil:
		if out, _ := w.relay.Map(line, tb.IsCut(i), &w.rec, &w.msg); out != inputs.Parsed {
			return nil
		}
		set := w.want()
		if !set.Wanted() {
			return nil
		}
		return w.event(tb, i, w.msg.Msg, set)
	default:
		if parser.Blank(line) || w.mp.Map(line, tb.IsCut(i), &w.rec, &w.msg) != nil {
			return nil
		}
	}
	set := w.want()
	if !set.Wanted() {
		return nil
	}
	return w.event(tb, i, line, set)
}

// containsAny reports whether line contains one of subs.
func containsAny(line []byte, subs []string) bool {
	l := unsafe.String(unsafe.SliceData(line), len(line))
	for _, sub := range subs {
		if strings.Contains(l, sub) {
			return true
		}
	}
	return false
}
