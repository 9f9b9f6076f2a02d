// Package tailer follows log files by name across logrotate (rename and
// copytruncate, with or without compress), restarts and crashes, and keeps
// durable checkpoints so that delivery is at least once.
//
// It wraps github.com/nxadm/tail and adds what it lacks: file identity
// (device, inode, fingerprint of the first bytes), atomic checkpoints,
// draining of rotated files (.1, .1.gz, dateext), a bound on line length,
// and a supervisor that reopens a failed file. It knows nothing about GitLab.
//
// CONTRACT (to be implemented; the agent in internal/ codes against it):
//
//	type Config struct {
//		Path         string
//		StateDir     string        // checkpoint files live here
//		StartAt      StartAt       // StartBeginning | StartEnd: for a file with no checkpoint
//		MaxLineBytes int           // default 1 MiB; longer lines are truncated and counted
//		Logger       *slog.Logger
//		...
//	}
//	type FileID struct { Dev, Ino uint64; Fingerprint [..]byte; ... }
//	type Batch struct {
//		File    FileID   // the file these lines were read from
//		Data    []byte   // lines back to back, "\n" and "\r" stripped
//		Ends    []int    // end of line i in Data
//		Offsets []int64  // file offset just after line i (its newline)
//		...
//	}
//	func (b *Batch) Line(i int) []byte
//	func (b *Batch) Len() int
//
//	func New(cfg Config) (*Tailer, error)
//	func (t *Tailer) Run(ctx context.Context) error   // follows until ctx is done
//	func (t *Tailer) Batches() <-chan *Batch          // bounded: backpressure
//	func (t *Tailer) Commit(b *Batch, n int)           // lines [0,n) of b were delivered: advance the checkpoint
//	func (t *Tailer) Release(b *Batch)                 // give b back for reuse
//	func (t *Tailer) Stats() Stats
package tailer
