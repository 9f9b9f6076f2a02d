package main

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
)

// forwardFlags are the forwarding flags run, check and send share: where
// the messages go and how each line becomes one. Each overrides the
// configuration key of the same meaning, and only when it was given.
type forwardFlags struct {
	to, hostname, facility, sdID, maxLine, maxMsg, maxStream string
	noSD, rfc3164                                            bool
	tls                                                      config.TLS
}

// register adds the forwarding flags to cmd. toDefault completes the help
// of --to: the default destination, or why there is none.
func (f *forwardFlags) register(cmd *cobra.Command, toDefault string) {
	fl := cmd.Flags()
	fl.StringVar(&f.to, "to", "", "destination URL: "+forwarder.SchemeList(config.Schemes())+
		"; stdout:// (or stdout, -) prints the messages, one a line ("+toDefault+")")
	fl.StringVar(&f.hostname, "hostname", "", "syslog HOSTNAME; - sends RFC 5424's nil value (no host name); an empty value is an error (default: this machine's host name)")
	fl.StringVar(&f.facility, "facility", "", "syslog facility: kern, user, ..., local0 ... local7, or 0-23 (default "+config.DefaultFacility+")")
	fl.StringVar(&f.sdID, "sd-id", "", "SD-ID of the STRUCTURED-DATA element: name@<your IANA private enterprise number>, the '@' required (RFC 5424 §6.3.2) (default "+config.DefaultSDID+")")
	fl.BoolVar(&f.noSD, "no-sd", false, "send no STRUCTURED-DATA, only the raw line")
	fl.BoolVar(&f.rfc3164, "rfc3164", false, "send RFC 3164 (BSD) messages for old collectors")
	fl.StringVar(&f.tls.CAFile, "ca-file", "", "tls: PEM file of CAs to verify the server with (default: system roots)")
	fl.StringVar(&f.tls.CertFile, "cert-file", "", "tls: client certificate (PEM) for mutual TLS")
	fl.StringVar(&f.tls.KeyFile, "key-file", "", "tls: client key (PEM) for mutual TLS")
	fl.StringVar(&f.tls.ServerName, "server-name", "", "tls: name to verify in the server certificate (default: the URL host)")
	fl.StringVar(&f.maxLine, "max-line-bytes", "", "longest line; longer lines are cut to it and counted, e.g. 65536 or 512KiB (default 1MiB)")
	fl.StringVar(&f.maxMsg, "max-message-bytes", "", "udp:// and datagram unix://: largest datagram; longer messages are cut to it and counted, e.g. 65507 or 16KiB (default 8KiB)")
	fl.StringVar(&f.maxStream, "max-stream-message-bytes", "", "tcp://, tls://, relp://, stream unix://: longest message sent whole, the collector's limit; a longer line goes without STRUCTURED-DATA and is counted, a longer alert is shortened, e.g. 64MiB (default 4MiB)")
}

// apply sets the configuration keys of the flags that were given on cmd's
// command line, and records which flag set each, so that a bad value is
// reported under the flag's name.
func (f *forwardFlags) apply(cmd *cobra.Command, c *config.Config) error {
	changed := cmd.Flags().Changed
	str := func(flag, key string, dst *string, val string) {
		if changed(flag) {
			*dst = val
			c.SetByFlag(key, "--"+flag)
		}
	}
	if changed("to") && strings.TrimSpace(f.to) == "" {
		return fmt.Errorf("--to: empty value (an unset shell variable?); give a destination URL such as tcp://host:514, or stdout")
	}
	if changed("hostname") && strings.TrimSpace(f.hostname) == "" {
		return fmt.Errorf("--hostname: empty value (an unset shell variable?); give a host name such as gitlab01.example.com, - for RFC 5424's nil value (no host name), or leave the flag out for this machine's name")
	}
	if changed("sd-id") {
		switch {
		case changed("no-sd") && f.noSD:
			return fmt.Errorf("--sd-id %s with --no-sd: --no-sd sends no STRUCTURED-DATA, so no SD-ID is used; give one of them", f.sdID)
		case changed("rfc3164") && f.rfc3164:
			return fmt.Errorf("--sd-id %s with --rfc3164: an RFC 3164 message has no STRUCTURED-DATA, so no SD-ID is used; give one of them", f.sdID)
		}
	}
	to := f.to
	if config.IsStdout(to) {
		to = config.StdoutURL
	}
	str("to", "forward.url", &c.Forward.URL, to)
	str("hostname", "hostname", &c.Hostname, f.hostname)
	str("facility", "forward.facility", &c.Forward.Facility, f.facility)
	str("sd-id", "forward.sd_id", &c.Forward.SDID, f.sdID)
	str("ca-file", "forward.tls.ca_file", &c.Forward.TLS.CAFile, f.tls.CAFile)
	str("cert-file", "forward.tls.cert_file", &c.Forward.TLS.CertFile, f.tls.CertFile)
	str("key-file", "forward.tls.key_file", &c.Forward.TLS.KeyFile, f.tls.KeyFile)
	str("server-name", "forward.tls.server_name", &c.Forward.TLS.ServerName, f.tls.ServerName)
	if changed("no-sd") {
		sd := !f.noSD
		c.Forward.StructuredData = &sd
		c.SetByFlag("forward.structured_data", "--no-sd")
	}
	if changed("rfc3164") {
		c.Forward.Format = config.DefaultFormat
		if f.rfc3164 {
			c.Forward.Format = "rfc3164"
		}
		c.SetByFlag("forward.format", "--rfc3164")
	}
	if changed("max-line-bytes") {
		n, err := config.ParseByteSize(f.maxLine)
		switch {
		case err != nil:
			return fmt.Errorf("--max-line-bytes: %w", err)
		case n <= 0 || n > math.MaxInt32:
			return fmt.Errorf("--max-line-bytes: want a size from %dKiB to 2GiB, got %q", config.MinMaxLine>>10, f.maxLine)
		}
		c.Tailer.MaxLineBytes = int(n)
		c.SetByFlag("max_line_bytes", "--max-line-bytes")
	}
	size := func(flag, key string, dst *int, val string) error {
		if !changed(flag) {
			return nil
		}
		n, err := config.ParseByteSize(val)
		if err != nil {
			return fmt.Errorf("--%s: %w", flag, err)
		}
		*dst = int(min(n, math.MaxInt)) // out of range: Validate says so under the flag's name, with the value given
		c.SetByFlag(key, "--"+flag)
		return nil
	}
	return errors.Join(size("max-message-bytes", "forward.max_message_bytes", &c.Forward.MaxDatagram, f.maxMsg),
		size("max-stream-message-bytes", "forward.max_stream_message_bytes", &c.Forward.MaxStreamMessage, f.maxStream))
}
