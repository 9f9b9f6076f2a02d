package detect

import (
	"fmt"
	"net/url"
	"strings"
)

// allowedDomains reads allowed_domains of sentinel.external_user, a list
// of e-mail domains, lower-cased. Each entry is one of:
//
//	corp.example    the domain and its subdomains (returned in allowed)
//	@corp.example   the same
//	corp.example.   the same: a trailing dot (a fully qualified name) is dropped
//	*.corp.example  the subdomains of corp.example only (returned in subOnly)
//
// An entry that never equals the domain of an e-mail address is refused
// with p.Fail, naming the domain to write: a URL (https://corp.example),
// an e-mail address (admin@corp.example), a port or path, a wildcard
// other than a leading "*.", an empty label (corp..example), or a
// character no domain has.
func allowedDomains(p *Params) (allowed, subOnly []string) {
	for _, given := range p.List("allowed_domains", nil) {
		d, sub, why := domainEntry(given)
		switch {
		case why != "":
			p.Fail("allowed_domains", fmt.Sprintf("%q %s", given, why))
		case sub:
			subOnly = append(subOnly, d)
		default:
			allowed = append(allowed, d)
		}
	}
	return allowed, subOnly
}

// allowedHint says what an allowed_domains entry may be, with the domain
// d the user meant as the example: d allows itself and its subdomains;
// *.d, or for a host such as mail.acme.io *.acme.io, the subdomains only.
func allowedHint(d string) string {
	const both = "an entry allows that domain and its subdomains; "
	if _, parent, ok := strings.Cut(d, "."); ok && strings.Contains(parent, ".") {
		return both + "*." + parent + " allows every subdomain of " + parent + ", not " + parent + " itself"
	}
	return both + "*." + d + " allows its subdomains only"
}

// domainEntry reads one allowed_domains entry: the domain, lower-cased,
// whether only its subdomains are allowed, or why it is refused ("is a
// URL: write corp.example (...)").
func domainEntry(given string) (domain string, subOnly bool, why string) {
	s := strings.ToLower(given)
	if strings.Contains(s, "://") {
		host := s
		if u, err := url.Parse(s); err == nil && u.Hostname() != "" {
			host = u.Hostname()
		}
		return "", false, fmt.Sprintf("is a URL, which no e-mail address has: write the domain, %s (%s)", strings.TrimSuffix(host, "."), allowedHint(strings.TrimSuffix(host, ".")))
	}
	if i := strings.LastIndexByte(s, '@'); i > 0 {
		return "", false, fmt.Sprintf("is an e-mail address: write its domain, %s (%s)", s[i+1:], allowedHint(s[i+1:]))
	}
	s = strings.TrimPrefix(s, "@")
	if i := strings.IndexAny(s, "/:"); i >= 0 {
		return "", false, fmt.Sprintf("is not a domain (it has a %s): write the domain, %s (%s)", portOrPath(s[i]), s[:i], allowedHint(s[:i]))
	}
	if rest, ok := strings.CutPrefix(s, "*."); ok {
		s, subOnly = rest, true
	}
	s = strings.TrimSuffix(s, ".")
	if strings.Contains(s, "*") {
		labels := strings.FieldsFunc(strings.ReplaceAll(s, "*", ""), func(c rune) bool { return c == '.' })
		d := strings.Join(labels, ".")
		if d == "" {
			return "", false, "allows every domain: to alert on no user creation, turn the rule off (enabled: false)"
		}
		return "", false, fmt.Sprintf("has a wildcard where only a leading *. is taken: write %s (the domain and its subdomains) or *.%s (its subdomains only)", d, d)
	}
	if why := badDomain(s); why != "" {
		return "", false, why
	}
	return s, subOnly, ""
}

// portOrPath names what c (':' or '/') starts in an entry.
func portOrPath(c byte) string {
	if c == ':' {
		return "port"
	}
	return "path"
}

// badDomain says why s is not a domain name (an empty label, a space or
// ASCII punctuation other than '-' and '_', a single label such as
// corp_example or 42), or "" when it is one.
// Non-ASCII letters are accepted (internationalised domains).
func badDomain(s string) string {
	if s == "" {
		return "is not a domain: write one such as corp.example"
	}
	for _, l := range strings.Split(s, ".") {
		if l == "" {
			return "is not a domain (an empty label between dots): write one such as corp.example"
		}
	}
	for _, c := range s {
		if c < 0x80 && !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return fmt.Sprintf("is not a domain (it has %q): write one such as corp.example", c)
		}
	}
	if !strings.Contains(s, ".") {
		return "is not an e-mail domain (it has no dot; GitLab's users have addresses such as alice@corp.example): write the domain after the @, such as corp.example"
	}
	return ""
}
