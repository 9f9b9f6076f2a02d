package container

import (
	"bytes"
	"testing"
	"testing/iotest"
)

// TestLastParts: LastParts finds the stdout parts that end a file, past
// stderr records, with the subcomponent of the envelope they begin, and
// nothing when the file's last stdout record is complete or its last line
// is not whole.
func TestLastParts(t *testing.T) {
	const env = `{"date":"2026-12-07T10:00:00.000Z","component": "gitlab","subcomponent":"audit_json","message":{"severity":"INFO"`
	rec := func(stream, tag, text string) string {
		return "2026-12-07T10:00:00.000000000Z " + stream + " " + tag + " " + text + "\n"
	}
	for _, tc := range []struct {
		name, tail string
		whole      bool
		sub        string
		ok         bool
	}{
		{"a part", rec("stdout", "F", "x") + rec("stdout", "P", env), true, "audit_json", true},
		{"two parts, stderr between", rec("stdout", "P", env) + rec("stderr", "F", "e") + rec("stdout", "P", ",") + rec("stderr", "P", "p"), true, "audit_json", true},
		{"no envelope", rec("stdout", "P", "plain"), true, "", true},
		{"the first part before tail", `0","level":"info"}` + "\n" + rec("stdout", "P", ","), false, "", true},
		{"a complete last line", rec("stdout", "P", env) + rec("stdout", "F", "}}"), true, "", false},
		{"stderr parts only", rec("stdout", "F", "x") + rec("stderr", "P", "p"), true, "", false},
		{"no newline at the end", rec("stdout", "P", env)[:40], true, "", false},
		{"empty", "", true, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sub, ok := LastParts([]byte(tc.tail), tc.whole, CRI)
			if string(sub) != tc.sub || ok != tc.ok {
				t.Errorf("LastParts = %q, %v; want %q, %v", sub, ok, tc.sub, tc.ok)
			}
		})
	}
}

// TestLastBytes: the last n bytes of a stream, and whether they are all
// of it, for streams shorter than, as long as and longer than n and 2n.
func TestLastBytes(t *testing.T) {
	for _, size := range []int{0, 1, 9, 10, 11, 19, 20, 21, 95} {
		data := make([]byte, size)
		for i := range data {
			data[i] = byte('a' + i%26)
		}
		tail, whole, err := LastBytes(iotest.OneByteReader(bytes.NewReader(data)), 10)
		want := data[max(0, size-10):]
		if err != nil || !bytes.Equal(tail, want) || whole != (size <= 10) {
			t.Errorf("size %d: %q, %v, %v; want %q, %v", size, tail, whole, err, want, size <= 10)
		}
	}
}
