package tailer

import (
	"os"
	"path/filepath"
	"regexp"

	"github.com/gitlab-syslog/gitlab-syslog/tailer/checkpoint"
)

// backupSuffix matches what logrotate appends to the name of a file it
// moves out of the way when a rotation's destination exists ("error:
// destination X already exists, renaming to X-%Y%m%d%H.backup"): a
// rotated copy's name, after a change of its settings (delaycompress,
// copytruncate), or the file's own name, when create finds a file at the
// path (a writer that opens the log for each line recreated it between
// logrotate's rename and its create): "-", ten digits (the year to the
// hour), ".backup".
var backupSuffix = regexp.MustCompile(`-[0-9]{10}\.backup$`)

// warnBackups warns about the rotated copies of the file, and the files
// at its path, that logrotate renamed to *.backup (backupSuffix; before
// it, a copy's name or the file's) and that
// were last written after ck was saved: they may hold lines never read,
// and the tailer does not read them, their place in the rotation order
// being lost. It counts them in Stats.UnplacedRotated.
func (t *Tailer) warnBackups(ck *checkpoint.Position) {
	if ck.Updated.IsZero() {
		return
	}
	path, dir, old := t.naming().where()
	dirs := []string{dir}
	if old != "" {
		dirs = append(dirs, old)
	}
	base := filepath.Base(path)
	var names []string
	for _, dir := range dirs {
		ents, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range ents {
			n := e.Name()
			loc := backupSuffix.FindStringIndex(n)
			if loc == nil || n[:loc[0]] != base && !rotatedName(base, t.cfg.Extension, n[:loc[0]]) {
				continue
			}
			if fi, err := e.Info(); err == nil && fi.Mode().IsRegular() && fi.ModTime().After(ck.Updated) {
				names = append(names, filepath.Join(dir, n))
			}
		}
	}
	if len(names) == 0 {
		return
	}
	t.c.unplaced.Add(uint64(len(names)))
	t.log.Warn("tailer: files that logrotate renamed to *.backup (the destination of a rotation existed: its settings changed, such as delaycompress or copytruncate, or a writer recreated the log between logrotate's rename and create), written after the checkpoint was saved, may hold lines never read, and are not read; if lines are missing downstream, send them with gitlab-syslog send, oldest first",
		"files", names, "checkpoint_saved", ck.Updated)
}
