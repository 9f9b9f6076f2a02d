// Package tailer follows a log file by name across logrotate (rename and
// copytruncate, with or without compress and dateext), restarts and crashes,
// and keeps a durable checkpoint so that delivery is at least once. It knows
// nothing about the content of the lines.
//
// # Use
//
//	t, err := tailer.New(tailer.Config{Path: "/var/log/app.log", StateDir: "/var/lib/agent"})
//	go t.Run(ctx)
//	for b := range t.Batches() {
//		for i := 0; i < b.Len(); i++ {
//			deliver(b.Line(i))
//		}
//		// once delivered (acknowledged downstream):
//		t.Commit(b, b.Len())
//		t.Release(b)
//	}
//
// Lines come in a Batch: the bytes back to back in Data, with Ends and the
// file offset just after each line in Offsets. Batches are recycled by
// Release, so the steady state allocates nothing per line. The Batches
// channel is bounded (Config.QueueLen): a slow consumer stops the reader.
// Commit must be called for every batch, in the order received; the
// checkpoint then moves to the offset after the last committed line, never
// past a line that was not committed.
//
// # How it reads
//
// A backlog (at start, after a rotation, or whenever the reader falls more
// than a few MiB behind) is read with the package's own reader: one reused
// buffer, lines copied straight into the batch, no allocation per line.
// While lines keep arriving, the same reader reads the live file again
// every FollowLinger (mode "polling"): at a steady 10 MB/s that is one read
// per interval instead of github.com/nxadm/tail's two lseeks, string and
// channel hand-off per line, which halves the agent's CPU. Once the file
// has been quiet for PollInterval, and the path still names the same file,
// following is handed to github.com/nxadm/tail (inotify, or polling when no
// inotify watcher can be created) from that offset, which costs nothing
// while no line comes; its lines are batched too, a batch going out when it
// is full or FollowLinger after no further line was immediately available
// (at once when FollowLinger is negative, which also turns the polling
// off). A batch of 16 lines or more from nxadm/tail means lines flow again,
// and the tailer's own reader takes over, except while a rotated copy of
// the file is being written (copytruncate): lines written between the end
// of the copy and the truncation are in no other file, so meanwhile every
// write is read at once. The tailer
// keeps its own descriptor of the file all along, and every nxadm/tail line
// must continue the previous one exactly (line number and offset); before
// each batch goes out the tailer checks that the path still names its file,
// that the file did not shrink below the end of the batch, and that its
// first bytes are unchanged. When any check fails the unsent lines are
// dropped and the backlog reader takes over from the last offset sent, so
// nxadm/tail's known losses on rotation and its stale-offset garbage never
// reach the consumer. The one exception is a file still at the path that is
// now shorter than the end of the unsent lines (copytruncate): writers
// append, so nxadm/tail read those lines before the cut, and they are sent
// before the rest is recovered from the rotated copy. Tell and Cleanup of
// nxadm/tail are never used.
//
// # Identity and checkpoints
//
// A file is identified by device, inode and a SHA-256 fingerprint of its
// first bytes (up to 1 KiB; shorter while the file is shorter, growing with
// it). The checkpoint of a source is one JSON file in Config.StateDir named
// after a hash of the path (see CheckpointFile):
//
//	{"version":1,"path":"…","file":"…","dev":…,"ino":…,"fingerprint":"<sha256 hex>","fp_len":…,
//	 "offset":…,"pre_len":32,"pre_hash":"<sha256 hex>","updated":"…"}
//
// pre_hash covers the bytes just before the offset (after Fluent Bit) and is
// re-checked on resume: it catches a file rewritten while the agent was
// stopped whose first KiB did not change.
//
// The checkpoint is written only when commits changed it, every CheckpointInterval and
// when Run returns, atomically: temp file in the same directory, write,
// fsync, close, rename, fsync of the directory. After a crash the file is
// the last complete write, so lines delivered after it are sent again.
//
// At start: if the checkpoint's device, inode and fingerprint match the
// file and the offset is within it, reading resumes there (at the start of
// the line when the offset is inside one). Otherwise the rotated siblings
// (path.0, path.1, path-YYYYMMDD, path-YYYY-MM-DD, each also .gz) are
// searched for the file by fingerprint, the inode preferred: a .gz is
// matched by its decompressed head, since compressing creates a new inode.
// The match is read from the saved offset (a .gz is decompressed and
// skipped), then the live file from 0. When nothing matches and the inode
// is the same, the file was truncated while stopped and is read from 0;
// otherwise Config.StartAt applies, a warning is logged and
// Stats.CheckpointDiscarded counts it.
//
// # Rotation
//
// Rename (create, svlogd): when the path names a new file, the old one is
// still read through the tailer's descriptor, to its end and until it has
// not grown for RotateWait (late writers; at most 12×RotateWait), then its
// incomplete last line, if any, is delivered and reading moves to the new
// file at 0. Every file seen at the path meanwhile is opened at once and
// queued, so rotations quicker than RotateWait lose nothing; new lines of
// the new file wait for the old file's RotateWait.
//
// copytruncate (the Omnibus GitLab default, with compress and without
// delaycompress): a truncation is seen as the size dropping below the
// offset or the first bytes changing. The lines not yet read are then
// recovered from the rotated copy whose head matches (path.1, or path.1.gz
// when already compressed), from the offset reached, and the file is read
// again from 0. What cannot be recovered, by construction of copytruncate,
// are bytes written between logrotate's copy and its truncate: they are in
// neither file. Without a matching copy (a plain "> file"), unread lines
// before the truncation are lost and a warning says so.
//
// # Lines
//
// A line is delivered once its "\n" is there: a partial last line is held,
// and a checkpoint never points inside a line, only after a last line
// delivered without its newline (see below). A trailing "\r" is removed.
// Lines longer than MaxLineBytes are cut to it, the rest up to the newline
// is dropped and Stats.TruncatedLines counts them; the backlog reader's
// memory is bounded by its buffer plus MaxLineBytes. nxadm/tail reads a
// whole line into memory whatever its length; the tailer takes over when
// it lags by more than max(4 MiB, 2×MaxLineBytes), which bounds that in
// practice. An incomplete last line of a file that will not grow again (a
// rotated file after RotateWait, a rotated copy, or any file with
// Config.Complete once nothing follows the line) is delivered as it is,
// and the checkpoint then points after it. A later Tailer resuming from
// such a checkpoint resumes after the newline when only that was added, at
// the checkpoint when nothing was added and the file is Complete, and
// otherwise at the start of the line, which is then delivered again whole:
// the consumer gets its first part twice rather than its rest as a line of
// its own, and a warning says so.
//
// Lines cut to MaxLineBytes are logged with their offset and length, at
// most once every 10s per Tailer. A path that exists but cannot be opened
// (a directory, no permission) is retried with backoff and logged at most
// once a minute, and reported by OpenError; with Config.Complete, Run
// returns the error instead. CheckpointError reports a checkpoint that
// could not be written.
//
// # Limits
//
// github.com/nxadm/tail exits the process (os.Exit) when a stat of the path
// fails with an error other than "not exist" (ENOTDIR, EACCES) while it
// handles an event, and when its shared inotify watcher cannot be created.
// New probes inotify and falls back to polling; the tailer stops nxadm/tail
// within PollInterval of such a stat error, but cannot close that window.
// A file that is at the path for less than PollInterval while an older one
// is drained after a rename can be missed. Identity rests on the first
// KiB: two files whose first FingerprintLen bytes are equal are taken for
// one (after a truncation, a short fingerprint makes that likelier).
// Offsets in a Batch from a .gz copy are offsets in the decompressed data.
// Only one Tailer may follow a path in a process (Run returns an error
// otherwise), since nxadm/tail's watches of one path interfere.
package tailer
