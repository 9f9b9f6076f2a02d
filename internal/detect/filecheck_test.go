package detect

import (
	"testing"
)

// TestFileCheckSavedWithPosition: the check a reader gives for a file it
// read to its end (Engine.Check) is saved as the source's position, that
// file through the check's line, with the check, and restored with it
// (FoldedCheck), whatever the run's events were: of two checks for one
// file the one with the higher line is kept; a file whose events were
// all deduplicated, or none wanted, keeps its position (trial 223: it
// was dropped, and the file read whole from then on); Replaced drops the
// restored check with the position; a position without a check (a state
// of an older version) is restored as before, without one.
func TestFileCheckSavedWithPosition(t *testing.T) {
	dir := t.TempDir()
	var alerts []*Alert
	e := newTestEngine(t, dir, &alerts)
	e.Process(auditEvent("1", "login", "u", at("0s"), "src", 5))
	e.Check("src", "1:2", FileCheck{Line: 9, Sum: "nine"}, true)
	e.Check("src", "1:2", FileCheck{Line: 7, Sum: "seven"}, true) // a shorter input of the same identity
	e.Check("other", "3:4", FileCheck{Line: 1, Sum: "one"}, true) // no event of it reached the engine
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e = newTestEngine(t, dir, &alerts)
	if !e.FoldedChecks() {
		t.Error("FoldedChecks: false after a save with a check")
	}
	if c, ok := e.FoldedCheck("src", "1:2"); !ok || c != (FileCheck{Line: 9, Sum: "nine"}) {
		t.Errorf("FoldedCheck(src) = %+v, %v; want line 9 \"nine\"", c, ok)
	}
	if got := e.FoldedThrough("src", "1:2"); got != 9 {
		t.Errorf("FoldedThrough(src) = %d, want 9, the check's line", got)
	}
	if c, ok := e.FoldedCheck("other", "3:4"); !ok || c.Line != 1 || e.FoldedThrough("other", "3:4") != 1 {
		t.Errorf("FoldedCheck(other) = %+v, %v, FoldedThrough %d; want line 1 through 1: a file read whole keeps its position", c, ok, e.FoldedThrough("other", "3:4"))
	}
	e.Check("src", "1:2", FileCheck{Line: 12, Sum: "twelve"}, true) // this run's, before the engine drops the restored position
	e.Replaced("src", "1:2")
	if c, ok := e.FoldedCheck("src", "1:2"); ok || e.FoldedThrough("src", "1:2") != -1 {
		t.Errorf("after Replaced: FoldedCheck = %+v, %v and FoldedThrough = %d; want none", c, ok, e.FoldedThrough("src", "1:2"))
	}
	// The check this run gave stays, and is saved with the position the
	// run folds in that file (trial 221: it was dropped with the
	// restored one, and the position saved without a check).
	e.Process(auditEvent("3", "login", "u", at("1s"), "src", 12))
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e = newTestEngine(t, dir, &alerts)
	if c, ok := e.FoldedCheck("src", "1:2"); !ok || c != (FileCheck{Line: 12, Sum: "twelve"}) {
		t.Errorf("after a run that replaced the file and gave a check: FoldedCheck = %+v, %v; want line 12 \"twelve\"", c, ok)
	}

	// A state saved without checks (before they were kept).
	old := t.TempDir()
	e = newTestEngine(t, old, &alerts)
	e.Process(auditEvent("2", "login", "u", at("0s"), "src", 5))
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e = newTestEngine(t, old, &alerts)
	if _, ok := e.FoldedCheck("src", "1:2"); ok || e.FoldedChecks() {
		t.Error("a position saved without a check is restored with one")
	}
	if got := e.FoldedThrough("src", "1:2"); got != 5 {
		t.Errorf("FoldedThrough(src) without a check = %d, want 5", got)
	}
}

// TestFileCheckOfStoppedReader: the check of a reader stopped before the
// end of its file (Engine.Check without whole) is saved with the position
// of the last event the engine was given, not as the position: the lines
// it read after that event may never have reached the engine.
func TestFileCheckOfStoppedReader(t *testing.T) {
	dir := t.TempDir()
	var alerts []*Alert
	e := newTestEngine(t, dir, &alerts)
	e.Process(auditEvent("1", "login", "u", at("0s"), "src", 5))
	e.Check("src", "1:2", FileCheck{Line: 20, Sum: "twenty"}, false)
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e = newTestEngine(t, dir, &alerts)
	if got := e.FoldedThrough("src", "1:2"); got != 5 {
		t.Errorf("FoldedThrough = %d, want 5, the last event's", got)
	}
	if c, ok := e.FoldedCheck("src", "1:2"); !ok || c != (FileCheck{Line: 20, Sum: "twenty"}) {
		t.Errorf("FoldedCheck = %+v, %v; want line 20 \"twenty\"", c, ok)
	}
}
