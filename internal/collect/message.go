package collect

import (
	"bytes"
	"time"

	header "github.com/gitlab-syslog/gitlab-syslog/internal/rfc5424"

	syslog "github.com/influxdata/go-syslog/v3"
	"github.com/influxdata/go-syslog/v3/rfc3164"
	"github.com/influxdata/go-syslog/v3/rfc5424"
)

// Message is one received syslog message.
type Message struct {
	// Format is "rfc5424" or "rfc3164" for the parser that accepted the
	// message, or "" when neither did (Err then says why).
	Format string
	// Priority, Facility and Severity are -1 when unknown.
	Priority, Facility, Severity int
	// Timestamp is the zero Time for the NILVALUE.
	Timestamp time.Time
	// Header fields; "" for the NILVALUE.
	Hostname, AppName, ProcID, MsgID string
	// StructuredData maps SD-ID to PARAM-NAME to the unescaped PARAM-VALUE.
	StructuredData map[string]map[string]string
	// Message is MSG. For an RFC 5424 message whose MSG is not valid UTF-8
	// (which the go-syslog v3 parser rejects), it is the raw MSG octets and
	// Err is set.
	Message string
	// Raw is the frame: the message as received, without framing.
	Raw []byte
	// Err is the parse error, if any.
	Err error
}

// parsers holds one goroutine's parsers.
type parsers struct {
	p5424 syslog.Machine
	p3164 syslog.Machine
}

func newParsers() *parsers {
	return &parsers{
		p5424: rfc5424.NewParser(rfc5424.WithBestEffort()),
		p3164: rfc3164.NewParser(rfc3164.WithYear(rfc3164.CurrentYear{})),
	}
}

// parse fills a Message from a frame. raw is copied.
func (ps *parsers) parse(raw []byte) *Message {
	m := &Message{Raw: bytes.Clone(raw), Priority: -1, Facility: -1, Severity: -1}
	sm, err := ps.p5424.Parse(m.Raw)
	if s, ok := sm.(*rfc5424.SyslogMessage); ok && s != nil && s.Valid() {
		m.Format = "rfc5424"
		fillBase(m, &s.Base)
		if s.StructuredData != nil {
			m.StructuredData = *s.StructuredData
		}
		if err != nil {
			m.Err = err
			if body, ok := msgOf(m.Raw); ok {
				m.Message = string(body)
			}
		}
		return m
	}
	if sm3, err3 := ps.p3164.Parse(m.Raw); err3 == nil {
		if s, ok := sm3.(*rfc3164.SyslogMessage); ok && s != nil {
			m.Format = "rfc3164"
			fillBase(m, &s.Base)
			return m
		}
	}
	m.Err = err
	m.Message = string(m.Raw)
	return m
}

func fillBase(m *Message, b *syslog.Base) {
	if b.Priority != nil {
		m.Priority = int(*b.Priority)
	}
	if b.Facility != nil {
		m.Facility = int(*b.Facility)
	}
	if b.Severity != nil {
		m.Severity = int(*b.Severity)
	}
	if b.Timestamp != nil {
		m.Timestamp = *b.Timestamp
	}
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	m.Hostname = str(b.Hostname)
	m.AppName = str(b.Appname)
	m.ProcID = str(b.ProcID)
	m.MsgID = str(b.MsgID)
	m.Message = str(b.Message)
}

// msgOf finds MSG in an RFC 5424 message by skipping the seven header
// fields and STRUCTURED-DATA. It reports false when there is no MSG.
func msgOf(raw []byte) ([]byte, bool) {
	p := raw
	for range 6 { // PRI+VERSION, TIMESTAMP, HOSTNAME, APP-NAME, PROCID, MSGID
		i := bytes.IndexByte(p, ' ')
		if i < 0 {
			return nil, false
		}
		p = p[i+1:]
	}
	p, ok := header.SkipSD(p)
	if !ok {
		return nil, false
	}
	if len(p) == 0 || p[0] != ' ' {
		return nil, false
	}
	p = p[1:]
	if bytes.HasPrefix(p, []byte("\xEF\xBB\xBF")) {
		p = p[3:]
	}
	return p, true
}
