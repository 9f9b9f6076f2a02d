package agent

import (
	"errors"
	"io/fs"
	"os"
	"slices"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/tailer"
	"github.com/gitlab-syslog/gitlab-syslog/tailer/checkpoint"
)

// absentCheckpoints returns, at the initial scan, the paths g's pattern
// matches that have a checkpoint but no file now (paths are the
// matches), and that no other source follows: a file renamed away by a
// rotation (to a name the glob may not match) while its lines were not
// all sent, and no new file at its path yet, when the agent stopped.
// Their tailers resume from the checkpoint, in the rotated copy, and are
// forgotten once drained, as the file would have been. A checkpoint whose
// file is in no rotated copy is left as it is; the record a handOver gave
// a name whose file is gone since is removed.
func (g *globSource) absentCheckpoints(paths []string, followed *followedSet) []string {
	store := g.store()
	if store == nil {
		return nil
	}
	keys, err := store.Keys(checkpoint.PositionKeyPrefix)
	if err != nil {
		return nil
	}
	var out []string
	for _, k := range keys {
		var pos checkpoint.Position
		if ok, err := store.Load(k, &pos); !ok || err != nil || pos.Path == "" || k != checkpoint.PositionKey(pos.Path) {
			continue
		}
		p := pos.Path
		if !g.matches(p) || slices.Contains(paths, p) || g.matched[p] != nil || followed.hasKey(p) {
			continue
		}
		if _, err := os.Lstat(p); !errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if pos.HandedOver != "" {
			// A file read to its end before it was renamed to p, now
			// gone: nothing to resume (handOver). A record that cannot
			// be removed is tried again at the next start.
			_ = store.Remove(k)
			continue
		}
		if !g.copyHolds(p, &pos) {
			continue // the file is gone (a deleted pod's log): left as it was
		}
		out = append(out, p)
	}
	return out
}

// handOver saves the checkpoint of path, a file g forgets, under the name
// its file has now when g matches that name (a rotation renamed it to
// a-20261201.log under *.log with extension .log): the file is left to
// the tailer that read it while this process runs (sameFile), and after a
// restart, when no file at path claims it as its rotated copy, it is a
// match of its own that resumes where that tailer stopped, instead of
// being read again from its beginning. The file is known by its device,
// inode and first bytes (a file created on its device and inode after it
// was deleted is another). Nothing is saved when the file is at no such
// name or the name has a checkpoint already.
func (g *globSource) handOver(store *checkpoint.Store, path string) {
	pos, err := store.LoadPosition(path)
	if err != nil || pos == nil || pos.Dev == 0 && pos.Ino == 0 {
		return
	}
	for _, q := range g.paths {
		fi, err := os.Stat(q)
		if err != nil || q == path {
			continue
		}
		if dev, ino := checkpoint.DevIno(fi); dev != pos.Dev || ino != pos.Ino {
			continue
		}
		if id, err := tailer.PositionFile(pos); err != nil || !id.HeadMatches(q) {
			continue // another file, given the device and inode of pos's after it was deleted
		}
		if have, err := store.LoadPosition(q); err != nil || have != nil {
			return
		}
		pos.Path, pos.File, pos.Next, pos.Between, pos.HandedOver = q, q, nil, nil, path
		if err := store.SavePosition(*pos); err != nil && g.log != nil {
			g.log.Warn("forgetting a file: its checkpoint not handed over to its new name; after a restart that file is read again from its beginning",
				"path", path, "new_name", q, "err", err)
		}
		return
	}
}

// copyHolds reports whether a rotated copy of p holds the file pos, p's
// checkpoint, points into (tailer.RotatedCopy: by its first bytes, its
// device and inode preferred).
func (g *globSource) copyHolds(p string, pos *checkpoint.Position) bool {
	id, err := tailer.PositionFile(pos)
	if err != nil {
		return false
	}
	sc := g.sc
	sc.Path = p
	_, ok := tailer.RotatedCopy(copiesOf(sc), id)
	return ok
}

// store returns the checkpoint store of g's files, or nil without one;
// it opens the state directory's once (globSource.ck).
func (g *globSource) store() *checkpoint.Store {
	switch {
	case g.tc.Checkpoints != nil:
		return g.tc.Checkpoints
	case g.ck == nil && g.tc.StateDir != "":
		g.ck, _ = checkpoint.Open(g.tc.StateDir) // nil on error
	}
	return g.ck
}

// followsCopy is the tailer.Config.FollowedElsewhere of g's files: the
// rotated copy at path (fi its os.Stat) is followed by g (it matches g's
// pattern), or was read by the tailer of a file g forgot (rememberRead).
func (g *globSource) followsCopy(path string, fi os.FileInfo) bool {
	if g.matches(path) {
		return true
	}
	id, ok := idOf(fi)
	if !ok {
		return false
	}
	g.readMu.Lock()
	defer g.readMu.Unlock()
	_, read := g.read[id]
	return read
}

// rememberRead records, at now, the files the tailer of s, a file g
// forgets, read last and those it read renamed away (see followsCopy),
// and drops what it recorded more than readMemory ago.
func (g *globSource) rememberRead(s *source, now time.Time) {
	if s.t == nil {
		return
	}
	ids := append(s.t.RenamedFiles(nil), s.t.Stats().ReadFile)
	g.readMu.Lock()
	defer g.readMu.Unlock()
	for id, at := range g.read {
		if now.Sub(at) > readMemory {
			delete(g.read, id)
		}
	}
	for _, id := range ids {
		if id.Dev == 0 && id.Ino == 0 {
			continue
		}
		if g.read == nil {
			g.read = map[fileID]time.Time{}
		}
		g.read[fileID{id.Dev, id.Ino}] = now
	}
}

// readMemory is how long a glob remembers the files the tailers of the
// files it forgot read (globSource.read).
const readMemory = 24 * time.Hour

// unsentUnderOwnName reports whether the match p was followed under its
// own name before this start (its checkpoint is of the file at p) and not
// to its end: a copy made before its file was seen, which the glob
// followed (see skip), whose lines were not all acknowledged when the
// agent stopped. The tailer of the file it was rotated from never read
// it, so it is followed again, from its checkpoint.
func (g *globSource) unsentUnderOwnName(p string) bool {
	store := g.store()
	if store == nil {
		return false
	}
	pos, err := store.LoadPosition(p)
	if err != nil || pos == nil {
		return false
	}
	fi, err := os.Stat(p)
	if err != nil {
		return false
	}
	dev, ino := checkpoint.DevIno(fi)
	return pos.Dev == dev && pos.Ino == ino && (dev != 0 || ino != 0) && pos.Offset < fi.Size()
}
