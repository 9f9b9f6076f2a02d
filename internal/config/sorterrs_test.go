package config

import (
	"errors"
	"fmt"
	"testing"
)

// TestSortErrors: the errors are listed by the line of the file they are
// about (an *Error's File and Line, also wrapped), nested joins
// flattened; those about no line of it (a flag's, another file's, a plain
// error's even when its text starts "c.yaml:1:") first in their order,
// each line's in their order; an error repeated word for word once.
func TestSortErrors(t *testing.T) {
	at := func(line int, key, msg string) error {
		return &Error{File: "c.yaml", Line: line, Key: key, Err: errors.New(msg)}
	}
	err := errors.Join(
		at(12, "detections.rules.x", "unknown rule"),
		errors.Join(at(2, "start_at", "bad"), &Error{Key: "--to", Err: errors.New("bad")}),
		fmt.Errorf("%w", at(9, "", "a")),
		&Error{File: "ti.txt", Line: 1, Key: "rule r", Err: errors.New("not an address")},
		errors.New("c.yaml:1: text alone"),
		at(9, "", "b"),
		at(2, "start_at", "bad"),
		at(0, "sources", "none"),
	)
	want := "--to: bad\nti.txt:1: rule r: not an address\nc.yaml:1: text alone\nc.yaml: sources: none\n" +
		"c.yaml:2: start_at: bad\nc.yaml:9: a\nc.yaml:9: b\nc.yaml:12: detections.rules.x: unknown rule"
	if got := SortErrors(err, "c.yaml"); got == nil || got.Error() != want {
		t.Errorf("SortErrors:\n%v\nwant\n%s", got, want)
	}
	if SortErrors(nil, "c.yaml") != nil {
		t.Error("SortErrors(nil) is not nil")
	}
}

// TestErrorText: an *Error's text is "FILE:LINE: KEY: cause" without the
// parts that are unknown, the text every message of the configuration
// had before it was typed; Unwrap gives the cause.
func TestErrorText(t *testing.T) {
	cause := errors.New("bad")
	for _, tc := range []struct {
		e    Error
		want string
	}{
		{Error{File: "c.yaml", Line: 7, Key: "forward.url", Err: cause}, "c.yaml:7: forward.url: bad"},
		{Error{File: "c.yaml", Key: "forward.url", Err: cause}, "c.yaml: forward.url: bad"},
		{Error{File: "c.yaml", Line: 3, Err: cause}, "c.yaml:3: bad"},
		{Error{Key: "--ca-file", Err: cause}, "--ca-file: bad"},
		{Error{Key: "forward.url", Err: cause}, "forward.url: bad"},
	} {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("%+v: got %q, want %q", tc.e, got, tc.want)
		}
		if !errors.Is(&tc.e, cause) {
			t.Errorf("%+v does not unwrap to its cause", tc.e)
		}
	}
}
