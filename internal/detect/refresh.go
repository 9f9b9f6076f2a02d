package detect

// refresher is implemented by rules that read external data which can
// change while no event arrives (the TI rule's indicator file).
type refresher interface {
	// refresh looks at the data again, on its own wall-clock schedule.
	refresh()
}

// Refresh lets the rules that read external data look at it again,
// whatever the event time does: the TI rule rereads its indicator file
// when it is another file or was changed (fileStamp; looking at most
// every tiCheckEvery). The agent calls it every second, so that a changed
// file is taken up on a quiet instance too, where the lines of a newly
// listed address are declined by the rule's filter before they could
// move it to look.
func (e *Engine) Refresh() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, r := range e.rules {
		if f, ok := r.rule.(refresher); ok {
			f.refresh()
		}
	}
}
