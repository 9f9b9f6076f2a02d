package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	neturl "net/url"
	"syscall"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/spf13/cobra"
)

// newHealthcheckCmd builds `gitlab-syslog healthcheck`: GET the agent's
// /healthz and exit 0 on a 2xx answer, 1 otherwise. It is the probe of the
// container image's HEALTHCHECK (distroless has no curl) and works as an
// exec probe anywhere else.
func newHealthcheckCmd() *cobra.Command {
	var (
		url, configFile string
		timeout         time.Duration
	)
	cmd := &cobra.Command{
		Use:   "healthcheck",
		Short: "Ask a running agent's /healthz and exit 0 when it is healthy (container probes)",
		Long: `healthcheck sends GET to --url (the agent's /healthz, served when
metrics.listen is set), or to the /healthz of the metrics.listen of the
--config file (on a loopback address when it listens on every interface),
and exits 0 when the answer is 2xx. Otherwise it exits 1 and prints the
status and what the agent said is wrong, or why it could not ask
(connection refused: the agent is not running or metrics.listen differs).
The same listener serves /readyz, which answers for the Audit Event
Streaming receiver and the network inputs alone, not the collector:
give it as --url to a load balancer's or readiness probe's check of a
receiver (a receiver whose collector is down still spools events).`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if timeout <= 0 {
				return fmt.Errorf("healthcheck: --timeout %s: want a positive duration, e.g. 5s", timeout)
			}
			if cmd.Flags().Changed("config") {
				if cmd.Flags().Changed("url") {
					return errors.New("healthcheck: --url and --config both name the agent: give one")
				}
				u, err := healthzOf(configFile)
				if err != nil {
					return err
				}
				url = u
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			return probe(ctx, url)
		},
	}
	cmd.Flags().StringVar(&url, "url", "http://127.0.0.1:9469/healthz", "the agent's /healthz URL")
	cmd.Flags().StringVarP(&configFile, "config", "c", "", "ask the /healthz of this configuration file's metrics.listen instead of --url")
	cmd.Flags().DurationVar(&timeout, "timeout", 5*time.Second, "give up after this long")
	return cmd
}

// healthzOf returns the /healthz URL of the agent the configuration file
// at path runs: its metrics.listen, with a loopback host when it names
// none or every interface. It returns an error, naming the file, when the
// file cannot be read or sets no metrics.listen (no /healthz is served).
func healthzOf(path string) (string, error) {
	c, err := config.Load(path)
	if err != nil {
		return "", fmt.Errorf("healthcheck: %w", err)
	}
	if c.Metrics.Listen == "" {
		return "", fmt.Errorf("healthcheck: %s sets no metrics.listen, so the agent serves no /healthz: set it (e.g. metrics: {listen: 127.0.0.1:9469}) and restart the agent", path)
	}
	host, port, err := net.SplitHostPort(c.Metrics.Listen)
	if err != nil {
		return "", fmt.Errorf("healthcheck: %s: metrics.listen %q: %w", path, c.Metrics.Listen, err)
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
		if ip != nil && ip.To4() == nil {
			host = "::1"
		}
	}
	return "http://" + net.JoinHostPort(host, port) + "/healthz", nil
}

// probe GETs url and returns nil for a 2xx answer, else an error with the
// status and the first 1 KiB of the body.
func probe(ctx context.Context, url string) error {
	u, err := neturl.Parse(url)
	if err == nil && (u.Scheme != "http" && u.Scheme != "https" || u.Host == "") {
		err = errors.New("not an http:// or https:// URL with a host")
	}
	if err != nil {
		return fmt.Errorf("healthcheck: --url %q: %w; want http://HOST:PORT/healthz, HOST:PORT being the agent's metrics.listen", url, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("healthcheck: --url %q: %w", url, err)
	}
	resp, err := http.DefaultClient.Do(req)
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("healthcheck: %w (is the agent running, with metrics.listen at this address?)", err)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("healthcheck: %s gave no answer within --timeout: %w", url, err)
	case err != nil:
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	if resp.StatusCode == http.StatusNotFound && u.Path != "/healthz" {
		return fmt.Errorf("healthcheck: %s answered %s: the agent answers health at the path /healthz: give --url %s://%s/healthz", url, resp.Status, u.Scheme, u.Host)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("healthcheck: %s answered %s: %s", url, resp.Status, bytes.TrimSpace(body))
	}
	return nil
}
