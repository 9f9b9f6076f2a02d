package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
	"github.com/gitlab-syslog/gitlab-syslog/internal/collect"
	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
)

func newCollectCmd() *cobra.Command {
	var (
		listen, format, certFile, keyFile, clientCA string
	)
	cmd := &cobra.Command{
		Use:   "collect --listen URL [--format json|raw]",
		Short: "Receive syslog messages and print them, to test a sender",
		Long: `collect listens for syslog messages and prints each one on stdout: as a JSON
object (format "rfc5424" or "rfc3164", facility, severity, timestamp,
hostname, app_name, proc_id, msg_id, structured_data, message, error) or,
with --format raw, as received. timestamp (null for a NILVALUE) and message
are always present; a key whose field is empty or NILVALUE ("-") is left
out: proc_id "-", a message without STRUCTURED-DATA, error but for a message
that did not parse.

TCP and TLS connections may use octet counting or newline framing, detected
per frame; frames of any size up to 64 MiB are accepted. Messages are parsed
as RFC 5424, else as RFC 3164; a message that is neither is printed with
"error" set and the raw text as "message". An RFC 5424 MSG may be any
octets (MSG-ANY, RFC 5424 section 6.4) unless it starts with a byte
order mark: then it must be UTF-8 (MSG-UTF8), and "error" says when it
is not, as it does for a STRUCTURED-DATA value that is not UTF-8
(section 6.3.3). Every byte of a message is
kept, NUL included (\u0000 in JSON), but for bytes that are not UTF-8,
which JSON strings cannot hold: each is printed as U+FFFD (\ufffd);
--format raw prints every byte as received. NULs between octet-counted
frames (a trailer some senders add) are skipped; with LF framing they are
the next message's first bytes.

--listen takes a URL: udp://127.0.0.1:5514, tcp://127.0.0.1:5514,
tls://127.0.0.1:6514 (needs --cert-file and --key-file),
unix:///tmp/syslog.sock (datagram) or unix:///tmp/syslog.sock?type=stream.
It stops on SIGINT or SIGTERM.

collect is a test tool, not a production receiver: the go-syslog v3 parser
it uses slows down sharply on messages of several hundred kilobytes.`,
		Example: `  gitlab-syslog collect --listen tcp://127.0.0.1:5514 &
  gitlab-syslog send --type audit --to tcp://127.0.0.1:5514 audit_json.log`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch f := strings.ToLower(format); f { // as detect's --format: any case
			case "json", "raw":
				format = f
			default:
				return fmt.Errorf("collect: --format %q: want json or raw", format)
			}
			cfg := collect.Config{
				URL:    listen,
				Logger: slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelWarn})),
			}
			if certFile != "" || keyFile != "" {
				tc, err := collect.ServerTLS(certFile, keyFile, clientCA)
				if err != nil {
					return err
				}
				cfg.TLS = tc
			}
			if strings.TrimSpace(listen) == "" { // unset, or empty (an unset shell variable?)
				return errors.New("collect: --listen needs an address to listen on, e.g. --listen tcp://127.0.0.1:5514 (udp://, tcp://, tls:// or unix:///path)")
			}
			if err := checkListen(listen); err != nil {
				return err
			}
			srv, err := collect.Listen(cfg)
			if err != nil { // a misspelt scheme gets send --to's "did you mean"
				return fmt.Errorf("%w%s", err, config.URLHint(listen, collect.Schemes()))
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "collect: listening on %s\n", srv.URL())
			out := bufio.NewWriter(cmd.OutOrStdout())
			var werr error
			print := func(m *collect.Message) {
				if werr != nil {
					return
				}
				if format == "raw" {
					_, _ = out.Write(m.Raw)
					_ = out.WriteByte('\n')
				} else {
					werr = writeJSONMessage(out, m)
				}
				if werr == nil {
					werr = out.Flush()
				}
			}
			if err := srv.Serve(cmd.Context(), print); err != nil {
				return err
			}
			if werr != nil {
				return fmt.Errorf("collect: write output: %w", werr)
			}
			return out.Flush()
		},
	}
	f := cmd.Flags()
	f.StringVar(&listen, "listen", "", "listen URL: udp://, tcp://, tls:// or unix:// (required)")
	f.StringVar(&format, "format", "json", "output: json (one object per message) or raw")
	f.StringVar(&certFile, "cert-file", "", "tls: server certificate (PEM)")
	f.StringVar(&keyFile, "key-file", "", "tls: server key (PEM)")
	f.StringVar(&clientCA, "client-ca-file", "", "tls: require client certificates signed by these CAs (PEM)")
	return cmd
}

// checkListen refuses a --listen URL of a network scheme without the
// "//" of an address ("tcp:/127.0.0.1:5514", "udp:127.0.0.1:5514"), which
// would listen on every interface on a random port, as send --to refuses
// it, and one whose address does not split into host and port
// ("tcp://::1:5514": forwarder.CheckHostPort). "tcp://:5514" (every
// interface, that port) is accepted. A URL that does not parse and holds
// a password is refused with the password masked (config.RedactedURL).
func checkListen(listen string) error {
	u, err := url.Parse(listen)
	if masked := config.RedactedURL(listen); err != nil && masked != listen {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("collect: listen URL %q: %w", masked, err) // not collect.Listen's, which quotes the password
	}
	if err != nil || (u.Scheme != "udp" && u.Scheme != "tcp" && u.Scheme != "tls") {
		return nil // collect.Listen names any other problem
	}
	if u.Host != "" {
		if err := forwarder.CheckHostPort(u); err != nil {
			return fmt.Errorf("collect: listen URL %q: %w", listen, err)
		}
		return nil
	}
	if p := config.HostProblem(listen, u); p != "" {
		return fmt.Errorf("collect: listen URL %s", p)
	}
	return nil
}

// collectedJSON is the JSON shape of one received message.
type collectedJSON struct {
	Format         string                       `json:"format,omitempty"`
	Facility       string                       `json:"facility,omitempty"`
	Severity       string                       `json:"severity,omitempty"`
	Timestamp      *string                      `json:"timestamp"`
	Hostname       string                       `json:"hostname,omitempty"`
	AppName        string                       `json:"app_name,omitempty"`
	ProcID         string                       `json:"proc_id,omitempty"`
	MsgID          string                       `json:"msg_id,omitempty"`
	StructuredData map[string]map[string]string `json:"structured_data,omitempty"`
	Message        string                       `json:"message"`
	Error          string                       `json:"error,omitempty"`
}

func writeJSONMessage(w io.Writer, m *collect.Message) error {
	j := collectedJSON{
		Format: m.Format, Hostname: m.Hostname, AppName: m.AppName, ProcID: m.ProcID, MsgID: m.MsgID,
		StructuredData: m.StructuredData, Message: m.Message,
	}
	if m.Facility >= 0 {
		j.Facility = forwarder.Facility(m.Facility).String()
	}
	if m.Severity >= 0 {
		j.Severity = forwarder.Severity(m.Severity).String()
	}
	if !m.Timestamp.IsZero() {
		ts := m.Timestamp.Format(time.RFC3339Nano)
		j.Timestamp = &ts
	}
	if m.Err != nil {
		j.Error = m.Err.Error()
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(&j)
}
