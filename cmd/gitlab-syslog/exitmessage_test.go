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
// the signal's, is printed as it is; check's problems, listed with its
// verdict on stdout, are told in one short line, and not at all when
// stderr is stdout's file (shared), where the verdict is to be the last
// line.
func TestExitMessage(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name   string
		ctx    context.Context
		err    error
		shared bool     // stdout and stderr are one file
		want   []string // substrings; the first must start the message; none: no message
	}{
		{"signal", cancelled, context.Canceled, false, []string{"interrupted (SIGINT or SIGTERM)", "context canceled"}},
		{"signal, wrapped", cancelled, fmt.Errorf("send: 1 of 9 lines not sent: %w", context.Canceled), false,
			[]string{"interrupted (SIGINT or SIGTERM)", "1 of 9 lines not sent"}},
		{"other error after the signal", cancelled, os.ErrNotExist, false, []string{os.ErrNotExist.Error()}},
		{"cancellation without the signal", context.Background(), context.Canceled, false, []string{"context canceled"}},
		{"plain error", context.Background(), errors.New("boom"), false, []string{"boom"}},
		{"plain error, one file", context.Background(), errors.New("boom"), true, []string{"boom"}},
		{"check's problems", context.Background(), &checkProblems{problems: []string{"a", "b"}}, false,
			[]string{"check: 2 problem(s), listed above the result line"}},
		{"check's problems, one file", context.Background(), &checkProblems{problems: []string{"a", "b"}}, true, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := exitMessage(tc.ctx, tc.err, tc.shared)
			if len(tc.want) == 0 {
				if got != "" {
					t.Errorf("exitMessage = %q, want none", got)
				}
				return
			}
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
