package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestExitMessage: the error a command returns when the first Ctrl-C or
// SIGTERM cancelled its context says it was interrupted (not a bare
// "context canceled"); any other error, also a cancellation that was not
// the signal's, is printed as it is.
func TestExitMessage(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name string
		ctx  context.Context
		err  error
		want []string // substrings; the first must start the message
	}{
		{"signal", cancelled, context.Canceled, []string{"interrupted (SIGINT or SIGTERM)", "context canceled"}},
		{"signal, wrapped", cancelled, fmt.Errorf("send: 1 of 9 lines not sent: %w", context.Canceled),
			[]string{"interrupted (SIGINT or SIGTERM)", "1 of 9 lines not sent"}},
		{"other error after the signal", cancelled, os.ErrNotExist, []string{os.ErrNotExist.Error()}},
		{"cancellation without the signal", context.Background(), context.Canceled, []string{"context canceled"}},
		{"plain error", context.Background(), errors.New("boom"), []string{"boom"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := exitMessage(tc.ctx, tc.err)
			if !strings.HasPrefix(got, tc.want[0]) {
				t.Errorf("exitMessage = %q, want it to start with %q", got, tc.want[0])
			}
			for _, w := range tc.want[1:] {
				if !strings.Contains(got, w) {
					t.Errorf("exitMessage = %q, want it to contain %q", got, w)
				}
			}
		})
	}
}
