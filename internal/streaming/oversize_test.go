package streaming

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestOversizeSentWhole: a client that writes its whole body before it
// reads the answer, as GitLab's Net::HTTP and Python's http.client do,
// gets the 413 for a body far over max_body (30 MB, more than the
// sockets buffer), not a connection reset (trial 247: Python saw only
// "Broken pipe" where curl, which reads while it sends, saw the 413).
func TestOversizeSentWhole(t *testing.T) {
	tr := start(t, Config{MaxBody: 1024})
	conn, err := net.Dial("tcp", tr.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(60 * time.Second))
	const size = 30 << 20
	var req bytes.Buffer
	fmt.Fprintf(&req, "POST %s HTTP/1.1\r\nHost: x\r\n%s: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n",
		tr.path, TokenHeader, tokenA, size)
	req.WriteString(`{"id":1,"p":"`)
	req.WriteString(strings.Repeat("x", size-len(`{"id":1,"p":"`)-2))
	req.WriteString(`"}`)
	if _, err := conn.Write(req.Bytes()); err != nil {
		t.Fatalf("writing the body: %v (the receiver closed the connection on it)", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("status %d, want 413", resp.StatusCode)
	}
	if s := tr.Stats(); s.TooLarge != 1 {
		t.Errorf("stats %+v, want one too large", s)
	}
}
