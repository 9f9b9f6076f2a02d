package tailer

import (
	"os"
	"path/filepath"
	"time"
)

// vigilFor is how long after a rotated copy of the file was last written
// the tailer keeps following the file write by write (see copying).
const vigilFor = 2 * time.Second

// copying reports whether a rotated copy of the file (plain, not .gz) was
// written less than vigilFor ago: logrotate's copytruncate is copying the
// file and will truncate it next. Lines written after the copy and before
// the truncation exist only in the live file, and only until then, so
// meanwhile every change of the file is read as soon as it is notified. It
// lists the directory (and the olddir, Config.OldDir) only when its mtime
// changed (a file was created, renamed or removed in it) or a copy was
// recent; otherwise it costs one stat (two with an olddir).
func (t *Tailer) copying(now time.Time) bool {
	dir, err := os.Stat(filepath.Dir(t.cfg.Path))
	if err != nil {
		return false
	}
	mod := dir.ModTime()
	if t.cfg.OldDir != "" {
		if old, err := os.Stat(OldDir(t.cfg.Path, t.cfg.OldDir)); err == nil && old.ModTime().After(mod) {
			mod = old.ModTime()
		}
	}
	recent := now.Sub(t.rot.copyMod) < vigilFor
	if mod.Equal(t.rot.dirMod) && !recent {
		return false
	}
	t.rot.dirMod = mod
	sibs, err := rotatedSiblings(t.naming())
	if err != nil {
		return recent
	}
	for _, s := range sibs {
		if !s.gz && s.fi.ModTime().After(t.rot.copyMod) {
			t.rot.copyMod = s.fi.ModTime()
		}
	}
	return now.Sub(t.rot.copyMod) < vigilFor
}
