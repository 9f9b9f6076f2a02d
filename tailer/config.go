package tailer

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/tailer/checkpoint"
)

// StartAt says where to begin reading a file for which no usable checkpoint
// exists and that is at the path when the tailer starts; a file that
// appears there later is read from its beginning (see the package doc).
type StartAt int

const (
	// StartBeginning reads the file from offset 0.
	StartBeginning StartAt = iota
	// StartEnd skips what the file holds now and delivers only lines
	// completed from now on (a partial last line is delivered once complete;
	// with Config.Complete it counts as complete, so it is skipped too).
	StartEnd
)

// String returns "beginning" or "end".
func (s StartAt) String() string {
	switch s {
	case StartBeginning:
		return "beginning"
	case StartEnd:
		return "end"
	}
	return fmt.Sprintf("StartAt(%d)", int(s))
}

// Defaults applied by New to zero fields of Config.
const (
	DefaultMaxLineBytes       = 1 << 20
	DefaultBatchLines         = 1024
	DefaultBatchBytes         = 1 << 20
	DefaultQueueLen           = 4
	DefaultReadBufferBytes    = 256 << 10
	DefaultRotateWait         = 5 * time.Second
	DefaultPollInterval       = 250 * time.Millisecond
	DefaultCheckpointInterval = time.Second
	DefaultShutdownTimeout    = 5 * time.Second
	DefaultFollowLinger       = 20 * time.Millisecond
)

// Config describes one followed file. Only Path is required. The yaml
// tags are the keys of the agent configuration that apply to every
// followed file (top-level keys there; internal/config composes them);
// fields tagged "-" are set per file or by the caller.
type Config struct {
	// Path is the file followed by name (for example
	// /var/log/gitlab/gitlab-rails/audit_json.log).
	Path string `yaml:"-"`
	// Checkpoints is the store that keeps the position of this file
	// (checkpoint.Store.SavePosition); the tailer reads and writes its
	// position only through it. Nil with StateDir empty disables
	// persistence: every start then applies StartAt.
	Checkpoints *checkpoint.Store `yaml:"-"`
	// StateDir, when Checkpoints is nil, makes New open the store of this
	// directory (checkpoint.Open).
	StateDir string `yaml:"-"`
	// StartAt applies to a file without a usable checkpoint that is at
	// the path when the tailer starts.
	StartAt StartAt `yaml:"-"`
	// NewSince, when not zero, is a time at which the path had no file
	// (a glob's scan that did not match it): a file there without a
	// checkpoint is then new, read from 0 whatever StartAt, after its
	// rotated copies last written after NewSince (a file created and
	// rotated away before it was seen), but a .gz copy whose gzip header
	// says it compresses a file last written before NewSince (an older
	// copy compressed since); the kubelet's, whose header has no time,
	// are read. With no file at the path when
	// the tailer starts, those copies are read at once. Zero (and no
	// Matched): the tailer keeps the path's checkpoint.Wait record, and
	// New sets NewSince from it when there is no checkpoint (see the
	// package doc and Tailer.NewSince).
	NewSince time.Time `yaml:"-"`
	// Matched, when not nil, is the file a glob's scan found at the path
	// (its os.Stat) and started the tailer for. When the tailer, without
	// a checkpoint and without NewSince, finds that file no longer at the
	// path (rotated away before it could open it), it reads its rotated
	// copy, found by device and inode (not a .gz): from its beginning, or
	// with StartEnd from the size Matched gives; a file at the path then
	// appeared since and is read from its beginning, after the copy.
	Matched os.FileInfo `yaml:"-"`
	// FollowedElsewhere, when not nil, reports whether the rotated copy
	// at path (a full path; fi is its os.Stat) is, or was, read by
	// another tailer: a glob that matches its name follows it, or the
	// tailer of a file the glob forgot read it. The copies read before a
	// file that appeared at the path (after NewSince, or while the tailer
	// waited for the path) leave it out.
	FollowedElsewhere func(path string, fi os.FileInfo) bool `yaml:"-"`
	// OldDir is the directory logrotate moves the rotated copies of Path
	// to (its olddir directive), absolute or relative to Path's directory
	// (see OldDir); its copies are looked for there too, named as in
	// Path's directory. Empty: only in Path's directory.
	OldDir string `yaml:"-"`
	// Extension is logrotate's extension option for Path (".log"): its
	// rotated copies keep it at the end of their names, after the
	// rotation's suffix ("x.1.log", "x-20261122.log.gz" of "x.log"), and
	// are looked for under those names too. Empty (the default): copies
	// are named after the whole name ("x.log.1"); a live file "x-1.log"
	// next to "x.log" is then not taken for one of its copies.
	Extension string `yaml:"-"`
	// MaxLineBytes bounds a line (default 1 MiB). Longer lines are cut to
	// this length, the rest up to the newline is discarded and the line is
	// counted in Stats.TruncatedLines. In the agent's configuration a byte
	// size: 1048576, 1MiB, 512KiB.
	MaxLineBytes int `yaml:"max_line_bytes" config:"bytes"`
	// BatchLines and BatchBytes bound one Batch (defaults 1024 lines, 1 MiB).
	BatchLines int `yaml:"-"`
	BatchBytes int `yaml:"-"`
	// QueueLen is the capacity of the Batches channel (default 4). When it
	// is full the tailer stops reading: backpressure.
	QueueLen int `yaml:"-"`
	// ReadBufferBytes is the read buffer of the tailer's reader (default 256 KiB).
	ReadBufferBytes int `yaml:"-"`
	// RotateWait is how long a file renamed away (rename rotation) is still
	// read for late writes after it stops growing (default 5s), at most
	// 12×RotateWait in total. The new file at Path is read meanwhile, once
	// the old one has not grown for a fraction of a second (see the
	// package doc, Rotation).
	RotateWait time.Duration `yaml:"-"`
	// PollInterval paces the checks made while idle: rotation and truncation
	// detection when no line arrives and no change is notified, reading
	// the file when polling (Poll), waiting for a missing file (default
	// 250ms).
	PollInterval time.Duration `yaml:"-"`
	// FollowLinger is, while lines keep arriving in the live file, the
	// interval at which it is read again (default 20ms; negative: every
	// change is read as soon as it is notified). At a steady write rate it
	// turns many tiny batches into a few larger ones, which keeps the
	// per-batch work (file checks, hand-offs, one write and one
	// acknowledgement per batch) small; lines are delayed by at most this.
	// With FollowNxadmTail it is also how long a batch of its lines waits
	// for more, and negative leaves all live reading to nxadm/tail.
	FollowLinger time.Duration `yaml:"-"`
	// CheckpointInterval is how often a changed checkpoint is written
	// (default 1s). It is also written when Run returns. After a crash, at
	// most about this much of the file is read and sent again: it bounds
	// the duplicates; shorter means more fsyncs.
	CheckpointInterval time.Duration `yaml:"checkpoint_interval"`
	// ShutdownTimeout bounds how long Run waits, after its context is done,
	// for batches already handed out to be released before it writes the
	// final checkpoint (default 5s).
	ShutdownTimeout time.Duration `yaml:"-"`
	// Poll makes the tailer look at the file every PollInterval instead of
	// being notified of changes by inotify. It polls too when no inotify
	// watcher can be created.
	Poll bool `yaml:"-"`
	// Watcher, when not nil, is the inotify instance the tailer shares
	// with other tailers (NewWatcher); nil: the tailer creates its own.
	// Not used with Poll.
	Watcher *Watcher `yaml:"-"`
	// Follower chooses how the live file is followed once read to its
	// end: FollowNotify (default) or the fallback FollowNxadmTail.
	Follower Follower `yaml:"-"`
	// Logger receives warnings and rotation notices (default slog.Default()).
	Logger *slog.Logger `yaml:"-"`
	// Complete treats the file as finished, for a run that stops once
	// everything was read (gitlab-syslog run --once). An incomplete last
	// line is then delivered as it is as soon as the reader finds nothing
	// after it, instead of waiting for its newline; the checkpoint records
	// the offset after it (see the package doc, Lines, for what a later
	// run does when the line was continued). And a path that exists but
	// cannot be followed (a directory, no permission, a parent that is not
	// a directory) makes Run return that error instead of retrying.
	Complete bool `yaml:"-"`
}

func (c *Config) setDefaults() error {
	if c.Path == "" {
		return errors.New("tailer: config: Path is empty")
	}
	if c.StartAt != StartBeginning && c.StartAt != StartEnd {
		return fmt.Errorf("tailer: config: %s: invalid StartAt %d", c.Path, int(c.StartAt))
	}
	if c.MaxLineBytes < 0 || c.BatchLines < 0 || c.BatchBytes < 0 || c.QueueLen < 0 || c.ReadBufferBytes < 0 {
		return fmt.Errorf("tailer: config: %s: negative size", c.Path)
	}
	if c.RotateWait < 0 || c.PollInterval < 0 || c.CheckpointInterval < 0 || c.ShutdownTimeout < 0 {
		return fmt.Errorf("tailer: config: %s: negative duration", c.Path)
	}
	orDefault(&c.MaxLineBytes, DefaultMaxLineBytes)
	orDefault(&c.BatchLines, DefaultBatchLines)
	orDefault(&c.BatchBytes, DefaultBatchBytes)
	orDefault(&c.QueueLen, DefaultQueueLen)
	orDefault(&c.ReadBufferBytes, DefaultReadBufferBytes)
	orDefault(&c.RotateWait, DefaultRotateWait)
	orDefault(&c.PollInterval, DefaultPollInterval)
	orDefault(&c.CheckpointInterval, DefaultCheckpointInterval)
	orDefault(&c.ShutdownTimeout, DefaultShutdownTimeout)
	orDefault(&c.FollowLinger, DefaultFollowLinger)
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return nil
}

// orDefault sets *v to d when it is the zero value.
func orDefault[T comparable](v *T, d T) {
	var zero T
	if *v == zero {
		*v = d
	}
}
