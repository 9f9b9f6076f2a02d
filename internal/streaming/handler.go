package streaming

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	gojson "github.com/goccy/go-json"
)

// serveHTTP handles one streamed event, or a batch of them (a JSON array
// of event objects); see the package documentation for the answers.
func (r *Receiver) serveHTTP(w http.ResponseWriter, req *http.Request) {
	if !r.authorized(w, req) {
		return
	}
	eventType := req.Header.Get(EventTypeHeader)
	if !r.identityEncoded(w, req, eventType) {
		return
	}
	body, ok := r.readRequestBody(w, req, eventType)
	if !ok {
		return
	}
	if isArray(body) {
		r.serveBatch(w, req, body)
		return
	}
	line, ev, ok := r.checkEvent(w, req, body, eventType)
	if !ok {
		return
	}
	key := ev.key
	if key == "" {
		r.stats.noID.Add(1)
		r.log.Debug("streaming: event has no usable id; it is not deduplicated", "event_type", eventType)
	}
	dedupe := r.dedupe != nil && key != ""
	if dedupe {
		switch r.reserve(req, key) {
		case duplicate:
			r.stats.duplicates.Add(1)
			r.log.Debug("streaming: duplicate event dropped", "id", ev.id, "event_type", eventType, "key", key)
			io.WriteString(w, "duplicate\n")
			return
		case inFlight: // the client went away while waiting
			return
		}
	}
	at := r.now().Unix()
	var keys []string
	if key != "" {
		keys = []string{key}
	}
	err := r.persist(line, keys, at)
	if dedupe {
		r.dedupe.settle(key, err == nil, at)
	}
	if err != nil {
		r.stats.spoolErrors.Add(1)
		if n, ok := r.spoolRefusals.allow(r.now()); ok {
			r.log.Error("streaming: event not persisted; answered 503 and GitLab will not retry it",
				"err", err, "id", ev.id, "event_type", eventType, "not_logged_since_last", n)
		}
		http.Error(w, "event could not be persisted", http.StatusServiceUnavailable)
		return
	}
	r.stats.accepted.Add(1)
	r.log.Debug("streaming: event spooled", "id", ev.id, "event_type", eventType, "bytes", len(line))
	io.WriteString(w, "ok\n")
}

// authorized reports whether req is a POST to the receiver's path with
// exactly one matching token header; otherwise it has answered 404, 405
// or 401 (counted, and logged with what to do: the first 401 of each
// cause, then at most one per refusalLogInterval with the count of those
// not logged).
func (r *Receiver) authorized(w http.ResponseWriter, req *http.Request) bool {
	if req.URL.Path != r.path {
		r.stats.notFound.Add(1)
		http.NotFound(w, req)
		return false
	}
	if req.Method != http.MethodPost {
		r.stats.notAllowed.Add(1)
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed: GitLab streams audit events with POST", http.StatusMethodNotAllowed)
		return false
	}
	vals := req.Header.Values(TokenHeader)
	if len(vals) == 1 && r.tokens.Load().match(vals[0]) {
		return true
	}
	r.stats.unauthorized.Add(1)
	cause := refusedWrongToken
	if len(vals) == 0 {
		cause = refusedNoHeader
	} else if len(vals) > 1 {
		cause = refusedSeveralHeaders
	}
	if n, ok := r.refusals[cause].allow(r.now()); ok {
		r.log.Warn("streaming: request refused", "status", http.StatusUnauthorized, "reason", refusalReasons[cause],
			"remote", req.RemoteAddr, "todo", r.refusalTodo(cause), "not_logged_since_last", n)
	}
	http.Error(w, "unauthorized", http.StatusUnauthorized)
	return false
}

// identityEncoded reports whether req's body has no content coding (no
// Content-Encoding header, or only identity), as GitLab sends it;
// otherwise it has answered 415 with Accept-Encoding: identity, naming the
// header, without reading the body, and counted and logged that (the first
// 415, then at most one per refusalLogInterval with the count of those not
// logged). A compressed body is refused rather than decoded: GitLab never
// compresses it, so one that is compressed comes from elsewhere (a custom
// header of the destination, a proxy, another client), and no coding is
// taken for identity.
func (r *Receiver) identityEncoded(w http.ResponseWriter, req *http.Request, eventType string) bool {
	vals := req.Header.Values("Content-Encoding")
	if identityOnly(vals) {
		return true
	}
	r.stats.unsupportedEncoding.Add(1)
	enc := strings.Join(vals, ", ")
	if len(enc) > 100 {
		enc = enc[:100] + "..."
	}
	if n, ok := r.encodingRefusals.allow(r.now()); ok {
		r.log.Warn("streaming: event refused: unsupported Content-Encoding", "status", http.StatusUnsupportedMediaType,
			"content_encoding", enc, "todo", encodingTodo, "event_type", eventType, "remote", req.RemoteAddr,
			"not_logged_since_last", n)
	}
	w.Header().Set("Accept-Encoding", "identity")
	http.Error(w, fmt.Sprintf("unsupported Content-Encoding %q: GitLab sends audit event bodies uncompressed, "+
		"without a Content-Encoding header; send the JSON event uncompressed (no Content-Encoding, or identity)", enc),
		http.StatusUnsupportedMediaType)
	return false
}

// encodingTodo says what to do about a 415.
const encodingTodo = "GitLab sends audit events uncompressed, without a Content-Encoding header: if this is GitLab, " +
	"remove the Content-Encoding custom HTTP header of the streaming destination in GitLab, or stop a proxy in front of " +
	"the receiver from adding it; a client that is not GitLab must send the JSON uncompressed; " +
	"GitLab does not retry, so each event refused is lost"

// identityOnly reports whether the Content-Encoding header values vals
// name no content coding but identity (in any case); none, or empty ones,
// too.
func identityOnly(vals []string) bool {
	for _, v := range vals {
		for _, c := range strings.Split(v, ",") {
			if c = strings.TrimSpace(c); c != "" && !strings.EqualFold(c, "identity") {
				return false
			}
		}
	}
	return true
}

// readRequestBody reads req's body, at most maxBody bytes. When the body
// is too large (413) or cannot be read (400) it answers, counts and logs
// that, and reports !ok.
func (r *Receiver) readRequestBody(w http.ResponseWriter, req *http.Request, eventType string) (body []byte, ok bool) {
	body, err := readBody(w, req, r.maxBody)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			r.stats.tooLarge.Add(1)
			if n, ok := r.largeRefusals.allow(r.now()); ok {
				r.log.Warn("streaming: event refused: body too large; the event (or the batch of events: a JSON array) is lost unless max_body is raised",
					"status", http.StatusRequestEntityTooLarge, "limit", r.maxBody,
					"todo", "raise streaming.max_body, and the collector's message size limit with it (rsyslog maxMessageSize and imtcp maxFrameSize, syslog-ng log-msg-size) and forward.max_stream_message_bytes to that limit (about twice max_body): a larger event is forwarded whole, with its columns",
					"content_length", req.ContentLength, "event_type", eventType, "remote", req.RemoteAddr, "not_logged_since_last", n)
			}
			drainBody(w, req)
			http.Error(w, "request body too large (limit "+strconv.FormatInt(r.maxBody, 10)+" bytes)",
				http.StatusRequestEntityTooLarge)
			return nil, false
		}
		r.stats.invalid.Add(1)
		if n, ok := r.invalidRefusals.allow(r.now()); ok {
			r.log.Warn("streaming: reading request body failed", "err", err, "remote", req.RemoteAddr, "not_logged_since_last", n)
		}
		http.Error(w, "reading body failed", http.StatusBadRequest)
		return nil, false
	}
	return body, true
}

// checkEvent normalizes body, one event, to one spool line. When it is not
// one JSON object it answers 400, counts and logs that, and reports !ok.
func (r *Receiver) checkEvent(w http.ResponseWriter, req *http.Request, body []byte, eventType string) (line []byte, ev eventIdentity, ok bool) {
	line, ev, err := normalize(body)
	if err != nil {
		r.refuseInvalid(w, req, body, eventType, err)
		return nil, ev, false
	}
	return line, ev, true
}

// refuseInvalid answers 400 with err's text, and counts and logs it.
func (r *Receiver) refuseInvalid(w http.ResponseWriter, req *http.Request, body []byte, eventType string, err error) {
	r.stats.invalid.Add(1)
	if n, ok := r.invalidRefusals.allow(r.now()); ok {
		r.log.Warn("streaming: event refused: invalid body", "status", http.StatusBadRequest, "err", err,
			"bytes", len(body), "event_type", eventType, "remote", req.RemoteAddr, "not_logged_since_last", n)
	}
	http.Error(w, err.Error(), http.StatusBadRequest)
}

// reserve takes key for this request in the deduplication window: it
// returns reserved, or duplicate when the event was already spooled, or
// inFlight when req's context ended while another request was spooling
// the same event.
func (r *Receiver) reserve(req *http.Request, key string) reservation {
	for {
		res, wait := r.dedupe.reserve(key, r.now())
		if res != inFlight {
			return res
		}
		select { // the same event is being spooled by another request
		case <-wait:
		case <-req.Context().Done():
			return inFlight
		}
	}
}

// persist hands lines (one event line or several, each ending in '\n')
// to the spool writer, which appends them with one write, and returns once
// they are durable (nil) or could not be written, or when the receiver
// shuts down. keys are the dedupe keys of the events with one.
func (r *Receiver) persist(lines []byte, keys []string, at int64) error {
	cr := &commitReq{line: lines, keys: keys, at: at, done: make(chan error, 1)}
	select {
	case r.reqs <- cr:
		err := <-cr.done
		r.noteSpooled(err)
		return err
	case <-r.quit:
		return errors.New("streaming: shutting down")
	}
}

// maxDrain is the most of a body over max_body that drainBody reads, in
// bytes: above the 25 MB GitLab sends at most.
const maxDrain = 64 << 20

// drainTime is how long drainBody reads at most.
const drainTime = 30 * time.Second

// drainBody reads and discards the rest of req's body, refused as too
// large, before the answer is written: a client that sends its whole
// body before it reads the answer (GitLab's Net::HTTP, Python's
// http.client) then gets the 413, where closing the connection on unread
// bytes resets it and the client sees only a broken pipe. It reads at
// most maxDrain bytes for at most drainTime, and nothing when the body
// announces more than maxDrain; the connection is closed after the
// answer either way. Only a request with a valid token gets here.
func drainBody(w http.ResponseWriter, req *http.Request) {
	if req.ContentLength > maxDrain {
		return
	}
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(drainTime)) // best effort: no deadline, no wait beyond the server's own
	_, _ = io.CopyN(io.Discard, req.Body, maxDrain)
}

// readBody reads the whole body, at most limit bytes.
func readBody(w http.ResponseWriter, req *http.Request, limit int64) ([]byte, error) {
	rd := http.MaxBytesReader(w, req.Body, limit)
	size := int64(512)
	if cl := req.ContentLength; cl > 0 && cl <= limit {
		size = cl + 1 // +1 so ReadAll sees EOF without growing
	}
	buf := bytes.NewBuffer(make([]byte, 0, size))
	_, err := buf.ReadFrom(rd)
	return buf.Bytes(), err
}

// normalize checks that body is exactly one JSON object and returns it
// compacted to one line with a trailing newline, and the event's identity
// for deduplication (see eventKey); otherwise the error says why in plain
// words (invalidBody).
func normalize(body []byte) (line []byte, ev eventIdentity, err error) {
	var probe struct {
		ID        gojson.RawMessage `json:"id"`
		EventType gojson.RawMessage `json:"event_type"`
		CreatedAt gojson.RawMessage `json:"created_at"`
	}
	if err := gojson.Unmarshal(body, &probe); err != nil {
		return nil, eventIdentity{}, invalidBody(body) // probe is not used
	}
	var out bytes.Buffer
	out.Grow(len(body) + 1)
	if err := json.Compact(&out, body); err != nil {
		return nil, eventIdentity{}, invalidBody(body)
	}
	if out.Len() == 0 || out.Bytes()[0] != '{' {
		return nil, eventIdentity{}, invalidBody(body)
	}
	ev = eventKey(probe.ID, probe.EventType, probe.CreatedAt, out.Bytes())
	out.WriteByte('\n')
	return out.Bytes(), ev, nil
}

// The causes of a 401, each with its own log limiter.
const (
	refusedWrongToken = iota
	refusedNoHeader
	refusedSeveralHeaders
	numRefusals
)

// refusalLogInterval is the least time between two 401 log lines of one
// cause, between two 400, two 413, two 415 and two 503 log lines (a
// full disk refuses every event); the first of each, and the first after
// a quiet interval, are always logged.
const refusalLogInterval = 10 * time.Second

// refusalReasons are the log's reason for each cause of a 401.
var refusalReasons = [numRefusals]string{
	refusedWrongToken:     "wrong token",
	refusedNoHeader:       "no " + TokenHeader + " header",
	refusedSeveralHeaders: "several " + TokenHeader + " headers",
}

// refusalTodo says what to do about a 401 of cause, naming the configured
// token settings to compare with GitLab's.
func (r *Receiver) refusalTodo(cause int) string {
	keys := "streaming.tokens, token_file or token_env"
	if k := r.tokenKeys.Load(); k != nil {
		keys = *k
	}
	const lost = "; GitLab does not retry, so each event refused is lost"
	switch cause {
	case refusedNoHeader:
		return "GitLab always sends the " + TokenHeader + " header: if this is GitLab, a proxy in front of the receiver drops it (let it pass); a client that is not GitLab (a scan, a health check) can be ignored" + lost
	case refusedSeveralHeaders:
		return "send one " + TokenHeader + " header: a proxy in front of the receiver may add a second one" + lost
	}
	return "compare the verification token of the streaming destination in GitLab (Secure > Audit events > Streams, or Admin area > Monitoring > Audit events > Streams) with " +
		keys + ", then reload (SIGHUP)" + lost
}

// setTokenKeys records cfg's token sources as refusalTodo names them:
// each configured one of streaming.tokens (with its count), token_file
// (with its path) and token_env (with the variable), and, with
// cfg.Where, where it was set.
func (r *Receiver) setTokenKeys(cfg *Config) {
	var keys []string
	add := func(key, what string) {
		if cfg.Where != nil {
			what += " (" + cfg.Where(key) + ")"
		}
		keys = append(keys, what)
	}
	if n := len(cfg.Tokens); n > 0 {
		add("tokens", "streaming.tokens ("+strconv.Itoa(n)+")")
	}
	if cfg.TokenFile != "" {
		add("token_file", "streaming.token_file "+cfg.TokenFile)
	}
	if cfg.TokenEnv != "" {
		add("token_env", "streaming.token_env $"+cfg.TokenEnv)
	}
	s := strings.Join(keys, ", ")
	r.tokenKeys.Store(&s)
}

// logLimiter lets one log line through per interval and counts the rest, so
// that a flood of unauthenticated requests cannot flood the log.
type logLimiter struct {
	interval   time.Duration
	last       atomic.Int64 // unix nanoseconds of the last line let through
	suppressed atomic.Uint64
}

// allow reports whether to log now, and how many lines were suppressed
// since the last one.
func (l *logLimiter) allow(now time.Time) (suppressed uint64, ok bool) {
	n, p := now.UnixNano(), l.last.Load()
	if p != 0 && n-p < int64(l.interval) || !l.last.CompareAndSwap(p, n) {
		l.suppressed.Add(1)
		return 0, false
	}
	return l.suppressed.Swap(0), true
}

// reset makes the next allow log, keeping the count of lines suppressed.
func (l *logLimiter) reset() { l.last.Store(0) }
