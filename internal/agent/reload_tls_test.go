package agent

import (
	"bytes"
	"crypto/tls"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/testcert"
)

// TestReloadRenewedTLSFiles: a reload after the forward.tls CA file was
// written over in place (a renewal: the same name, new contents) builds
// the forwarder again, which reads it, instead of keeping the one built
// with the old contents as "unchanged"; the log names the renewal. The
// lines then reach the collector, whose certificate the old CA did not
// verify (fresh-user trial 141).
func TestReloadRenewedTLSFiles(t *testing.T) {
	dir := t.TempDir()
	right, err := testcert.WriteTestCerts(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	wrong, err := testcert.WriteTestCerts(t.TempDir()) // another CA
	if err != nil {
		t.Fatal(err)
	}
	ca := filepath.Join(dir, "ca.pem")
	copyFile(t, wrong.CAFile, ca)
	ln := listenTLS(t, right)
	var mu sync.Mutex
	var got bytes.Buffer
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				buf := make([]byte, 64<<10)
				for {
					n, err := c.Read(buf)
					mu.Lock()
					got.Write(buf[:n])
					mu.Unlock()
					if err != nil {
						return
					}
				}
			}()
		}
	}()
	lines := func() int {
		mu.Lock()
		defer mu.Unlock()
		return strings.Count(got.String(), "GET /line/")
	}

	path := filepath.Join(t.TempDir(), "gitlab_access.log")
	writeAccessLines(t, path, 0, 10)
	c := newConfig(t, "tls://"+ln.Addr().String(), config.Source{Type: "access", Path: path})
	c.Forward.TLS = config.TLS{CAFile: ca}
	var logs syncBuffer
	a, ctx, stop := runInBackground(t, c, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil)), ShutdownTimeout: time.Second})
	defer stop()
	waitFor(t, "the handshake refused", 20*time.Second, func() bool {
		return strings.Contains(logs.String(), "certificate signed by unknown authority")
	})

	copyFile(t, right.CAFile, ca) // renewed in place
	nc := *c
	if err := a.Reload(ctx, &nc); err != nil {
		t.Fatal(err)
	}
	if l := logs.String(); !strings.Contains(l, `changed="forward.tls files renewed in place (their contents changed)"`) || strings.Contains(l, "the sources keep running") {
		t.Errorf("the reload did not build the forwarder again for the renewed CA file:\n%s", l)
	}
	// The connection stays open: the lines are counted as they arrive.
	waitFor(t, "the 10 lines over TLS", 30*time.Second, func() bool { return lines() >= 10 })
}

// copyFile writes the contents of src over dst.
func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// listenTLS returns a TLS listener on a free loopback port with the
// server certificate of certs, closed when the test ends.
func listenTLS(t *testing.T, certs testcert.TestCerts) net.Listener {
	t.Helper()
	pair, err := tls.LoadX509KeyPair(certs.ServerCert, certs.ServerKey)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{pair}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}
