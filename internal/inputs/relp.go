package inputs

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/relp"
)

// relpOffer is the server's answer to open: the protocol version, and the
// one command it serves.
const relpOffer = "200 OK\nrelp_version=0\nrelp_software=gitlab-syslog\ncommands=syslog"

// maxRELPBatch bounds the transactions answered with one spool write.
const maxRELPBatch = 1024

// errProtocol wraps the RELP protocol errors of a client: a session that
// does not start with open, a client that does not offer syslog.
var errProtocol = errors.New("RELP protocol error")

// relpConn is the state of one RELP session.
type relpConn struct {
	s     *Server
	c     net.Conn
	br    *bufio.Reader
	p     pending
	txnrs []int  // syslog transactions in p, in order
	data  []byte // frame buffer
	out   []byte // responses of one write
}

// serveRELP runs a RELP session: open, then syslog transactions, each
// answered "200 OK" once the sync of the spool write holding it returned,
// until close (answered, then serverclose) or an error. The open must come
// within idle_timeout. Transactions read together are written together. A
// transaction whose data is not a syslog message (notSyslog) is dropped,
// counted as malformed, and answered "200 OK" with the others, as the
// client would only send it again.
func (s *Server) serveRELP(c net.Conn, br *bufio.Reader) error {
	r := &relpConn{s: s, c: c, br: br}
	if err := r.open(); err != nil {
		return err
	}
	for {
		if br.Buffered() == 0 || len(r.txnrs) >= maxRELPBatch || len(r.p.lines) >= batchBytes {
			if err := r.flush(); err != nil {
				return err
			}
			_ = c.SetReadDeadline(time.Now().Add(s.cfg.IdleTimeout))
		}
		f, data, err := relp.ReadFrame(br, r.data, s.cfg.MaxMessageBytes)
		r.data = data
		if err != nil {
			if ferr := r.flush(); ferr != nil {
				return ferr
			}
			return idleErr(err)
		}
		switch f.Command {
		case "syslog":
			if why := notSyslog(f.Data); why != "" {
				s.dropNotSyslog(c, f.Data, why) // answered all the same: resending it would not help
			} else {
				if f.Truncated > 0 {
					s.cut(c, f.Truncated)
				}
				r.p.add(f.Data)
			}
			r.txnrs = append(r.txnrs, f.Txnr)
		case "close":
			if err := r.flush(); err != nil {
				return err
			}
			r.out = relp.AppendFrame(r.out[:0], f.Txnr, "rsp", []byte("200 OK"))
			r.out = relp.AppendFrame(r.out, 0, "serverclose", nil)
			return r.write()
		default:
			if err := r.flush(); err != nil {
				return err
			}
			s.c.protocol.Add(1)
			r.out = relp.AppendFrame(r.out[:0], f.Txnr, "rsp", []byte("500 unknown command"))
			if err := r.write(); err != nil {
				return err
			}
		}
	}
}

// open reads the client's open command within idle_timeout and answers
// it with the server's offers, or refuses the session.
func (r *relpConn) open() error {
	_ = r.c.SetReadDeadline(time.Now().Add(r.s.cfg.IdleTimeout))
	f, data, err := relp.ReadFrame(r.br, nil, relp.MaxResponse)
	if errors.Is(err, relp.ErrFrame) {
		return fmt.Errorf("RELP open: %w; a RELP client (rsyslog's omrelp, a gitlab-syslog node with relp://) begins with \"1 open\": check what sends to this input", err)
	}
	if err != nil {
		return fmt.Errorf("RELP open: %w", err)
	}
	if f.Command != "open" {
		r.out = relp.AppendFrame(r.out[:0], 0, "serverclose", nil)
		_ = r.write()
		return fmt.Errorf("%w: the first command is %q, want open", errProtocol, f.Command)
	}
	if !relp.Offers(data, "commands", "syslog") {
		r.out = relp.AppendFrame(r.out[:0], f.Txnr, "rsp", []byte("500 the syslog command is required"))
		_ = r.write()
		return fmt.Errorf("%w: the client's open offers no syslog command (%q)", errProtocol, relp.TrimForError(data))
	}
	r.out = relp.AppendFrame(r.out[:0], f.Txnr, "rsp", []byte(relpOffer))
	return r.write()
}

// flush writes the pending messages to the spool and, once synced,
// answers their transactions (and those of the messages dropped as not
// syslog). When the spool fails nothing is answered and the session ends:
// the client resends after reconnecting.
func (r *relpConn) flush() error {
	if len(r.txnrs) == 0 {
		return nil
	}
	if r.p.n > 0 {
		if err := r.s.commit(r.p.lines, r.p.n, r.p.size); err != nil {
			return err
		}
	}
	r.out = r.out[:0]
	for _, t := range r.txnrs {
		r.out = relp.AppendFrame(r.out, t, "rsp", []byte("200 OK"))
	}
	r.p.reset()
	r.txnrs = r.txnrs[:0]
	return r.write()
}

func (r *relpConn) write() error {
	_ = r.c.SetWriteDeadline(time.Now().Add(r.s.cfg.IdleTimeout))
	if _, err := r.c.Write(r.out); err != nil {
		return fmt.Errorf("RELP: write responses: %w", err)
	}
	return nil
}
