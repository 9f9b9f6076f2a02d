package forwarder

import (
	"fmt"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/relp"
)

// writeRELP sends unwritten messages as syslog transactions while the
// window has room, in one write.
func (w *writer) writeRELP() error {
	r := &w.r
	buf := r.frames[:0]
	wasIdle := len(r.out) == 0
	for len(w.unwritten) > 0 && len(r.out) < r.window {
		it := w.unwritten[0]
		b := it.b
		it.written = true
		for it.sent < b.Len() && len(r.out) < r.window {
			s := b.spans[it.sent]
			buf = relp.AppendFrame(buf, r.next, "syslog", b.buf[s.start:s.end])
			it.sent++
			r.out = append(r.out, relpTxn{txnr: r.next, it: it, last: it.sent == b.Len()})
			r.next = nextTxnr(r.next)
		}
		if it.sent < b.Len() {
			break
		}
		w.pending -= len(b.buf)
		n := copy(w.unwritten, w.unwritten[1:])
		w.unwritten[n] = nil
		w.unwritten = w.unwritten[:n]
	}
	r.frames = buf
	if len(buf) == 0 {
		return nil
	}
	if wasIdle {
		r.progress = time.Now()
	}
	_ = w.conn.SetWriteDeadline(time.Now().Add(w.f.cfg.WriteTimeout))
	n, err := w.conn.Write(buf)
	w.n.bytes.Add(uint64(n))
	if err != nil {
		return fmt.Errorf("write: %w", err)
	}
	w.failures = 0
	return nil
}

// answered applies the receiver's answers: it marks the transactions
// answered, acknowledges in order every batch whose messages were all
// answered, and sends more while the window has room. It returns an error
// when the session must be replaced.
func (w *writer) answered(a relpAnswers) error {
	r := &w.r
	if a.gen != r.gen || r.stop == nil {
		return nil // a session already replaced
	}
	for _, txnr := range a.txnrs {
		if len(r.out) == 0 {
			return fmt.Errorf("RELP: answer to transaction %d, which is not outstanding", txnr)
		}
		i := (txnr - r.out[0].txnr + relp.MaxTxnr) % relp.MaxTxnr
		if i >= len(r.out) || r.out[i].txnr != txnr {
			return fmt.Errorf("RELP: answer to transaction %d, which is not outstanding", txnr)
		}
		r.out[i].ok = true
	}
	k := 0
	for k < len(r.out) && r.out[k].ok {
		tx := r.out[k]
		tx.it.done++
		if tx.last {
			w.ackItem(tx.it)
		}
		k++
	}
	if k > 0 {
		n := copy(r.out, r.out[k:])
		clear(r.out[n:])
		r.out = r.out[:n]
		r.progress = time.Now()
	}
	if a.err != nil {
		return fmt.Errorf("RELP: %w", a.err)
	}
	return w.writeRELP()
}

// requeueRELP puts every message not answered yet back in front of the
// unwritten ones, to be sent again in the next session.
func (w *writer) requeueRELP() {
	r := &w.r
	w.abort = w.abort || len(r.out) > 0 // see requeue
	var its []*item
	for _, tx := range r.out {
		if len(its) == 0 || its[len(its)-1] != tx.it {
			its = append(its, tx.it)
		}
	}
	clear(r.out)
	r.out = r.out[:0]
	if len(its) > 0 && len(w.unwritten) > 0 && its[len(its)-1] == w.unwritten[0] {
		its = its[:len(its)-1] // partly sent: still unwritten
	}
	for _, it := range its {
		w.pending += len(it.b.buf)
	}
	w.unwritten = append(its, w.unwritten...)
	for _, it := range w.unwritten {
		if it.sent == 0 {
			break
		}
		w.n.resent.Add(uint64(it.sent - it.done))
		it.sent = it.done
	}
}

// drainRELP waits, on Close, until every message was answered, then ends
// the session with the close command. It fails when the Forwarder's
// context ends first or the writer must give up.
func (w *writer) drainRELP() error {
	r := &w.r
	for len(r.out) > 0 || len(w.unwritten) > 0 {
		var err error
		tm := time.NewTimer(w.relpCheck())
		select {
		case a := <-r.answers:
			err = w.answered(a)
		case <-tm.C:
			err = w.relpStalled()
		case <-w.f.ctx.Done():
			tm.Stop()
			return fmt.Errorf("forwarder: %s: %w while waiting for the receiver's answers", w.f.ep.raw, w.f.ctx.Err())
		}
		tm.Stop()
		if err == nil && len(r.out) == 0 {
			err = w.writeRELP()
		}
		if err != nil {
			if err := w.recover(err); err != nil {
				return err
			}
		}
	}
	w.closeRELP()
	return nil
}

// closeRELP sends the close command and waits briefly for its answer;
// every message was answered already, so a failure loses nothing.
func (w *writer) closeRELP() {
	r := &w.r
	if w.conn == nil || r.stop == nil {
		return
	}
	txnr := r.next
	r.frames = relp.AppendFrame(r.frames[:0], txnr, "close", nil)
	_ = w.conn.SetWriteDeadline(time.Now().Add(relpCloseWait))
	if _, err := w.conn.Write(r.frames); err != nil {
		return
	}
	tm := time.NewTimer(relpCloseWait)
	defer tm.Stop()
	for {
		select {
		case a := <-r.answers:
			if a.gen != r.gen || a.err != nil {
				return
			}
			for _, n := range a.txnrs {
				if n == txnr {
					return
				}
			}
		case <-tm.C:
			return
		case <-w.f.ctx.Done():
			return
		}
	}
}

// relpCheck is the interval of the check for a receiver that stopped
// answering.
func (w *writer) relpCheck() time.Duration {
	return min(time.Second, w.f.cfg.WriteTimeout)
}

// relpStalled fails when messages are outstanding and the receiver
// answered none for Config.WriteTimeout.
func (w *writer) relpStalled() error {
	r := &w.r
	if len(r.out) > 0 && time.Since(r.progress) > w.f.cfg.WriteTimeout {
		return fmt.Errorf("RELP: the receiver answered no transaction for %v (%d outstanding)", w.f.cfg.WriteTimeout, len(r.out))
	}
	return nil
}

// reuse hands an answered txnr slice back to the reader.
func (r *relpSession) reuse(txnrs []int) {
	if cap(txnrs) == 0 {
		return
	}
	select {
	case r.recycle <- txnrs[:0]:
	default:
	}
}

// nextTxnr returns the transaction number after n: 1 follows 999,999,999.
func nextTxnr(n int) int { return n%relp.MaxTxnr + 1 }
