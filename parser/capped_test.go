package parser

import (
	"bytes"
	"path/filepath"
	"testing"
)

// TestValuesCapped: every value's capacity is its length, so that a
// caller's append to a value copies it instead of overwriting the line
// and the values after it (trial 254: appending to an access line's
// IPAddress rewrote RemoteUser and the line). Over every sample and case
// file, values aliasing the line and values built in the scratch buffer.
func TestValuesCapped(t *testing.T) {
	var r Record
	for in, typ := range goldenInputs() {
		for i, line := range readFileLines(t, in) {
			line = bytes.Clone(line)
			orig := bytes.Clone(line)
			lt := typ
			if lt == TypeUnknown {
				lt = Detect(line)
			}
			p := New(lt)
			if p == nil || p.Parse(line, &r) != nil {
				continue
			}
			for _, f := range r.Fields {
				if cap(f.Value) != len(f.Value) {
					t.Errorf("%s:%d: %s: capacity %d, length %d", filepath.Base(in), i+1, f.Name, cap(f.Value), len(f.Value))
				}
				_ = append(f.Value, "XXXX"...)
			}
			if !bytes.Equal(line, orig) {
				t.Errorf("%s:%d: appending to the values changed the line", filepath.Base(in), i+1)
			}
		}
	}
}
