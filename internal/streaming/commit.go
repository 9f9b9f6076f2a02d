package streaming

import "time"

// maxBatchBytes bounds the events written with one fsync.
const maxBatchBytes = 4 << 20

// commitReq asks the commit loop to spool the event lines of one request:
// one event, or the events of a batch, written together.
type commitReq struct {
	line []byte     // compact JSON and '\n', once per event
	keys []string   // dedupe keys of the events that have one
	at   int64      // unix seconds, recorded with key
	done chan error // buffered; receives exactly one result
}

// commitLoop owns the spool and the dedupe log. It writes the events waiting
// at the moment as one batch with one fsync (group commit), records their ids
// and answers each request. It returns when r.quit is closed; a
// request it has taken is always answered first.
func (r *Receiver) commitLoop() {
	var (
		batch []*commitReq
		buf   []byte
		ids   []byte
	)
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	for {
		var first *commitReq
		select {
		case first = <-r.reqs:
		case <-tick.C:
			r.maintain()
			continue
		case <-r.quit:
			return
		}
		batch = append(batch[:0], first)
		buf = append(buf[:0], first.line...)
	gather:
		for len(buf) < maxBatchBytes {
			select {
			case q := <-r.reqs:
				batch = append(batch, q)
				buf = append(buf, q.line...)
			default:
				break gather
			}
		}
		err := r.spool.Append(buf)
		r.stats.syncs.Add(1)
		// Record the ids before answering: once a request is acknowledged, its
		// id is in the log (in the page cache at least), so a crash of the
		// process cannot make the redelivered event look new.
		ids, n := ids[:0], 0
		if err == nil && r.dedupe != nil {
			for _, q := range batch {
				for _, k := range q.keys {
					ids = appendIDLine(ids, k, q.at)
					n++
				}
			}
			if n > 0 {
				r.dedupe.appendLog(ids, n)
			}
		}
		for _, q := range batch {
			q.done <- err
		}
		clear(batch) // drop references to the bodies
	}
}

// maintain forgets expired ids and compacts the dedupe log when it has grown
// well beyond them.
func (r *Receiver) maintain() {
	if r.dedupe == nil {
		return
	}
	r.dedupe.expire(r.now())
	if r.dedupe.needsCompaction() {
		if err := r.dedupe.compact(); err != nil {
			r.log.Warn("streaming: dedupe log compaction failed; will retry", "err", err)
		}
	}
}
