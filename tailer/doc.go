// Package tailer follows a log file by name across logrotate (rename and
// copytruncate, with or without compress and dateext), restarts and
// crashes, and keeps a durable checkpoint so that delivery is at least
// once. It knows nothing about the content of the lines.
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
// past a line that was not committed. A commit that comes early (before
// the commits of the batches before it) is kept and applied once those
// came, so the checkpoint goes on advancing. A consumer that keeps lines for later
// (the first parts of a line whose end is in a later batch) commits the
// batch with CommitHeld and the place where those lines begin (Batch.StartOf,
// a Mark naming the file): the checkpoint stays there, so a restart reads
// them again, until a later batch's commit, or Unhold, moves it on.
//
// # How it reads
//
// All lines are read by the package's own reader: one reused buffer, a
// pread(2) per buffer, lines copied straight into the batch; no allocation
// per line, and while lines flow no system call or notification per line.
// What tells the tailer that the file changed is a notifier: inotify on the
// file (github.com/fsnotify/fsnotify), or, with Config.Poll or when no
// inotify watcher can be created, a look at the file every PollInterval;
// with inotify the file is looked at every PollInterval too, which catches
// what no event reports (a new file at the path after a rename). The
// notifier only wakes the reader; while a read finds lines, the next read
// comes FollowLinger later whatever the notifications (mode "polling"), so
// that a busy file costs one read and one batch per FollowLinger, the
// kernel merging the events of the writes in between. Once a read finds
// nothing (mode "following"), the next notification is read at once. While
// a rotated copy of the file is being written (copytruncate), every
// notified change is read at once: lines written between the end of the
// copy and the truncation are in no other file. Before a batch goes out,
// the tailer checks that the file's first bytes are unchanged (a file
// truncated and rewritten under the reader), and after each read that the
// path still names the file and that it did not shrink below what was read.
//
// # Followers
//
// Config.Follower chooses how the live file is followed once read to its
// end. FollowNotify, the default, is the notifier above. FollowNxadmTail is
// the fallback follower, kept because github.com/nxadm/tail is the
// project's mandated tail library and the reference the tailer is measured
// against: while the file is quiet it is handed to nxadm/tail from the
// offset reached, and its lines are batched (a batch going out when full or
// FollowLinger after no further line came, at once when FollowLinger is
// negative); a batch of 16 lines or more gives the file back to the
// tailer's reader (with FollowLinger negative, nxadm/tail reads all live
// lines). The tailer keeps its own descriptor of the file all along, and
// every nxadm/tail line must continue the previous one exactly (line number
// and offset); before each batch goes out the tailer checks that the path
// still names its file, that the file did not shrink below the end of the
// batch, and that its first bytes are unchanged. When any check fails the
// unsent lines are dropped and the tailer's reader takes over from the last
// offset sent, so nxadm/tail's known losses on rotation and its
// stale-offset garbage never reach the consumer; lines in hand of a file
// cut below their end (copytruncate) are sent, since writers append and
// they were read before the cut. Tell and Cleanup of nxadm/tail are never
// used. It is not the default because it costs a system call and a channel
// send per line, exits the process (os.Exit) when a stat of the path fails
// with an error other than "not exist" (ENOTDIR, EACCES) while it handles
// an event, and shares one inotify watcher per process.
//
// # Identity and checkpoints
//
// A file is identified by device, inode and a SHA-256 fingerprint of its
// first bytes (up to 1 KiB; shorter while the file is shorter, growing with
// it). The checkpoint of a followed file is a checkpoint.Position record in
// the store given in Config.Checkpoints (or opened in Config.StateDir),
// keyed by a hash of the path, its directory's symlinks resolved
// (checkpoint.PositionKey); the tailer reads
// and writes it only through that store. The record's pre_hash covers the
// bytes just before the offset (after Fluent Bit) and is re-checked on
// resume: it catches a file rewritten while the agent was stopped whose
// first KiB did not change.
//
// The checkpoint is written only when commits changed it, every
// CheckpointInterval and when Run returns; the store writes it atomically
// and durably, so after a crash it is the last complete write, and lines
// delivered after it are sent again. One more write comes first: when the
// tailer opens a file it has no usable checkpoint for, before it reads a
// line, it saves one at once at the file's identity and the offset where
// reading starts (0, or the end with StartAt end), so that a file rotated
// before the consumer committed anything (a collector down since the
// start) is found again by that identity at a restart and drained, not
// taken for the new file at the path. A file empty when opened has no
// first bytes to fingerprint then: the checkpoint is saved once more,
// at once and once, before the first batch of the file is handed out,
// with the fingerprint of its first bytes and the offset still 0 (also
// when the empty file's checkpoint was written by an earlier run), so
// that a copytruncate before the first commit is recognised at a restart
// (the same inode, other first bytes) and the copies are read first.
//
// At start: if the checkpoint's device, inode and fingerprint match the
// file and the offset is within it, reading resumes there (at the start of
// the line when the offset is inside one). Otherwise the rotated siblings
// (path.0, path.1, path-YYYYMMDD, path-YYYY-MM-DD, the kubelet's
// path.YYYYMMDD-hhmmss, each also .gz; next to the file a symlinked path
// names) are
// searched for the file by fingerprint and by the bytes before the saved
// offset (copies that only begin alike, as container logs can, are not
// it), the inode preferred: a .gz is matched decompressed, since
// compressing creates a new inode. The match is read from the saved offset (a .gz is decompressed and
// skipped), then the live file from 0. When nothing matches and the inode
// is the same, the file was truncated while stopped (or is a new file on
// the inode of the checkpoint's file, deleted by logrotate while stopped)
// and is read from 0;
// otherwise Config.StartAt applies, a warning is logged and
// Stats.CheckpointDiscarded counts it. The rotated siblings last written
// after the checkpoint was saved, less 2 s for coarse file times (the
// checkpoint's file itself removed by
// logrotate's rotate count while stopped) hold lines never read: with
// StartAt beginning they are read, oldest first, before the file at the
// path; with StartAt end a warning names them and Stats.UnplacedRotated
// counts them.
//
// StartAt applies to a file at the path when the tailer starts. A file that
// appears at the path later, while the tailer waits for one (at start, or
// after a rotation that left no file at the path), is new: it is read from
// 0 whatever StartAt. A file created there and rotated away before the
// tailer's next look at the path (within PollInterval), or copied and
// truncated, left its lines in its copy: the rotated copies made while
// the tailer waited (not there, by device, inode and first bytes, when the
// wait began, nor the .gz of one that was, and last written since) are
// read first, oldest first. Config.NewSince does the same for a file that
// was not at the path at a given time (a glob's scan), without the copies
// of that time to tell the .gz ones by: only plain copies are read. When
// the tailer finds no file at the path then (a glob's match rotated away
// before its tailer opened it), it reads those copies at once, not when a
// file appears at the path again, which may never happen.
//
// A tailer with a checkpoint store and neither NewSince nor Matched (a
// configured path) that finds no file at the path, at start or after a
// rotation or deletion, saves when it began to wait (checkpoint.Wait),
// until it saves a checkpoint in another file. The next tailer of the
// path that starts without a checkpoint takes that time, less 2 s for
// coarse file times, as its NewSince: a file that appeared, and was maybe
// rotated, while nothing followed the path is read as new, not as a file
// there at start. One that starts with a checkpoint whose file is gone
// (neither at the path nor a copy) reads the copies last written since
// that time or the checkpoint's save, whichever is earlier (less 2 s),
// .gz ones too, as copies are removed oldest first and those left are
// newer than the checkpoint's file, each from the position the checkpoint
// keeps for it if any; then the file at the path, from 0.
//
// A rotated copy is a file in the path's directory, or in Config.OldDir
// (logrotate's olddir), named as logrotate or the kubelet names one: the
// path's name, then ".N" or a date of digits, '-' and '_' after a '.', '-'
// or '_' (dateext with any such dateformat: "-20261122", ".2026-11-22",
// "_2026112213"; the kubelet's ".20261122-134501"), each maybe ".gz".
// Copies named otherwise (logrotate's extension, "name.bak"), or in
// another directory, are not found.
//
// Rotated copies are ordered by their names within one naming scheme:
// path.1 is newer than path.2 and path.10 older than path.9; dated names
// (dateext, hourly, the kubelet's) by date, then by sequence, runs of
// digits compared as numbers. Copies written within one tick of the file
// system's clock share a modification time, so the time orders only
// copies named by different schemes (the numbered and the dated ones),
// and, after the checkpoint's file or the copy of a truncation, a copy
// last written before it is not taken for one rotated after it, whatever
// its name says; unless that file is compressed: compressing writes a new
// file, whose time is when it was compressed, after the copies rotated
// since may have been written, so their names alone order them. At a
// restart, a plain copy named as rotated before the checkpoint's file but
// last written after the checkpoint was saved (the kubelet names copies
// by its clock, which may have stepped back) holds lines never read: it
// is read, from 0, after the copies the names place after the
// checkpoint's file, such copies in the order they were last written.
//
// # Rotation
//
// Rename (create, svlogd): when the path names a new file, the old one is
// still read through the tailer's descriptor, to its end and until it has
// not grown for 250ms (at most 1s, and at most RotateWait), then reading
// moves to the new file at 0, so the old file's lines come first. Late
// writers may still append to the old file: it is read again, before each
// read of the new one and at least every 50ms, until it has not grown for
// RotateWait (at most 12×RotateWait in all); then its incomplete last line,
// if any, is delivered and it is closed. Until then the checkpoint stays in
// the old file (batches of the new file commit the old file's position),
// and keeps apart how far the newest file was delivered
// (checkpoint.Position.Next) and, when more than one file was renamed away
// while the oldest was drained, how far each file between was
// (checkpoint.Position.Between; by device, inode and fingerprint, as the
// checkpoint's own file), so a restart reads the old file's rest from its
// rotated name, then each newer file from its own position (under its
// rotated name if it was rotated too, in its turn), not again from 0:
// never a late line skipped. (The checkpoint keeps at most 64 such
// positions; a file whose position was dropped for room is read again
// from 0: at least once.) A checkpoint without Next
// or Between (written by an older agent) still loads; the newer files are
// then read again from 0 (at least once); and an older agent ignores the
// fields it does not know in a checkpoint this one wrote (the record stays
// version 1), with the same result. When the old file is gone at restart,
// the files between and the newest resume from their positions and a
// warning says that the old file's unread lines, if any, are lost. Every file
// seen at the path meanwhile is opened at once and queued, so rotations
// quicker than that lose nothing. With no new file at the path yet, the old
// one is drained for RotateWait at once.
//
// Files that were at the path only while the tailer could not look (its
// consumer stopped taking batches for longer than the rotation interval,
// or the path was rotated twice during one read) are found among the
// rotated siblings: the old file by its inode, or, once compressed, by its
// decompressed first bytes; the siblings rotated after it (path.1 after
// path.2, dateext by date), last written no earlier than it and not read
// before, are read in full, oldest first, a .gz decompressed (logrotate's
// compress without delaycompress), before the file at the path. When the
// old file is not among the siblings (logrotate's rotate count removed
// it), every sibling last written no earlier than it and not read before
// came after it and is read likewise. When several siblings begin with its
// first bytes, or a .gz named by another scheme cannot be ordered against
// it (or, the old file gone, against another sibling), the siblings that
// may hold unread lines are not read: a warning names them and
// Stats.UnplacedRotated counts them.
//
// copytruncate (the Omnibus GitLab default, with compress and without
// delaycompress): a truncation is seen as the size dropping below the
// offset or the first bytes changing. The lines not yet read are then
// recovered from the rotated copy whose head matches (path.1, or path.1.gz
// when already compressed), from the offset reached, and the file is read
// again from 0. What cannot be recovered, by construction of copytruncate,
// are bytes written between logrotate's copy and its truncate: they are in
// neither file. Without a matching copy (a plain "> file", or a copy
// logrotate's rotate count removed after more rotations than it keeps
// while the reader was held, e.g. by a stalled collector), unread lines
// before the truncation are lost and a warning says so; the copies last
// written after the file's content was last found at the path (made by
// later rotations) are read, oldest first, before the file. The same holds for
// a file renamed away and still drained when it is truncated (two
// logrotate runs in turn), and for a newer file read meanwhile: the
// checkpoint then keeps how far its copy was read (by device, inode and
// fingerprint, as the files between), and a restart reads the copy from
// there, not again from 0; a plain copy of a file the checkpoint keeps a
// position for, under another inode, is known by its first bytes.
//
// # Lines
//
// A line is delivered once its "\n" is there: a partial last line is held,
// and a checkpoint never points inside a line, only after a last line
// delivered without its newline (see below). A trailing "\r" is removed.
// Lines longer than MaxLineBytes are cut to it, the rest up to the newline
// is dropped and Stats.TruncatedLines counts them; the reader's memory is
// bounded by its buffer plus MaxLineBytes. (nxadm/tail, as the fallback
// follower, reads a whole line into memory whatever its length; the tailer
// takes over when it lags by more than max(4 MiB, 2×MaxLineBytes), which
// bounds that in practice.) An incomplete last line of a file that will not
// grow again (a rotated file after RotateWait, a rotated copy, or any file
// with Config.Complete once nothing follows the line) is delivered as it
// is, and the checkpoint then points after it. A later Tailer resuming from
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
// Each Tailer has an inotify watcher of its own (one inotify instance;
// fs.inotify.max_user_instances bounds them, 128 by default) and polls when
// it cannot get one. With FollowNxadmTail, the tailer stops nxadm/tail
// within PollInterval of a stat error that makes it exit the process, but
// cannot close that window. A file that is at the path for less than
// PollInterval while an older one is drained after a rename can be missed.
// Identity rests on the first KiB: two files whose first FingerprintLen
// bytes are equal are taken for one (after a truncation, a short
// fingerprint makes that likelier). Offsets in a Batch from a .gz copy are
// offsets in the decompressed data. Only one Tailer may follow a path in a
// process (Run returns an error otherwise): both would keep one checkpoint,
// and nxadm/tail's watches of one path interfere.
package tailer
