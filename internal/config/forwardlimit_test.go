package config

import (
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
)

// TestForwardEncoderLimit: the log lines' encoder keeps messages within
// max_stream_message_bytes (or its default) for the stream destinations
// only: a datagram destination's forwarder keeps to max_message_bytes
// itself, and standard output has no limit (fresh-user trial 262: a
// stream limit under the datagram size dropped the STRUCTURED-DATA of UDP
// messages).
func TestForwardEncoderLimit(t *testing.T) {
	for _, tc := range []struct {
		url    string
		stream int // max_stream_message_bytes
		want   int
	}{
		{"tcp://127.0.0.1:514", 0, forwarder.DefaultMaxStreamMessage},
		{"tls://collector:6514", 8192, 8192},
		{"relp://collector:2514", 0, forwarder.DefaultMaxStreamMessage},
		{"RELP+TLS://collector:2514", 0, forwarder.DefaultMaxStreamMessage},
		{"unix:///run/syslog.sock?type=stream", 4096, 4096},
		{"unix:///dev/log", 4096, 0},
		{"udp://127.0.0.1:514", 2048, 0},
		{"unixgram:///dev/log", 0, 0},
		{StdoutURL, 2048, 0},
	} {
		f := Forward{}
		f.URL, f.MaxStreamMessage = tc.url, tc.stream
		if got := f.LineEncoder().MaxMessageBytes; got != tc.want {
			t.Errorf("%s with max_stream_message_bytes %d: the encoder's limit is %d, want %d", tc.url, tc.stream, got, tc.want)
		}
	}
}
