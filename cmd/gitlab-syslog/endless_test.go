package main

import (
	"context"
	"errors"
	"testing"
	"time"
)

// endless is an input with no newline ever, as /dev/zero.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}

// TestReadLinesEndlessLineStops: a line that never ends stops reading
// when ctx ends (SIGINT or SIGTERM), as a FIFO with no writer does
// (trial 205: parse /dev/zero ignored the first SIGTERM and spun).
func TestReadLinesEndlessLineStops(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- readLines(ctx, "-", endless{}, false, 1<<20, func(string, int, []byte, int) error { return nil }, nil)
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("readLines = %v, want the context's error", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("readLines did not stop when its context ended")
	}
}
