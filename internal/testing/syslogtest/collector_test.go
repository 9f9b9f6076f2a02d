package syslogtest

import (
	"fmt"
	"net"
	"testing"
	"time"
)

func TestCollectorFraming(t *testing.T) {
	var got []string
	c, err := Listen("127.0.0.1:0", func(m []byte) { got = append(got, string(m)) })
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", c.Addr())
	if err != nil {
		t.Fatal(err)
	}
	msgs := []string{"<190>1 - - a - - - one", "<190>1 - - a - - - two\nlines", "<190>1 - - a - - - three"}
	for _, m := range msgs[:2] {
		fmt.Fprintf(conn, "%d %s", len(m), m)
	}
	fmt.Fprintf(conn, "%s\n", msgs[2]) // newline framing
	conn.Close()
	deadline := time.Now().Add(5 * time.Second)
	for c.Messages() < 3 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	c.Close()
	if len(got) != 3 {
		t.Fatalf("got %d messages: %q", len(got), got)
	}
	for i := range msgs {
		if got[i] != msgs[i] {
			t.Errorf("message %d = %q, want %q", i, got[i], msgs[i])
		}
	}
}

func TestCollectorStopStart(t *testing.T) {
	c, err := Listen("127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	addr := c.Addr()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "3 abc")
	time.Sleep(50 * time.Millisecond)
	done := make(chan struct{})
	go func() { c.Stop(5 * time.Second); close(done) }()
	// The sender sees EOF after the half-close ...
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := conn.Read(make([]byte, 1)); n != 0 || err == nil {
		t.Fatalf("read after Stop = %d, %v; want EOF", n, err)
	}
	// ... and what it still writes before closing arrives.
	fmt.Fprintf(conn, "3 def")
	conn.Close()
	<-done
	if c.Messages() != 2 {
		t.Errorf("messages = %d, want 2", c.Messages())
	}
	if _, err := net.Dial("tcp", addr); err == nil {
		t.Error("dial succeeded while stopped")
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.Addr() != addr {
		t.Errorf("restarted on %s, want %s", c.Addr(), addr)
	}
	if conn, err := net.Dial("tcp", addr); err != nil {
		t.Errorf("dial after Start: %v", err)
	} else {
		conn.Close()
	}
}
