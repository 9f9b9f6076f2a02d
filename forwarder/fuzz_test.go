package forwarder

import (
	"bytes"
	"testing"
	"time"

	"github.com/influxdata/go-syslog/v3/rfc5424"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// FuzzEncodeRoundTrip splits the input into header fields, params and MSG,
// encodes them, and checks that go-syslog parses back what the encoder
// promises. Run with: go test -fuzz FuzzEncodeRoundTrip ./forwarder/
func FuzzEncodeRoundTrip(f *testing.F) {
	f.Add([]byte("host\x1fapp\x1fpid\x1fmsgid\x1fname\x1evalue\x1fmsg"), int64(1e9), uint8(190))
	f.Add([]byte("\x1f\x1f\x1f\x1fa b\x1e\"]\\\n\xff\x1f\xEF\xBB\xBFline\r\n"), int64(0), uint8(0))
	f.Add([]byte("é\x1f😀\x1f\x00\x1f]\x1f=\x1e\x1f"), int64(-5e17), uint8(255))
	p := rfc5424.NewParser(rfc5424.WithBestEffort())
	var e Encoder
	f.Fuzz(func(t *testing.T, data []byte, unix int64, pri uint8) {
		parts := bytes.SplitN(data, []byte{0x1f}, 6)
		for len(parts) < 6 {
			parts = append(parts, nil)
		}
		m := Message{
			Facility: Facility(pri / 8 % 24), Severity: Severity(pri % 8),
			Hostname: string(parts[0]), AppName: string(parts[1]), ProcID: string(parts[2]), MsgID: string(parts[3]),
			Msg: parts[5],
		}
		if unix != 0 {
			m.Time = time.Unix(unix%(1<<36), unix%1e9)
		}
		for _, kv := range bytes.Split(parts[4], []byte{0x1e}) {
			name, value, _ := bytes.Cut(kv, []byte{'='})
			if len(kv) > 0 {
				m.Params = append(m.Params, parser.Field{Name: string(name), Value: value})
			}
		}
		if y := m.Time.UTC().Year(); y < 0 || y > 9999 {
			m.Time = time.Time{}
		}
		checkRoundTrip(t, p, &e, &m)
	})
}
