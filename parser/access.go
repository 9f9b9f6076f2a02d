package parser

import "bytes"

// Access parses NGINX access log lines in Omnibus GitLab's gitlab_access
// format
//
//	$remote_addr - $remote_user [$time_local] "$request_method $filtered_request_uri $server_protocol" $status $body_bytes_sent "$filtered_http_referer" "$http_user_agent" $gzip_ratio
//
// and in NGINX's plain combined format (the same without $gzip_ratio). It
// reads the remote address from the front and everything else from the back,
// so a $remote_user holding spaces or brackets does not confuse it. Both
// escapings of log_format work (Omnibus nginx['log_format_escape'], 18.9+):
// default writes a quote as \x22, json as \"; a quote after an odd number of
// backslashes is part of the value. Values are kept as logged, escapes not
// decoded. It does not allocate. The zero value is ready to use.
type Access struct{}

func accessErr(off int, reason string) *Error {
	return &Error{Type: TypeAccess, Offset: off, Reason: reason}
}

// lenTimeLocal is len("13/Jun/2024:10:55:45 +0800").
const lenTimeLocal = 26

// Parse implements Parser.
func (p *Access) Parse(line []byte, r *Record) error {
	r.Reset()
	r.Type = TypeAccess
	b := line
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}

	// $remote_addr - $remote_user
	sp := bytes.IndexByte(b, ' ')
	if sp <= 0 {
		return accessErr(0, "no remote address")
	}
	if len(b) < sp+3 || b[sp+1] != '-' || b[sp+2] != ' ' {
		return accessErr(sp, `expected " - " after the remote address`)
	}
	userStart := sp + 3

	// ... "$http_user_agent"[ $gzip_ratio]
	end := len(b)
	var gzip []byte
	if b[end-1] != '"' {
		k := bytes.LastIndexByte(b, ' ')
		if k < userStart || b[k-1] != '"' || escaped(b, k-1) {
			return accessErr(k, `expected "<user agent>" before the gzip ratio`)
		}
		gzip, end = b[k+1:], k
	}
	uaClose := end - 1
	if escaped(b, uaClose) {
		return accessErr(uaClose, `expected "<user agent>" at the end`)
	}
	uaOpen := lastQuote(b, uaClose)
	if uaOpen < userStart+2 || b[uaOpen-1] != ' ' || b[uaOpen-2] != '"' || escaped(b, uaOpen-2) {
		return accessErr(uaOpen, `expected "<referer>" "<user agent>"`)
	}
	refClose := uaOpen - 2
	refOpen := lastQuote(b, refClose)
	if refOpen < userStart+1 || b[refOpen-1] != ' ' {
		return accessErr(refOpen, `expected a space before "<referer>"`)
	}

	// "$request" $status $body_bytes_sent
	j := refOpen - 1
	bytesStart := bytes.LastIndexByte(b[:j], ' ')
	if bytesStart < userStart || !isStatusOrSize(b[bytesStart+1:j], true) {
		return accessErr(bytesStart+1, "invalid body_bytes_sent")
	}
	statusStart := bytes.LastIndexByte(b[:bytesStart], ' ')
	if statusStart < userStart || !isStatusOrSize(b[statusStart+1:bytesStart], false) {
		return accessErr(statusStart+1, "invalid status")
	}
	reqClose := statusStart - 1
	if b[reqClose] != '"' || escaped(b, reqClose) {
		return accessErr(reqClose, `expected "<request>" before the status`)
	}
	reqOpen := lastQuote(b, reqClose)
	tEnd := reqOpen - 2 // index of ']'
	tStart := tEnd - lenTimeLocal
	if reqOpen < 0 || tStart-2 < userStart || b[reqOpen-1] != ' ' || b[tEnd] != ']' ||
		b[tStart-1] != '[' || b[tStart-2] != ' ' {
		return accessErr(max(reqOpen, 0), `expected [<time_local>] "<request>"`)
	}
	t, ok := parseNginxTime(b[tStart:tEnd])
	if !ok {
		return accessErr(tStart, "invalid time_local "+quote(string(b[tStart:tEnd])))
	}
	r.Time = t

	r.add(ColIPAddress, b[:sp])
	if user := b[userStart : tStart-2]; !isDash(user) {
		r.add(ColRemoteUser, user)
	}
	r.add(ColEventTime, b[tStart:tEnd])
	addRequest(r, b[reqOpen+1:reqClose])
	r.add(ColResponseCode, b[statusStart+1:bytesStart])
	r.add(ColBytesSent, b[bytesStart+1:j])
	if ref := b[refOpen+1 : refClose]; !isDash(ref) {
		r.add(ColHTTPReferer, ref)
	}
	if ua := b[uaOpen+1 : uaClose]; !isDash(ua) {
		r.add(ColUserAgent, ua)
	}
	if !isDash(gzip) {
		r.add(ColGzipRatio, gzip)
	}
	return nil
}

func isDash(b []byte) bool { return len(b) == 1 && b[0] == '-' }

// escaped reports whether b[i] follows an odd number of backslashes: a
// character escaped by log_format escape=json (\"). escape=default writes
// a backslash itself as \x5C, so it never has one before a quote.
func escaped(b []byte, i int) bool {
	n := 0
	for j := i - 1; j >= 0 && b[j] == '\\'; j-- {
		n++
	}
	return n%2 == 1
}

// lastQuote returns the index of the last quote in b[:i] that is not
// escaped, or -1.
func lastQuote(b []byte, i int) int {
	for {
		i = bytes.LastIndexByte(b[:i], '"')
		if i < 0 || !escaped(b, i) {
			return i
		}
	}
}

// isStatusOrSize reports whether b is a run of digits (or "-" for a size).
func isStatusOrSize(b []byte, dashOK bool) bool {
	if len(b) == 0 {
		return false
	}
	if dashOK && isDash(b) {
		return true
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// addRequest splits "METHOD URI PROTOCOL". A malformed request logged as
// "-" yields no columns; a request line without spaces is kept whole as URI;
// "METHOD URI" (HTTP/0.9) has no HTTPVersion. A URI containing spaces stays
// whole: the method ends at the first space and the protocol starts after
// the last.
func addRequest(r *Record, req []byte) {
	if len(req) == 0 || isDash(req) {
		return
	}
	s1 := bytes.IndexByte(req, ' ')
	if s1 < 0 {
		r.add(ColURI, req)
		return
	}
	s2 := bytes.LastIndexByte(req, ' ')
	verb, uri, proto := req[:s1], req[s1+1:], []byte(nil)
	if s2 > s1 {
		uri, proto = req[s1+1:s2], req[s2+1:]
	}
	for _, f := range [...]struct {
		name string
		v    []byte
	}{{ColRequestVerb, verb}, {ColURI, uri}, {ColHTTPVersion, proto}} {
		if !isDash(f.v) {
			r.add(f.name, f.v)
		}
	}
}
