package statelock

import "fmt"

// InUseError is Acquire's error for a state directory whose lock another
// process holds. Its message is the agent's (two agents on one state_dir
// would both send every line); a command that uses the directory for
// something else words its own from the fields.
type InUseError struct {
	Dir    string // the state directory
	Path   string // its lock file
	Holder string // "process PID", or "another process (PID unknown)"
}

// Error says the directory is in use, by whom, and to stop the other
// agent or give this one its own state directory.
func (e *InUseError) Error() string {
	return fmt.Sprintf("state_dir %s is in use: %s holds the lock %s; two agents on one state_dir would both send every line. Stop the other agent (or run this one with its own --state-dir / state_dir)", e.Dir, e.Holder, e.Path)
}
