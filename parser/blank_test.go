package parser

import "testing"

// TestBlank: lines of white space and byte order marks only are blank, as
// Parse finds nothing in them; a mark before text, or text with marks, is
// not (fresh-user trial 107 got a line of two marks sent as an empty MSG).
func TestBlank(t *testing.T) {
	for _, c := range []struct {
		line string
		want bool
	}{
		{"", true},
		{" \t\r", true},
		{bom, true},
		{bom + bom, true},
		{bom + "\r", true},
		{" " + bom + " " + bom + " ", true},
		{bom + "{}", false},
		{"x", false},
		{"\xef\xbb", false},
		{"\x00", false}, // NUL padding is not blank: Parse names it
	} {
		if got := Blank([]byte(c.line)); got != c.want {
			t.Errorf("Blank(%q) = %v, want %v", c.line, got, c.want)
		}
		if c.want {
			var r Record
			if err := New(TypeAudit).Parse([]byte(c.line), &r); err == nil {
				t.Errorf("Parse(%q) succeeded on a blank line", c.line)
			}
		}
	}
}
