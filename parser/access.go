package parser

import "bytes"

// Access parses NGINX access log lines in Omnibus GitLab's gitlab_access
// format
//
//	$remote_addr - $remote_user [$time_local] "$request_method $filtered_request_uri $server_protocol" $status $body_bytes_sent "$filtered_http_referer" "$http_user_agent" $gzip_ratio
//
// in NGINX's plain combined format (the same without $gzip_ratio), and in
// ingress-nginx's default log-format-upstream, combined followed by
//
//	$request_length $request_time [$proxy_upstream_name] [$proxy_alternative_upstream_name] $upstream_addr $upstream_response_length $upstream_response_time $upstream_status $req_id
//
// (see ingressFields). It
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

// Parse implements Parser. A leading run of NUL bytes is skipped (see
// [Parser]).
func (p *Access) Parse(line []byte, r *Record) error {
	return parseSkipping(p, line, r, true)
}

func (p *Access) parse(b []byte, r *Record) error {
	r.Reset()
	r.Type = TypeAccess
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

	// ... "$http_user_agent"[ $gzip_ratio | ingress-nginx fields]
	end := len(b)
	var gzip []byte
	var ing ingressFields
	if q := lastQuote(b, len(b)); q > userStart && q < end-1 && ing.parse(b[q+1:]) {
		end = q + 1
	}
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
		if bytesStart >= userStart && b[bytesStart+1] == '"' {
			// "-" "ua" "-": the last two quoted fields were taken for the
			// referer and the user agent, one too far.
			return accessErr(bytesStart+1, `a quoted field where body_bytes_sent should be: the line ends with more quoted fields than the gitlab_access format has (a quoted $gzip_ratio, or another log_format?)`)
		}
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
	addNginxTimeRFC3339(r, b[tStart:tEnd])
	addRequest(r, b[reqOpen+1:reqClose])
	r.add(ColResponseCode, b[statusStart+1:bytesStart])
	if size := b[bytesStart+1 : j]; !isDash(size) {
		r.add(ColBytesSent, size)
	}
	if ref := b[refOpen+1 : refClose]; !isDash(ref) {
		r.add(ColHTTPReferer, ref)
	}
	if ua := b[uaOpen+1 : uaClose]; !isDash(ua) {
		r.add(ColUserAgent, ua)
	}
	if isDecimal(gzip) {
		r.add(ColGzipRatio, gzip)
	}
	r.add(ColTimeLocal, b[tStart:tEnd])
	ing.add(r)
	return nil
}

// addNginxTimeRFC3339 adds EventTime: $time_local (already validated by
// parseNginxTime), "24/May/2024:00:11:01 +0800", written as RFC 3339 with the
// logged offset, "2024-05-24T00:11:01+08:00".
func addNginxTimeRFC3339(r *Record, t []byte) {
	mo := monthAbbr(t[3:6])
	v := [...]byte{t[7], t[8], t[9], t[10], '-', byte('0' + mo/10), byte('0' + mo%10), '-', t[0], t[1],
		'T', t[12], t[13], ':', t[15], t[16], ':', t[18], t[19], t[21], t[22], t[23], ':', t[24], t[25]}
	buf := r.scratch()
	start := len(buf)
	r.commit(ColEventTime, append(buf, v[:]...), start)
}

// isDecimal reports whether b is a non-negative decimal number: digits with
// at most one '.' between digits, as NGINX writes $gzip_ratio ("3.41").
func isDecimal(b []byte) bool {
	dot := -1
	for i, c := range b {
		switch {
		case c == '.' && dot < 0 && i > 0 && i < len(b)-1:
			dot = i
		case c < '0' || c > '9':
			return false
		}
	}
	return len(b) > 0
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
		i = lastIndexByte(b[:i], '"')
		if i < 0 || !escaped(b, i) {
			return i
		}
	}
}

// isStatusOrSize reports whether b is a run of digits (or "-" for a size).
func isStatusOrSize(b []byte, dashOK bool) bool {
	return dashOK && isDash(b) || isDigits(b)
}

// addRequest splits an HTTP request line, "METHOD URI HTTP/x.y", into
// RequestVerb, URI and HTTPVersion. It is split only when it is HTTP: the
// method is an RFC 9110 token and the last word looks like HTTP/x(.y), or,
// for HTTP/0.9, the line is "GET URI". Anything else (a TLS or RDP
// handshake, an SSH banner sent to the HTTP port) is kept whole as URI, with
// no RequestVerb and no HTTPVersion. A malformed request NGINX logs as "-"
// yields no columns. A URI containing spaces stays whole: the method ends at
// the first space and the version starts after the last.
func addRequest(r *Record, req []byte) {
	if len(req) == 0 || isDash(req) {
		return
	}
	s1 := bytes.IndexByte(req, ' ')
	s2 := bytes.LastIndexByte(req, ' ')
	switch {
	case s1 > 0 && s2 > s1+1 && isToken(req[:s1]) && !isDash(req[:s1]) && isHTTPVersion(req[s2+1:]):
		r.add(ColRequestVerb, req[:s1])
		r.add(ColURI, req[s1+1:s2])
		r.add(ColHTTPVersion, req[s2+1:])
	case s1 == 3 && s2 == s1 && string(req[:s1]) == "GET" && s1+1 < len(req):
		r.add(ColRequestVerb, req[:s1])
		r.add(ColURI, req[s1+1:])
	default:
		r.add(ColURI, req)
	}
}

// isToken reports whether b is an RFC 9110 token: one or more tchar,
// "!#$%&'*+-.^_`|~", digits and letters.
func isToken(b []byte) bool {
	for _, c := range b {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '!', c == '#', c == '$', c == '%', c == '&', c == '\'', c == '*', c == '+',
			c == '-', c == '.', c == '^', c == '_', c == '`', c == '|', c == '~':
		default:
			return false
		}
	}
	return len(b) > 0
}

// isHTTPVersion reports whether b looks like an HTTP version as NGINX logs
// $server_protocol: "HTTP/" digits, optionally "." digits (HTTP/1.1,
// HTTP/2.0, HTTP/1).
func isHTTPVersion(b []byte) bool {
	v, ok := cut(b, "HTTP/")
	if !ok {
		return false
	}
	major, minor, dotted := bytes.Cut(v, []byte{'.'})
	return isDigits(major) && (!dotted || isDigits(minor))
}

// isDigits reports whether b is one or more ASCII digits.
func isDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(b) > 0
}
