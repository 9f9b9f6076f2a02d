// Package statelock keeps two gitlab-syslog processes off one state
// directory: each holds an exclusive lock on <state_dir>/lock (flock(2))
// for as long as it uses the directory, so a second agent on the same
// checkpoints fails at once instead of sending every line again.
//
// The kernel releases the lock when the holding process exits, however it
// exits, so a lock file left behind by a killed process does not block the
// next start. The file holds the PID of the holder, for the error message.
// Where flock(2) is not available (Windows, Solaris), Acquire checks
// nothing.
package statelock

// FileName is the name of the lock file in the state directory.
const FileName = "lock"
