package inputs

import (
	"bytes"
	"testing"
)

func TestSpoolLineRoundTrip(t *testing.T) {
	tests := []struct {
		msg string
		b64 bool // written in the base64 form
	}{
		{"<13>1 - h a - - - plain", false},
		{"<13>1 - h a - - - two\nlines", true},
		{"<13>1 - h a - - - ends in CR\r", true},
		{"no PRI", true},
		{"=looks encoded", true},
		{"", true},
		{"<13>1 - h a - - - \x00\xff binary", false},
	}
	var buf []byte
	for _, tt := range tests {
		line := AppendLine(nil, []byte(tt.msg))
		if line[len(line)-1] != '\n' || bytes.IndexByte(line[:len(line)-1], '\n') >= 0 {
			t.Fatalf("AppendLine(%q) = %q: not one line", tt.msg, line)
		}
		if (line[0] == '=') != tt.b64 {
			t.Errorf("AppendLine(%q) = %q, base64 form %v, want %v", tt.msg, line, line[0] == '=', tt.b64)
		}
		got, grown, err := DecodeLine(line[:len(line)-1], buf)
		buf = grown
		if err != nil || string(got) != tt.msg {
			t.Errorf("DecodeLine(%q) = %q, %v; want %q", line, got, err, tt.msg)
		}
	}
	if _, _, err := DecodeLine([]byte("=not base64!"), nil); err == nil {
		t.Error("DecodeLine accepted a bad base64 line")
	}
}
