package parser

import "bytes"

// ingressFields are the fields ingress-nginx's default log-format-upstream
// (internal/ingress/controller/config/config.go, logFormatUpstream) writes
// after NGINX combined. The $upstream_* values are lists when NGINX tried
// several upstreams ("10.0.0.1:80, 10.0.0.2:80", "502, 200") or followed
// an internal redirect ("... : ..."); each is kept whole, as logged. The
// slices alias the line.
type ingressFields struct {
	reqLen, reqTime, name, alt, addr, respLen, respTime, status, reqID []byte
	ok                                                                 bool
}

// parse reads the fields from tail, the text after the user agent's
// closing quote (starting with a space), and reports whether it is that
// format.
func (f *ingressFields) parse(tail []byte) bool {
	*f = ingressFields{}
	var ok bool
	if tail, ok = cut(tail, " "); !ok {
		return false
	}
	f.reqLen, tail, ok = bytes.Cut(tail, []byte{' '})
	if !ok || !isDigits(f.reqLen) {
		return false
	}
	f.reqTime, tail, ok = bytes.Cut(tail, []byte{' '})
	if !ok || !isDecimal(f.reqTime) {
		return false
	}
	if f.name, tail, ok = bracketed(tail); !ok {
		return false
	}
	if len(tail) > 0 && tail[0] == '[' { // absent before ingress-nginx 0.21
		if f.alt, tail, ok = bracketed(tail); !ok {
			return false
		}
	}
	sp := bytes.LastIndexByte(tail, ' ')
	if sp < 0 {
		return false
	}
	f.reqID, tail = tail[sp+1:], tail[:sp]
	var groups [4][]byte
	for i := range groups {
		if groups[i], tail, ok = upstreamList(tail); !ok {
			return false
		}
	}
	if len(tail) != 0 || len(f.reqID) == 0 {
		return false
	}
	f.addr, f.respLen, f.respTime, f.status = groups[0], groups[1], groups[2], groups[3]
	f.ok = true
	return true
}

// bracketed reads "[value] " from the start of b.
func bracketed(b []byte) (v, rest []byte, ok bool) {
	if len(b) < 3 || b[0] != '[' {
		return nil, nil, false
	}
	end := bytes.IndexByte(b, ']')
	if end < 0 || end+1 >= len(b) || b[end+1] != ' ' {
		return nil, nil, false
	}
	return b[1:end], b[end+2:], true
}

// upstreamList reads one $upstream_* value from the start of b: words
// separated by ", " or " : " stay together. It returns the rest after the
// space that ends it.
func upstreamList(b []byte) (v, rest []byte, ok bool) {
	i := 0
	for {
		sp := bytes.IndexByte(b[i:], ' ')
		if sp < 0 {
			return b, nil, len(b) > 0
		}
		end := i + sp
		switch {
		case end > 0 && b[end-1] == ',':
			i = end + 1
		case bytes.HasPrefix(b[end:], []byte(" : ")):
			i = end + 3
		default:
			return b[:end], b[end+1:], end > 0
		}
	}
}

// add appends the columns, leaving out values that are "-" or empty.
func (f *ingressFields) add(r *Record) {
	if !f.ok {
		return
	}
	for _, c := range [...]struct {
		name string
		v    []byte
	}{
		{ColRequestLength, f.reqLen}, {ColRequestTime, f.reqTime}, {ColUpstreamName, f.name},
		{ColUpstreamAlternativeName, f.alt}, {ColUpstreamAddr, f.addr}, {ColUpstreamResponseLength, f.respLen},
		{ColUpstreamResponseTime, f.respTime}, {ColUpstreamStatus, f.status}, {ColRequestID, f.reqID},
	} {
		if !isDash(c.v) {
			r.add(c.name, c.v)
		}
	}
}
