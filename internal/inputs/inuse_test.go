package inputs

import (
	"log/slog"
	"net"
	"strings"
	"testing"
)

// TestListenInUse: an input whose port another process listens on fails
// to start with where it is configured, the cause and what to do
// (fresh-user trial 66: a bare "bind: address already in use").
func TestListenInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cfg := Config{Listen: "relp://" + ln.Addr().String(), SpoolDir: t.TempDir(), Logger: slog.New(slog.DiscardHandler),
		Where: func(key string) string { return "agent.yaml:7: inputs[0]." + key }}
	s, err := Listen(cfg)
	if err == nil {
		s.ln.Close()
		t.Fatal("Listen on a port in use: no error")
	}
	want := "inputs: agent.yaml:7: inputs[0].listen: listen on relp://" + ln.Addr().String() + ": "
	if got := err.Error(); !strings.HasPrefix(got, want) || !strings.HasSuffix(got, "address already in use: another process listens there (another agent?): stop it, or give the input another port") {
		t.Errorf("Listen: %v, want %q ... address already in use: another process ...", err, want)
	}
}

// TestListenNoSuchAddress: an input on an address no interface of this
// host has fails to start with where it is configured too (fresh-user
// trial 267: only a busy port's error named the file and line).
func TestListenNoSuchAddress(t *testing.T) {
	cfg := Config{Listen: "tcp://192.0.2.55:51434", SpoolDir: t.TempDir(), Logger: slog.New(slog.DiscardHandler),
		Where: func(key string) string { return "agent.yaml:7: inputs[0]." + key }}
	s, err := Listen(cfg)
	if err == nil {
		s.ln.Close()
		t.Fatal("Listen on 192.0.2.55: no error")
	}
	want := "inputs: agent.yaml:7: inputs[0].listen: listen on tcp://192.0.2.55:51434: "
	if got := err.Error(); !strings.HasPrefix(got, want) || !strings.Contains(got, "cannot assign requested address") {
		t.Errorf("Listen: %v, want %q ... cannot assign requested address", err, want)
	}
}
