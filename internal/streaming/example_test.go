package streaming_test

import (
	"context"
	"log"
	"os/signal"
	"syscall"

	"github.com/gitlab-syslog/gitlab-syslog/internal/streaming"
)

// The agent creates the receiver, tails SpoolPath() as an audit log and runs
// the receiver until shutdown.
func Example() {
	r, err := streaming.New(streaming.Config{
		Listen:    ":8443",
		TLS:       streaming.TLSFiles{CertFile: "/etc/gitlab-syslog/tls/server.crt", KeyFile: "/etc/gitlab-syslog/tls/server.key"},
		TokenFile: "/etc/gitlab-syslog/streaming-tokens",
		SpoolDir:  "/var/lib/gitlab-syslog/streaming",
	})
	if err != nil {
		log.Fatal(err)
	}
	// Tail r.SpoolPath() (and its rotated r.SpoolPath()+".1") as an audit
	// source here: APP-NAME GitLab-Audit-Logs, MSG = the line.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := r.Run(ctx); err != nil {
		log.Fatal(err)
	}
}
