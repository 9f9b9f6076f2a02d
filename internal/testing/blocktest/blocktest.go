// Package blocktest is test tooling for code that must not block: opening
// a FIFO in the place of a state file, for one.
package blocktest

import (
	"testing"
	"time"
)

// Within runs fn in a goroutine and returns its error once it returns. When
// fn has not returned after d, it fails t, naming what (for example "Load
// of a FIFO"), and returns nil: fn blocked, and is left blocked. fn must
// not call t.FailNow, t.Fatal or t.Skip, which belong to the test's own
// goroutine.
func Within(t testing.TB, d time.Duration, what string, fn func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		t.Fatalf("%s blocked for %s", what, d)
		return nil
	}
}
