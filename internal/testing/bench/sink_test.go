package bench

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"
)

func dialSink(t *testing.T, s *Sink) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// waitDrained waits until s has accepted a connection and read every one
// to its end (the client closed it), so that Close, which drops open
// connections, loses nothing the client wrote; it fails the test after
// 5 seconds.
func waitDrained(t *testing.T, s *Sink) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		s.mu.Lock()
		open := len(s.open)
		s.mu.Unlock()
		if s.conns.Load() > 0 && open == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("sink: %d connections accepted, %d still open after 5s", s.conns.Load(), open)
		}
	}
}

func TestSinkFraming(t *testing.T) {
	tests := []struct {
		name       string
		chunks     []string // written one by one, with a pause between
		wantFrames int64
		wantBytes  int64
		wantAlerts int64
	}{
		{"octet counted", []string{"5 hello3 abc"}, 2, 8, 0},
		{"octet counted split", []string{"1", "1 hello", " world", "2 ok"}, 2, 13, 0},
		{"newline", []string{"<14>1 - - - - - - hi\n<14>1 x\n"}, 2, 20 + 7, 0},
		{"newline split", []string{"<14>1 a", "bc\n"}, 1, 9, 0},
		{"mixed", []string{"3 abc<1>x\n4 defg"}, 3, 3 + 4 + 4, 0},
		{"empty lines skipped", []string{"\n\n<1>x\n\n"}, 1, 4, 0},
		{"payload with newline", []string{"7 a\nb\nc\nd"}, 1, 7, 0},
		{"partial newline frame not counted", []string{"<1>never ends"}, 0, 0, 0},
		{"octet counted alert", []string{"60 <188>1 2024-05-31T14:00:00Z bench GitLab-Detections - x - {}5 hello"}, 1, 5, 1},
		{"octet counted alert split", []string{"60 <188>1 2024-05-31T14:00:00Z bench GitLab", "-Detections - x - {}"}, 0, 0, 1},
		{"newline alert", []string{"<188>1 2024-05-31T14:00:00Z bench GitLab-Detections - x - {}\n<14>1 x\n"}, 1, 7, 1},
		{"app-name prefix only is a line", []string{"<14>1 - bench GitLab-Detections2 - - - x\n"}, 1, 40, 0},
		{"app-name in MSG is a line", []string{"<14>1 - bench GitLab-Audit-Logs - - - GitLab-Detections \n"}, 1, 56, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ListenSink("127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			c := dialSink(t, s)
			for _, ch := range tt.chunks {
				if _, err := c.Write([]byte(ch)); err != nil {
					t.Fatal(err)
				}
				time.Sleep(5 * time.Millisecond)
			}
			c.Close()
			waitDrained(t, s)
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			st := s.Stats()
			if st.Frames != tt.wantFrames || st.Bytes != tt.wantBytes || st.Alerts != tt.wantAlerts {
				t.Errorf("got %d frames, %d bytes, %d alerts; want %d, %d, %d", st.Frames, st.Bytes, st.Alerts, tt.wantFrames, tt.wantBytes, tt.wantAlerts)
			}
		})
	}
}

func TestSinkMalformedLength(t *testing.T) {
	s, err := ListenSink("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c := dialSink(t, s)
	c.Write([]byte("3 abc12x4 more"))
	// The sink drops a connection with a broken length: reading gets EOF.
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Fatal("connection still open after a malformed length")
	}
	st := s.Stats()
	if st.Frames != 1 || st.Malformed != 1 {
		t.Errorf("got %d frames, %d malformed; want 1, 1", st.Frames, st.Malformed)
	}
}

func TestSinkWait(t *testing.T) {
	s, err := ListenSink("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c := dialSink(t, s)
	ctx := context.Background()

	c.Write([]byte("2 ab"))
	if st, err := s.Wait(ctx, 1, 5*time.Second, nil); err != nil || st.Frames != 1 {
		t.Fatalf("Wait(1) = %d frames, %v; want 1, nil", st.Frames, err)
	}
	time.Sleep(30 * time.Millisecond)
	c.Write([]byte("2 ab2 ab"))
	st, err := s.Wait(ctx, 3, 5*time.Second, nil)
	if err != nil || st.Frames != 3 || st.Bytes != 6 {
		t.Fatalf("Wait(3) = %d frames, %d bytes, %v; want 3, 6, nil", st.Frames, st.Bytes, err)
	}
	if st.Duration() < 30*time.Millisecond {
		t.Errorf("first %v last %v: want at least 30ms apart", st.First, st.Last)
	}
	if st.Conns != 1 {
		t.Errorf("Conns = %d, want 1", st.Conns)
	}

	start := time.Now()
	st, err = s.Wait(ctx, 4, 200*time.Millisecond, nil)
	if !errors.Is(err, ErrIdle) || st.Frames != 3 {
		t.Fatalf("Wait(4) = %d frames, %v; want 3, ErrIdle", st.Frames, err)
	}
	if el := time.Since(start); el < 200*time.Millisecond {
		t.Errorf("Wait gave up after %v, before the idle timeout", el)
	}

	stop := make(chan struct{})
	close(stop)
	if _, err := s.Wait(ctx, 4, time.Minute, stop); err == nil || errors.Is(err, ErrIdle) {
		t.Errorf("Wait with a closed stop channel: %v, want a stopped error", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.Wait(cctx, 4, time.Minute, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait with a cancelled context: %v, want context.Canceled", err)
	}
}

func TestSinkManyConnections(t *testing.T) {
	s, err := ListenSink("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const conns, per = 4, 10000
	for range conns {
		go func() {
			c, err := net.Dial("tcp", s.Addr())
			if err != nil {
				return
			}
			defer c.Close()
			c.Write([]byte(strings.Repeat("<13>1 - - - - - - line\n", per)))
		}()
	}
	st, err := s.Wait(context.Background(), conns*per, 5*time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Frames != conns*per || st.Bytes != conns*per*22 || st.Conns != conns {
		t.Errorf("got %d frames, %d bytes, %d conns; want %d, %d, %d", st.Frames, st.Bytes, st.Conns, conns*per, conns*per*22, conns)
	}
}
