package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
)

// cliHandler is a slog.Handler that writes the engine's warnings and
// errors as the command's other messages are written, one line each:
//
//	detect: WARNING: FILE:LINE: message: cause (key: value, ...); what to do
//
// FILE:LINE is the record's "file" attribute, the cause its "err", what to
// do its "note" and "hint"; the other attributes follow in parentheses.
// Records below slog.LevelWarn (the agent's informational messages) are
// left out, and so are the parts of a hint ("; "-separated) that say what
// only a long-running agent does (agentOnlyHints).
type cliHandler struct {
	cmd   string // the command, e.g. "detect"
	w     io.Writer
	mu    *sync.Mutex
	attrs []slog.Attr // from WithAttrs, keys qualified by their group
	group string      // from WithGroup, "" for none
}

// newCLILogger returns a logger that writes the engine's warnings and
// errors on w as cliHandler does, for the command cmd.
func newCLILogger(cmd string, w io.Writer) *slog.Logger {
	return slog.New(&cliHandler{cmd: cmd, w: w, mu: new(sync.Mutex)})
}

func (h *cliHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }

func (h *cliHandler) Handle(_ context.Context, r slog.Record) error {
	var file, cause string
	var todo, other []string
	add := func(a slog.Attr) bool {
		v := a.Value.Resolve().String()
		switch a.Key {
		case "":
		case "file":
			file = v
		case "err":
			cause = v
		case "note", "hint":
			if v = oneShotHint(v); v != "" {
				todo = append(todo, v)
			}
		default:
			other = append(other, a.Key+": "+v)
		}
		return true
	}
	for _, a := range h.attrs {
		add(a)
	}
	r.Attrs(func(a slog.Attr) bool { return add(h.qualify(a)) })
	var b strings.Builder
	level := "WARNING"
	if r.Level >= slog.LevelError {
		level = "ERROR"
	}
	fmt.Fprintf(&b, "%s: %s: ", h.cmd, level)
	if file != "" {
		b.WriteString(file + ": ")
	}
	b.WriteString(r.Message)
	if cause != "" {
		b.WriteString(": " + cause)
	}
	if len(other) > 0 {
		b.WriteString(" (" + strings.Join(other, ", ") + ")")
	}
	for _, t := range todo {
		b.WriteString("; " + t)
	}
	b.WriteByte('\n')
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := io.WriteString(h.w, b.String())
	return err
}

// agentOnlyHints are parts of the engine's hints that hold for the agent
// (run), which keeps reading the threat-intelligence file, and mean
// nothing to a command that reads its inputs once.
var agentOnlyHints = []string{"the file is read again when it changes"}

// oneShotHint returns hint without its agentOnlyHints parts.
func oneShotHint(hint string) string {
	parts := strings.Split(hint, "; ")
	parts = slices.DeleteFunc(parts, func(p string) bool { return slices.Contains(agentOnlyHints, p) })
	return strings.Join(parts, "; ")
}

func (h *cliHandler) WithAttrs(as []slog.Attr) slog.Handler {
	c := *h
	c.attrs = slices.Clone(h.attrs)
	for _, a := range as {
		c.attrs = append(c.attrs, h.qualify(a))
	}
	return &c
}

// qualify returns a with its key in h's group ("group.key"), so that an
// attribute of a group is never taken for the file, cause or hint.
func (h *cliHandler) qualify(a slog.Attr) slog.Attr {
	if h.group != "" && a.Key != "" {
		a.Key = h.group + "." + a.Key
	}
	return a
}

func (h *cliHandler) WithGroup(name string) slog.Handler {
	c := *h
	if c.group != "" {
		name = c.group + "." + name
	}
	c.group = name
	return &c
}
