package config

import (
	"fmt"
	"strconv"
	"strings"
)

// Error is a mistake of the configuration about one place of it: a key of
// the file, the file as a whole, or a flag that gave a value. Its text is
// "FILE:LINE: KEY: cause", each part left out when unknown ("FILE: KEY:
// cause" without a line, "KEY: cause" without a file), so that callers can
// sort and filter errors by their fields, not by their text.
type Error struct {
	// File is the configuration file's name as the user gave it
	// (config.yaml, or stdin for --config -), or "" when the value came
	// from a flag or a default.
	File string
	// Line is the 1-based line of File the error is about (the key's, or
	// its nearest parent's when the key was not written), 0 when unknown.
	Line int
	// Key is the key the error is about, as written in messages: its
	// dotted path (forward.url, sources[0].path,
	// detections.rules.sentinel.bruteforce.window), or the flag that gave
	// its value (--ca-file); "" when the error names no single key (an
	// unknown key, a YAML syntax error), or names it in Err's text.
	Key string
	// Block is, for an unknown key, the dotted path of the block it is
	// written in (forward, detections.rules.sentinel.bruteforce), "" at
	// the top level and for other errors.
	Block string
	// Unknown is, for an unknown key, its name as written (detections,
	// for a detections block indented under forward); "" for other
	// errors.
	Unknown string
	// Item is, for a refused item of a detection parameter's list
	// (detections.rules.ID.allowed_domains[0]: " Corp.Example" has spaces
	// around it), the item as written, so that what names the rule's
	// mistakes names that item, not the items kept; "" for other errors
	// and for an item that is not a single value (a mapping, a list).
	Item string
	// Twice is, for a key given a second time in its mapping, the key's
	// dotted path (forward, sources[0].path), "" for other errors. Line
	// is the second one's; Err's text names the first one's, and the
	// configuration holds the first value.
	Twice string
	// Err is the cause, without the place.
	Err error
}

// Error returns "FILE:LINE: KEY: cause" without the parts that are empty.
func (e *Error) Error() string {
	msg := ""
	if e.Err != nil {
		msg = e.Err.Error()
	}
	if p := e.place(); p != "" {
		return p + ": " + msg
	}
	return msg
}

// place returns "FILE:LINE: KEY" without the parts that are empty.
func (e *Error) place() string {
	var parts []string
	switch {
	case e.File != "" && e.Line > 0:
		parts = append(parts, e.File+":"+strconv.Itoa(e.Line))
	case e.File != "":
		parts = append(parts, e.File)
	}
	if e.Key != "" {
		parts = append(parts, e.Key)
	}
	return strings.Join(parts, ": ")
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// lineErrorf returns an *Error about line of file, naming key ("" for
// none), with the cause formatted.
func lineErrorf(file string, line int, key, format string, args ...any) *Error {
	return &Error{File: file, Line: line, Key: key, Err: fmt.Errorf(format, args...)}
}
