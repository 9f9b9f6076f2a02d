package detect

import (
	"testing"
)

// TestFileCheckSavedWithPosition: the check a reader gives for a file
// (Engine.Check) is saved with the source's position in that file and
// restored with it (FoldedCheck); of two checks for one file the one with
// the higher line is kept; Replaced drops it with the position; a
// position without a check (a state of an older version) is restored as
// before, without one.
func TestFileCheckSavedWithPosition(t *testing.T) {
	dir := t.TempDir()
	var alerts []*Alert
	e := newTestEngine(t, dir, &alerts)
	e.Process(auditEvent("1", "login", "u", at("0s"), "src", 5))
	e.Check("src", "1:2", FileCheck{Line: 9, Sum: "nine"})
	e.Check("src", "1:2", FileCheck{Line: 7, Sum: "seven"}) // a shorter input of the same identity
	e.Check("other", "3:4", FileCheck{Line: 1, Sum: "one"}) // no position in it: not saved
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
	if got := e.FoldedThrough("src", "1:2"); got != 5 {
		t.Errorf("FoldedThrough(src) = %d, want 5", got)
	}
	if _, ok := e.FoldedCheck("other", "3:4"); ok {
		t.Error("FoldedCheck(other): a check without a position was saved")
	}
	e.Check("src", "1:2", FileCheck{Line: 12, Sum: "twelve"}) // this run's, before the engine drops the restored position
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
