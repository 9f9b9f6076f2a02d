package collect

import (
	"bytes"
	"errors"
	"time"
	"unicode/utf8"

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
	// Message is MSG, as the go-syslog v3 parser gives it (a leading byte
	// order mark included). An RFC 5424 MSG that is not valid UTF-8, which
	// that parser rejects, is its raw octets after any BOM: without a BOM
	// any octets are allowed (MSG-ANY, RFC 5424 §6.4) and Err is nil;
	// after a BOM MSG must be UTF-8 (MSG-UTF8), and Err says it is not.
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
			if body, at, bom, ok := msgOf(m.Raw); ok {
				m.Message = string(body)
				m.Err = ps.msgErr(m.Raw[:at-1], body, bom, err)
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

// msgErr returns the error of an RFC 5424 message that go-syslog refused
// with err, given its part before the SP that precedes MSG (head), its
// MSG without BOM (body), and whether MSG starts with a BOM. When head
// alone parses and body is not valid UTF-8, err was about MSG's octets:
// allowed without a BOM (MSG-ANY, RFC 5424 §6.4), so nil; an error after
// a BOM (MSG-UTF8 must be UTF-8). Any other error is err.
func (ps *parsers) msgErr(head, body []byte, bom bool, err error) error {
	if utf8.Valid(body) {
		return err
	}
	if _, herr := ps.p5424.Parse(head); herr != nil {
		return err // the header or STRUCTURED-DATA is wrong too
	}
	if bom {
		return errors.New("MSG starts with a byte order mark (MSG-UTF8) but is not valid UTF-8 (RFC 5424 §6.4: after a BOM, MSG must be UTF-8)")
	}
	return nil
}

// msgOf finds MSG in an RFC 5424 message by skipping the seven header
// fields and STRUCTURED-DATA: it returns MSG without a leading byte order
// mark, at, the offset in raw where MSG (its BOM if any) starts, and bom,
// whether it starts with one. It reports false when there is no MSG.
func msgOf(raw []byte) (body []byte, at int, bom bool, ok bool) {
	p := raw
	for range 6 { // PRI+VERSION, TIMESTAMP, HOSTNAME, APP-NAME, PROCID, MSGID
		i := bytes.IndexByte(p, ' ')
		if i < 0 {
			return nil, 0, false, false
		}
		p = p[i+1:]
	}
	p, ok = header.SkipSD(p)
	if !ok {
		return nil, 0, false, false
	}
	if len(p) == 0 || p[0] != ' ' {
		return nil, 0, false, false
	}
	p = p[1:]
	at = len(raw) - len(p)
	if bytes.HasPrefix(p, []byte("\xEF\xBB\xBF")) {
		p, bom = p[3:], true
	}
	return p, at, bom, true
}
