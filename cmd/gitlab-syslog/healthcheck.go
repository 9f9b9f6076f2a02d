package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/spf13/cobra"
)

// newHealthcheckCmd builds `gitlab-syslog healthcheck`: GET the agent's
// /healthz and exit 0 on a 2xx answer, 1 otherwise. It is the probe of the
// container image's HEALTHCHECK (distroless has no curl) and works as an
// exec probe anywhere else.
func newHealthcheckCmd() *cobra.Command {
	var (
		url     string
		timeout time.Duration
	)
	cmd := &cobra.Command{
		Use:   "healthcheck",
		Short: "Ask a running agent's /healthz and exit 0 when it is healthy (container probes)",
		Long: `healthcheck sends GET to --url (the agent's /healthz, served when
metrics.listen is set) and exits 0 when the answer is 2xx. Otherwise it exits 1
and prints the status and what the agent said is wrong, or why it could not
ask (connection refused: the agent is not running or metrics.listen differs).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			return probe(ctx, url)
		},
	}
	cmd.Flags().StringVar(&url, "url", "http://127.0.0.1:9469/healthz", "the agent's /healthz URL")
	cmd.Flags().DurationVar(&timeout, "timeout", 5*time.Second, "give up after this long")
	return cmd
}

// probe GETs url and returns nil for a 2xx answer, else an error with the
// status and the first 1 KiB of the body.
func probe(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("healthcheck: %s answered %s: %s", url, resp.Status, bytes.TrimSpace(body))
	}
	return nil
}
