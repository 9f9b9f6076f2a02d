package tailer_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/gitlab-syslog/gitlab-syslog/tailer"
)

// Follow a file, deliver each batch of lines, and commit what was
// delivered, so that the checkpoint in StateDir moves past it.
func Example() {
	dir, err := os.MkdirTemp("", "tailer-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "audit_json.log")
	if err := os.WriteFile(path, []byte("{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n"), 0o644); err != nil {
		log.Fatal(err)
	}

	t, err := tailer.New(tailer.Config{Path: path, StateDir: filepath.Join(dir, "state")})
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- t.Run(ctx) }()

	for n := 0; n < 3; {
		b := <-t.Batches()
		for i := 0; i < b.Len(); i++ {
			fmt.Printf("%s ends at offset %d\n", b.Line(i), b.Offsets[i])
		}
		n += b.Len()
		t.Commit(b, b.Len()) // once the lines are delivered
		t.Release(b)
	}
	cancel()
	for b := range t.Batches() { // Run closes the channel when it returns
		t.Release(b)
	}
	if err := <-done; err != nil && err != context.Canceled {
		log.Fatal(err)
	}
	fmt.Println("committed offset:", t.Stats().CommittedOffset)
	// Output:
	// {"a":1} ends at offset 8
	// {"a":2} ends at offset 16
	// {"a":3} ends at offset 24
	// committed offset: 24
}
