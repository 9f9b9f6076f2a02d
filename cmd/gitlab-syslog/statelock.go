package main

import "github.com/gitlab-syslog/gitlab-syslog/internal/statelock"

// lockStateDir takes the lock of the state directory dir (see statelock)
// for as long as the command uses it; "" locks nothing and returns a nil
// *statelock.Lock, whose Release does nothing.
func lockStateDir(dir string) (*statelock.Lock, error) {
	if dir == "" {
		return nil, nil
	}
	return statelock.Acquire(dir)
}
