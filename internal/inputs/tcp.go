package inputs

import (
	"bufio"
	"net"
	"time"
)

// pending is a connection's batch of spool lines not yet written.
type pending struct {
	lines []byte
	n     int // messages
	size  int // octets of the messages
}

// add queues a received message. A trailing LF is dropped, as rsyslog
// does by default (parser.dropTrailingLFOnReception): rsyslog's
// RSYSLOG_SyslogProtocol23Format template, common with omrelp, ends in one.
func (p *pending) add(msg []byte) {
	if n := len(msg); n > 0 && msg[n-1] == '\n' {
		msg = msg[:n-1]
	}
	p.lines = AppendLine(p.lines, msg)
	p.n++
	p.size += len(msg)
}

func (p *pending) reset() { p.lines, p.n, p.size = p.lines[:0], 0, 0 }

// serveTCP reads octet-counted or LF-framed messages. What was read is
// written to the spool before the connection is read again (when the
// reader's buffer is empty), so a sender faster than the disk is held
// back by TCP's window. A frame over max_message_bytes is cut and counted;
// a frame that is not a syslog message (notSyslog) is dropped and counted
// as malformed, and the connection goes on; a malformed frame (its
// MSG-LEN) ends the connection after the messages before it were spooled.
func (s *Server) serveTCP(c net.Conn, br *bufio.Reader) error {
	fr := NewFrameReader(br, s.cfg.MaxMessageBytes)
	var p pending
	for {
		if br.Buffered() == 0 {
			if p.n > 0 {
				if err := s.commit(p.lines, p.n, p.size); err != nil {
					return err
				}
				p.reset()
			}
			_ = c.SetReadDeadline(time.Now().Add(s.cfg.IdleTimeout))
		}
		frame, cut, err := fr.Next()
		if err != nil {
			if p.n > 0 {
				if cerr := s.commit(p.lines, p.n, p.size); cerr != nil {
					return cerr
				}
			}
			return idleErr(err)
		}
		if why := notSyslog(frame); why != "" {
			s.dropNotSyslog(c, frame, why)
			continue
		}
		if cut > 0 {
			s.cut(c, cut)
		}
		p.add(frame)
		if len(p.lines) >= batchBytes {
			if err := s.commit(p.lines, p.n, p.size); err != nil {
				return err
			}
			p.reset()
		}
	}
}
