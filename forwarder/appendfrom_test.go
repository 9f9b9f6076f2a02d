package forwarder

import (
	"bytes"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// TestAppendFrom: a message copied from another batch is the same
// message, framed as the batch frames, with its STRUCTURED-DATA where it
// was (a datagram destination cuts there).
func TestAppendFrom(t *testing.T) {
	e := &Encoder{}
	var src, dst Batch
	src.Append(e, &Message{Facility: Local7, Severity: Informational, Hostname: "h", AppName: "a",
		Params: []parser.Field{{Name: "k", Value: []byte("v")}}, Msg: []byte("body")})
	dst.Append(e, &Message{Facility: Local7, Severity: Informational, Hostname: "h", AppName: "b", Msg: []byte("first")})
	dst.AppendFrom(&src, 0)
	if dst.Len() != 2 || !bytes.Equal(dst.Message(1), src.Message(0)) {
		t.Fatalf("copied message %q, want %q", dst.Message(1), src.Message(0))
	}
	sp, want := dst.spans[1], src.spans[0]
	if sp.sd-sp.start != want.sd-want.start || sp.msg-sp.start != want.msg-want.start {
		t.Errorf("span %+v, want the offsets of %+v", sp, want)
	}
}
