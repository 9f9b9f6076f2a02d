package forwarder

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/relp"
)

// RELP, the Reliable Event Logging Protocol of rsyslog's omrelp and imrelp
// (librelp): every message is a transaction the receiver answers with a
// response; a batch is acknowledged once every one of its messages was
// answered "200 OK". At most Config.RELPWindow transactions are
// unanswered at a time. After a reconnect every unanswered message is sent
// again, in order, in a new session.

// relpOffer is the client's offer in the open command: protocol version 0
// (the only one librelp defines) and the one command this client uses.
const relpOffer = "relp_version=0\nrelp_software=gitlab-syslog\ncommands=syslog"

// relpCloseWait bounds how long Close waits for the answer to the close
// command once every message was answered.
const relpCloseWait = 2 * time.Second

// errRELPServerClose reports a serverclose command: the receiver ends the
// session.
var errRELPServerClose = errors.New("receiver closed the RELP session (serverclose)")

// relpTxn is a syslog transaction sent on the current session and not yet
// acknowledged in order.
type relpTxn struct {
	txnr int
	it   *item
	last bool // the last message of it
	ok   bool // answered 200, but a transaction before it was not yet
}

// relpAnswers are the responses the reader read in one go, or the error
// that ended the session.
type relpAnswers struct {
	gen   uint64 // the session they belong to
	txnrs []int  // transactions answered 200, in the order read
	err   error
}

// relpSession is the writer's RELP state.
type relpSession struct {
	on       bool
	window   int
	gen      uint64    // increases with each session
	next     int       // txnr of the next command
	out      []relpTxn // in txnr order
	answers  chan relpAnswers
	recycle  chan []int    // answered txnr slices, back from the writer to the reader
	stop     chan struct{} // closed when the session's connection is closed
	br       *bufio.Reader
	frames   []byte // scratch for the frames of one write
	progress time.Time
}

// open starts a session on c: it sends the open command, reads its answer
// within timeout and starts the reader.
func (r *relpSession) open(c net.Conn, timeout time.Duration) error {
	r.br = bufio.NewReaderSize(c, 16<<10)
	_ = c.SetDeadline(time.Now().Add(timeout))
	defer func() { _ = c.SetDeadline(time.Time{}) }()
	r.frames = relp.AppendFrame(r.frames[:0], 1, "open", []byte(relpOffer))
	if _, err := c.Write(r.frames); err != nil {
		return fmt.Errorf("RELP open: %w", err)
	}
	if first, err := r.br.Peek(2); err != nil || first[0] < '0' || first[0] > '9' {
		if err := relpOpenHint(first, err); err != nil {
			return fmt.Errorf("RELP open: %w", err)
		}
	}
	f, _, err := readResponse(r.br, nil)
	if err != nil {
		return fmt.Errorf("RELP open: read the answer: %w", err)
	}
	if f.Command != "rsp" || f.Txnr != 1 {
		return fmt.Errorf("RELP open: the receiver answered %d %s, want 1 rsp", f.Txnr, f.Command)
	}
	code, text, err := relp.Status(f.Data)
	if err != nil {
		return fmt.Errorf("RELP open: %w", err)
	}
	if code != 200 {
		return fmt.Errorf("RELP open: the receiver refused the session: %d %s", code, text)
	}
	if !relp.Offers(f.Data, "commands", "syslog") {
		return fmt.Errorf("RELP open: the receiver does not offer the syslog command (it answered %q)", relp.TrimForError(f.Data))
	}
	r.next = 2
	r.gen++
	r.stop = make(chan struct{})
	if r.answers == nil {
		r.answers = make(chan relpAnswers, 4)
		r.recycle = make(chan []int, 8)
	}
	go relpRead(r.br, r.gen, r.answers, r.recycle, r.stop)
	return nil
}

// readResponse reads one frame a receiver sent, whose DATA is at most
// relp.MaxResponse bytes (a response and the offers of an open answer).
func readResponse(br *bufio.Reader, data []byte) (relp.Frame, []byte, error) {
	f, data, err := relp.ReadFrame(br, data, relp.MaxResponse)
	if err == nil && f.Truncated > 0 {
		err = fmt.Errorf("%w: DATALEN %d is over the %d bytes a response may have", relp.ErrFrame, f.Truncated, relp.MaxResponse)
	}
	return f, data, err
}

// relpRead reads the receiver's frames until an error, and hands the
// transactions answered 200 to the writer, all those that arrived together
// at once. Any other frame ends the session: a non-200 status, a
// serverclose, a malformed frame.
func relpRead(br *bufio.Reader, gen uint64, answers chan<- relpAnswers, recycle <-chan []int, stop <-chan struct{}) {
	var data []byte
	for {
		a := relpAnswers{gen: gen}
		select {
		case a.txnrs = <-recycle:
		default:
		}
		for {
			var f relp.Frame
			f, data, a.err = readResponse(br, data)
			if a.err == nil {
				a.err = relpAnswer(f)
			}
			if a.err != nil {
				break
			}
			a.txnrs = append(a.txnrs, f.Txnr)
			if br.Buffered() == 0 {
				break
			}
		}
		if a.err != nil && len(a.txnrs) > 0 {
			// Deliver what was answered before the error first.
			select {
			case answers <- relpAnswers{gen: gen, txnrs: a.txnrs}:
			case <-stop:
				return
			}
			a.txnrs = nil
		}
		select {
		case answers <- a:
		case <-stop:
			return
		}
		if a.err != nil {
			return
		}
	}
}

// relpAnswer returns nil for a "200" response, and otherwise why the
// session must end.
func relpAnswer(f relp.Frame) error {
	switch f.Command {
	case "rsp":
	case "serverclose":
		return errRELPServerClose
	default:
		return fmt.Errorf("%w: unexpected command %q from the receiver", relp.ErrFrame, f.Command)
	}
	code, text, err := relp.Status(f.Data)
	if err != nil {
		return err
	}
	if code != 200 {
		return fmt.Errorf("the receiver refused transaction %d: %d %s", f.Txnr, code, text)
	}
	return nil
}

// end stops the session's reader; the caller closes the connection.
func (r *relpSession) end() {
	if r.stop != nil {
		close(r.stop)
		r.stop = nil
	}
}
