package agent

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/sniff"
	"github.com/gitlab-syslog/gitlab-syslog/tailer"
	"github.com/gitlab-syslog/gitlab-syslog/tailer/checkpoint"
)

// DefaultGlobInterval is how often the agent lists the files a glob source
// matches: new files are followed from then on, and files gone are
// forgotten (as Fluent Bit's refresh_interval, Vector's
// glob_minimum_cooldown_ms).
const DefaultGlobInterval = time.Second

// globSource is a source whose path is a glob: one source per matching
// file, created and forgotten as files come and go.
type globSource struct {
	sc      config.Source
	tc      tailer.Config // the template; Path is set per file
	matched map[string]*source
	// skipped holds the matches not followed (rotated copies, compressed
	// files), each logged once.
	skipped map[string]bool
	// special holds the matches not followed for not being regular files
	// (a named pipe), each logged once, and forgotten when the path is a
	// regular file again.
	special map[string]bool
	// dangling: the scan before warned that every match was a symbolic
	// link whose target does not exist (warnDangling).
	dangling bool
	// unlisted: the scan before warned that the glob's directory cannot
	// be listed (warnUnlisted).
	unlisted bool
	// paths are the glob's matches at its last scan, for skip to find a
	// copy's file whatever order they come in.
	paths []string
	// ck is the checkpoint store store opened for g (tc has none).
	ck *checkpoint.Store
	// readMu guards read, which the tailers of this glob's files consult
	// (followsCopy) while scan adds to it.
	readMu sync.Mutex
	// read holds the files that the tailers of the files this glob forgot
	// read last (rememberRead), by device and inode, with when: a rotated
	// copy among them (renamed away, then written to after its tailer
	// stopped) is not read again as a copy made before a new file at its
	// path, for readMemory.
	read map[fileID]time.Time
	// gone holds the files of this glob forgotten while a rotated copy of
	// theirs is still matched, so that the copy is not taken for a new file.
	gone map[string]bool
	// linked holds the matches not followed for being, by device and
	// inode, a file another source follows through another path (a
	// symbolic or hard link, a bind mount): the identity they had when
	// judged, so that each is logged once and judged again only when the
	// path names another file.
	linked map[string]fileID
	// since is when the glob was first scanned, and forgot holds the
	// paths it forgot since, with when: its watch record (see
	// globwatch.go). recordDirty is set when the record changed since it was
	// saved, recordFailed when the last save failed (logged).
	since                     time.Time
	forgot                    map[string]time.Time
	recordDirty, recordFailed bool
	// blocking holds the matches of a first start with start_at: end
	// whose first checkpoint is not on disk yet (block).
	blocking map[*source]bool
	log      *slog.Logger
}

// fileID is a file's identity: its device and inode, whatever path
// reaches it.
type fileID struct{ dev, ino uint64 }

// idOf returns the identity of the file fi describes, and false when the
// system gives none.
func idOf(fi os.FileInfo) (fileID, bool) {
	dev, ino := checkpoint.DevIno(fi)
	return fileID{dev, ino}, dev != 0 || ino != 0
}

// followedSet is what the running sources follow: the checkpoint keys of
// their paths (checkpoint.PositionKey), and the identity of the file at
// each path now, with the path and the source's configured path (a glob,
// or the path itself) that follow it. A glob leaves a match to the source
// that follows its key or its file.
type followedSet struct {
	keys map[string]bool
	ids  map[fileID]follower
}

// follower is the path through which a source follows a file, and the
// source's configured path; renamed is set when the file is no longer at
// path but the source's tailer still reads it (a rotation renamed it
// away, and the tailer reads it to its end).
type follower struct {
	path, source string
	renamed      bool
	file         tailer.FileID // the file a renamed follower's tailer reads, with its fingerprint
}

func newFollowedSet() *followedSet {
	return &followedSet{keys: map[string]bool{}, ids: map[fileID]follower{}}
}

// add records that path is followed by the source configured as source;
// fi is the file at path, or nil to look it up (a path with no file yet
// adds its key only). The first follower of a file stays its follower.
func (f *followedSet) add(path, source string, fi os.FileInfo) {
	f.keys[checkpoint.PositionKey(path)] = true
	if fi == nil {
		var err error
		if fi, err = os.Stat(path); err != nil || !fi.Mode().IsRegular() {
			return
		}
	}
	if id, ok := idOf(fi); ok {
		if _, taken := f.ids[id]; !taken {
			f.ids[id] = follower{path: path, source: source}
		}
	}
}

// addReading records that the tailer of the source configured as source,
// following path, reads the file id, which may no longer be at path:
// renamed away by a rotation, read to its end. A glob that matches it
// under its new name leaves it to that tailer.
func (f *followedSet) addReading(id tailer.FileID, path, source string) {
	fid := fileID{id.Dev, id.Ino}
	if fid == (fileID{}) {
		return
	}
	if _, taken := f.ids[fid]; !taken {
		f.ids[fid] = follower{path: path, source: source, renamed: true, file: id}
	}
}

// hasKey reports whether a source follows the path with path's checkpoint key.
func (f *followedSet) hasKey(path string) bool { return f.keys[checkpoint.PositionKey(path)] }

// sourceFactory makes and starts the source of one file; it is startSources'
// own construction, so that glob matches get what configured files get.
type sourceFactory func(sc config.Source, tc tailer.Config) (*source, error)

// startSince makes the source of the match p and records it as matched.
// start_at applies at the initial scan; a file that appears later is
// read from its beginning, after the copies made of it since newSince
// when that is not zero (tailer.Config.NewSince). fi is the file the scan
// found at p (nil: none), read from its rotated copy when it is rotated
// away before the tailer opens it (tailer.Config.Matched).
func (g *globSource) startSince(mk sourceFactory, p string, fi os.FileInfo, initial bool, newSince time.Time) (*source, error) {
	sc, tc := g.sc, g.tc
	sc.Path, tc.Path = p, p
	tc.Matched = fi
	// The copies its tailer reads as made before it saw a new file at
	// the path leave those this glob may follow (see skip) or read
	// before.
	tc.FollowedElsewhere = g.followsCopy
	if !initial {
		sc.StartAt, tc.StartAt = "beginning", tailer.StartBeginning
		tc.NewSince = newSince
	}
	s, err := mk(sc, tc)
	if err != nil {
		return nil, fmt.Errorf("agent: source %s (glob %s): %w", p, g.sc.Path, err)
	}
	if _, ok := g.forgot[p]; ok && !initial {
		// Its copies from before newSince were read while it was
		// followed (see Agent.logOlder).
		s.older, s.olderLater = nil, false
	}
	s.glob = g.sc.Path
	g.matched[p] = s
	return s, nil
}

// matches reports whether g's pattern matches path.
func (g *globSource) matches(path string) bool {
	ok, err := filepath.Match(g.sc.Path, path)
	return err == nil && ok
}

// scan lists the files g matches and returns the sources to start for new
// ones (not yet started) and those whose file is gone and fully sent, to
// forget. A file another source follows, by the same path (its checkpoint
// key) or through another one (the same device and inode: a symbolic or
// hard link, a bind mount), is left to it; the latter is logged once per
// match (sameFile). followed is what the running sources follow, and
// scan adds the files it starts to it, so that a glob scanned after g in
// the same round leaves them to g. start_at applies to the files matched at
// start (initial) but for those never followed before a restart (the
// watch record, see globwatch.go); a file that appears later is read from
// its beginning, as Fluent Bit's read_newly_discovered_files_from_head
// does, so that a new pod's first lines are not skipped, after its
// rotated copies made since its path was last followed (the glob's first
// start, or when it forgot the path; tailer.Config.NewSince): files at
// its path may have been rotated away, to a name the glob does not
// match, before a scan saw them.
func (g *globSource) scan(mk sourceFactory, followed *followedSet, initial bool) (added, gone []*source, err error) {
	listed := time.Now()
	paths, err := filepath.Glob(g.sc.Path)
	if err != nil {
		return nil, nil, fmt.Errorf("agent: source %s: %w", g.sc.Path, err)
	}
	now := make(map[string]bool, len(paths))
	fresh := map[string]bool{} // the files this scan starts to follow
	before := make(map[string]bool, len(g.paths))
	for _, p := range g.paths {
		before[p] = true // matched by the scan before: read since, by this glob or another source
	}
	g.paths = paths
	watched := false // a watch record from an earlier start
	if initial {
		watched = g.loadRecord(listed)
		for _, p := range g.absentCheckpoints(paths, followed) {
			s, err := g.startSince(mk, p, nil, initial, time.Time{})
			if err != nil {
				return added, gone, err
			}
			// Not fresh: its tailer reads its rotated copies (skip).
			followed.add(p, g.sc.Path, nil)
			added = append(added, s)
		}
	}
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil || fi.IsDir() {
			continue // a dangling symlink, a directory
		}
		now[p] = true
		if !fi.Mode().IsRegular() {
			g.skipSpecial(p, fi.Mode())
			continue
		}
		delete(g.special, p) // a regular file now: judged as any
		if g.matched[p] != nil || followed.hasKey(p) || g.skip(p, followed, fresh, before, initial) || g.sameFile(p, fi, followed) {
			continue
		}
		// At a restart, a match the runs before never followed is new.
		atStart := initial && (!watched || g.hasCheckpoint(p))
		var newSince time.Time
		if !atStart && !before[p] {
			newSince = g.newSince(p) // its copies made since are read first
		}
		if initial && !atStart && g.log != nil {
			msg := "glob match without a checkpoint, never followed: reading it from its beginning, after its rotated copies last written since the glob was first scanned"
			if _, ok := g.forgot[p]; ok {
				msg = "glob match without a checkpoint, not followed since its path was forgotten (its file deleted or renamed away): reading it from its beginning, after its rotated copies last written since then"
			}
			g.log.Info(msg, "path", p, "glob", g.sc.Path, "since", newSince)
		}
		s, err := g.startSince(mk, p, fi, atStart, newSince)
		if err != nil {
			return added, gone, err
		}
		if atStart && s.cfg.StartAt == "end" {
			g.block(s)
		}
		fresh[p] = true
		followed.add(p, g.sc.Path, fi)
		added = append(added, s)
	}
	for p := range g.skipped {
		if !now[p] {
			delete(g.skipped, p)
		}
	}
	for p := range g.special {
		if !now[p] {
			delete(g.special, p)
		}
	}
	for p := range g.linked {
		if !now[p] {
			delete(g.linked, p)
		}
	}
	g.warnDangling(paths, len(now))
	g.warnUnlisted(len(paths))
	g.pruneGone(now)
	for p, s := range g.matched {
		if !now[p] && s.drained() {
			g.rememberRead(s, listed)
			g.forgetPath(p, listed)
			delete(g.matched, p)
			gone = append(gone, s)
			if g.gone == nil {
				g.gone = map[string]bool{}
			}
			g.gone[p] = true
		}
	}
	return added, gone, nil
}

// skip reports whether the match p is not to be followed as a source of
// its own, logging why the first time:
//   - a rotated copy (tailer.RotatedBases: "0.log.20261129-120000",
//     "app.log.1", "app.log-20261129", each maybe ".gz") of a file that a
//     source followed before this scan (fresh are the files it starts to
//     follow), that the glob matched at its scan before (before; a
//     symbolic link's target another source follows included), or that
//     the glob followed until it was forgotten: the live file's tailer
//     reads what was written to it before the rotation, so following the
//     copy would send its lines again; at start (initial), of a file the
//     glob matches too, whose copies are history as the lines before
//     start_at are. A copy of a file that appeared since the scan before
//     and was rotated before this one saw it is followed: no tailer read
//     it;
//   - a compressed file (.gz, .bz2, .xz, .zst, or gzip, bzip2, xz, zstd
//     magic bytes), or a file whose first bytes are another format that is
//     not lines of text (sniff.NotLines, sniff.FormatOf: zip, a tar archive, an executable,
//     an image): its bytes are not lines. These are logged as warnings.
//
// A rotated-looking name whose base is none of these (a glob such as
// *.log.1 alone, or "worker-1" without a "worker") is followed as a file
// of its own: nothing else reads its lines.
func (g *globSource) skip(p string, followed *followedSet, fresh, before map[string]bool, initial bool) bool {
	if g.skipped[p] {
		return true
	}
	why := ""
	if initial && g.unsentUnderOwnName(p) {
		return false
	}
	for _, b := range tailer.RotatedBases(p, g.sc.Extension) {
		if g.matched[b] != nil && !fresh[b] || g.gone[b] || followed.hasKey(b) && !fresh[b] || (initial || before[b]) && g.matchesFile(b) {
			why = "rotated copy of " + b + ", " + CopyLeftToTailer
			break
		}
	}
	if why == "" && g.sc.OldDir != "" {
		for _, m := range g.paths {
			if m != p && tailer.InOldDir(p, m, g.sc.OldDir, g.sc.Extension) {
				why = "rotated copy of " + m + " in its olddir, " + CopyLeftToTailer
				break
			}
		}
	}
	lvl := slog.LevelInfo
	if why == "" {
		why, lvl = sniff.NotLines(p), slog.LevelWarn
	}
	if why == "" {
		return false
	}
	if g.skipped == nil {
		g.skipped = map[string]bool{}
	}
	g.skipped[p] = true
	if g.log != nil {
		g.log.Log(context.Background(), lvl, "glob match not followed", "path", p, "glob", g.sc.Path, "why", why)
	}
	return true
}

// sameFile reports whether the match p, whose file is fi, is a file that
// another source follows through another path (followed.ids: a
// /var/log/containers symlink and the /var/log/pods file it names, a hard
// link, a bind mount, or the file a source's tailer reads after a rotation
// renamed it to p): following it too would send each of its lines twice.
// It logs, once per match, which source follows the file, and judges a
// match again only when it names another file (a rotation made a new
// one): a match stays left to its follower while it is that file, even if
// the follower is forgotten meanwhile (its path deleted, the file kept
// through p), as its lines up to then were sent by the follower.
func (g *globSource) sameFile(p string, fi os.FileInfo, followed *followedSet) bool {
	id, ok := idOf(fi)
	if !ok {
		return false
	}
	if old, seen := g.linked[p]; seen && old == id {
		return true
	}
	f, taken := followed.ids[id]
	if !taken || f.path == p || f.renamed && !f.file.HeadMatches(p) {
		// Not followed, followed through p, or another file than the
		// renamed one a tailer reads: one created on its device and
		// inode after it was deleted (fresh-user trial 247: a new
		// pod's log never followed, its lines lost).
		delete(g.linked, p)
		return false
	}
	_, seen := g.linked[p]
	if g.linked == nil {
		g.linked = map[string]fileID{}
	}
	g.linked[p] = id
	if g.log != nil && !seen && f.renamed {
		g.log.Info("glob match not followed", "path", p, "glob", g.sc.Path,
			"why", "the file that was "+f.path+" (renamed: a rotation), which the tailer of "+f.path+" (source "+f.source+") reads to its end; following it under its new name too would send its lines again")
	} else if g.log != nil && !seen {
		g.log.Info("glob match not followed", "path", p, "glob", g.sc.Path,
			"why", "the same file as "+f.path+", which source "+f.source+" follows (reached through another path: a symbolic or hard link, a bind mount); a file is followed once, by the source that names it, else the first glob that matched it, so its lines are not sent twice; to silence this, let one source only reach it")
	}
	return true
}

// skipSpecial logs, the first time, a match p that is neither a regular
// file nor a directory (a named pipe, a socket, a device, of mode m): a
// tailer follows regular files only.
func (g *globSource) skipSpecial(p string, m fs.FileMode) {
	if g.special[p] {
		return
	}
	if g.special == nil {
		g.special = map[string]bool{}
	}
	g.special[p] = true
	if g.log != nil {
		g.log.Warn("glob match not followed", "path", p, "glob", g.sc.Path, "why", "not a regular file: "+sniff.Special(m)+"; only regular files are followed")
	}
}

// CopyLeftToTailer says, of a rotated copy a glob matches, why it is not
// followed as a file of its own and when it is read: the tailer of the
// file it was rotated from reads the copies rotated after its checkpoint
// (see package tailer), not those older than the agent's first start.
const CopyLeftToTailer = "left to that file's tailer, which reads a copy rotated after its checkpoint (not those older than the agent's first start: send them with gitlab-syslog send)"

// warnDangling logs, once until a match resolves again, that every one
// of paths, a scan's matches of which files resolve, is a symbolic link
// whose target does not exist: the agent follows nothing there while it
// looks healthy. On Kubernetes that is /var/log/containers read where
// /var/log/pods, which its links point into, is not mounted.
func (g *globSource) warnDangling(paths []string, files int) {
	if files > 0 {
		g.dangling = false
		return
	}
	n, link, target := sniff.Dangling(paths)
	if n == 0 || g.dangling || g.log == nil {
		return
	}
	g.dangling = true
	g.log.Warn("glob matches only symbolic links whose targets do not exist; nothing is followed", "glob", g.sc.Path, "links", n, "link", link, "target", target,
		"hint", "mount the directory the links point into where the agent runs (a DaemonSet reading /var/log/containers needs /var/log/pods too), or point the glob at the files themselves")
}

// warnUnlisted warns, once until it is listed again, when the glob's
// directory (its last part's, when that has no wildcard) exists but cannot
// be opened to list it (its mode): filepath.Glob then matches nothing in
// it and says nothing. matches is the number of matches of this scan.
func (g *globSource) warnUnlisted(matches int) {
	dir := filepath.Dir(g.sc.Path)
	if matches > 0 || g.log == nil || strings.ContainsAny(dir, "*?[") {
		g.unlisted = false
		return
	}
	f, err := os.Open(dir)
	if err == nil {
		f.Close()
	}
	switch {
	case err == nil || errors.Is(err, fs.ErrNotExist):
		g.unlisted = false
	case !g.unlisted:
		g.unlisted = true
		g.log.Warn("the glob's directory cannot be listed: no new file in it is followed until it can (the files followed before are read on)", "glob", g.sc.Path, "dir", dir, "err", err,
			"hint", "run the agent as a user that may read the directory (r and x), as check does as that user")
	}
}

// matchesFile reports whether the glob matches p and p is a regular file.
func (g *globSource) matchesFile(p string) bool {
	if m, _ := filepath.Match(g.sc.Path, p); !m {
		return false
	}
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// pruneGone drops from g.gone the files of which no match in now is a
// rotated copy.
func (g *globSource) pruneGone(now map[string]bool) {
	if len(g.gone) == 0 {
		return
	}
	kept := make(map[string]bool, len(g.gone))
	for p := range now {
		for _, b := range tailer.RotatedBases(p, g.sc.Extension) {
			if g.gone[b] {
				kept[b] = true
			}
		}
	}
	g.gone = kept
}

// drained reports whether everything read from the source was
// acknowledged and its tailer waits for a file at the path: its last line
// was sent, parts of a line held for their end included (see
// Options.CarryTimeout).
func (s *source) drained() bool {
	if _, err := os.Lstat(s.cfg.Path); err == nil {
		return false
	}
	st := s.t.Stats()
	return st.Mode == tailer.ModeWaiting && st.Outstanding == 0 && !st.Held && s.idle() && len(s.t.Batches()) == 0
}

// watchGlobs rescans the glob sources every interval until ctx ends,
// starting the sources of new files and forgetting those of files gone:
// their pipeline is stopped and their checkpoint removed, so that a new
// file at the same path starts afresh.
func (a *Agent) watchGlobs(ctx context.Context, globs []*globSource, mk sourceFactory, interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		followed := a.followedKeys()
		for _, g := range globs {
			added, gone, err := g.scan(mk, followed, false)
			if err != nil {
				a.log.Error("glob scan", "err", err)
			}
			a.addSources(ctx, added)
			for _, s := range gone {
				a.forget(ctx, g, s)
			}
		}
		for _, g := range globs {
			g.saveRecord(time.Now())
		}
	}
}

// followedKeys returns what the running sources follow: their paths'
// checkpoint keys, the files at their paths now, and the files their
// tailers read: the one they read last and those renamed away by a
// rotation, which they read to their end (tailer.Tailer.RenamedFiles).
func (a *Agent) followedKeys() *followedSet {
	a.mu.Lock()
	srcs := slices.Clone(a.sources)
	a.mu.Unlock()
	f := newFollowedSet()
	for _, s := range srcs {
		f.add(s.cfg.Path, cmp.Or(s.glob, s.cfg.Path), nil)
	}
	var ids []tailer.FileID
	for _, s := range srcs {
		if s.t == nil {
			continue
		}
		ids = append(s.t.RenamedFiles(ids[:0]), s.t.Stats().ReadFile)
		for _, id := range ids {
			f.addReading(id, s.cfg.Path, cmp.Or(s.glob, s.cfg.Path))
		}
	}
	return f
}

// addSources starts srcs, each with a context of its own under ctx, and
// adds them to the running sources.
func (a *Agent) addSources(ctx context.Context, srcs []*source) {
	for _, s := range srcs {
		sctx, cancel := context.WithCancel(ctx)
		s.cancel = cancel
		a.prepareOlder(s)
		s.start(sctx)
		a.log.Info("following (glob match)", "path", s.cfg.Path, "format", s.cfg.Format, "type", s.cfg.Type)
		a.logOlder(s)
	}
	a.mu.Lock()
	a.sources = append(a.sources, srcs...)
	a.mu.Unlock()
}

// removeSource removes s from the running sources: into a new slice, as
// the callers that took the old one under a.mu read it after unlocking
// (caughtUp, onceFailed, ...); a delete in place would shift and clear
// the elements under them (fresh-user trial 247: a nil source, a crash
// while pods came and went).
func (a *Agent) removeSource(s *source) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.sources = slices.DeleteFunc(slices.Clone(a.sources), func(x *source) bool { return x == s })
}

// forget stops the source of a file of g that is gone and fully sent,
// removes it from the running sources, deletes its metrics' series and
// its checkpoint, after handing it over to the file's new name when g
// matches that (handOver).
func (a *Agent) forget(ctx context.Context, g *globSource, s *source) {
	s.cancel()
	wctx, cancel := context.WithTimeout(ctx, 2*a.opts.ShutdownTimeout)
	defer cancel()
	s.stopHandoff(wctx)
	if err := s.wait(wctx); err != nil {
		a.log.Warn("forgetting a deleted file: its source did not stop", "path", s.cfg.Path, "err", err)
	}
	a.removeSource(s)
	a.m.ForgetSource(metricsType(s.cfg), s.cfg.Path)
	if s.det != nil {
		s.det.forget(s.cfg.Path)
	}
	if s.store != nil {
		g.handOver(s.store, s.cfg.Path)
		if err := s.store.Remove(checkpoint.PositionKey(s.cfg.Path)); err != nil {
			a.log.Warn("forgetting a deleted file: checkpoint not removed", "path", s.cfg.Path, "err", err)
		}
	}
	a.log.Info("file no longer at its path (deleted or renamed away) and fully sent; forgotten", "path", s.cfg.Path)
}
