package metrics

import (
	"fmt"
	"strings"
	"unicode"
)

// selector is a metric a PromQL expression reads, with the label names its
// matchers use.
type selector struct {
	name   string
	labels []string
}

// querySet is what a PromQL expression refers to: the metrics it selects
// and the label names of its by/without/on/ignoring/group_* clauses.
type querySet struct {
	selectors []selector
	grouping  []string
}

// promqlNonMetrics are the identifiers that are PromQL keywords or
// aggregation operators when not followed by "(".
var promqlNonMetrics = map[string]bool{
	"sum": true, "min": true, "max": true, "avg": true, "group": true, "stddev": true, "stdvar": true,
	"count": true, "count_values": true, "bottomk": true, "topk": true, "quantile": true,
	"limitk": true, "limit_ratio": true, "and": true, "or": true, "unless": true, "atan2": true,
	"bool": true, "offset": true, "by": true, "without": true, "on": true, "ignoring": true,
	"group_left": true, "group_right": true, "inf": true, "nan": true,
}

// groupingClauses are the keywords followed by a parenthesized list of
// label names.
var groupingClauses = map[string]bool{"by": true, "without": true, "on": true, "ignoring": true, "group_left": true, "group_right": true}

type token struct {
	kind byte // 'i' identifier, 's' string, 'n' number or duration, 'v' Grafana variable, else the punctuation byte
	text string
}

// lexPromQL splits a PromQL expression (as Grafana stores it, with $variables)
// into tokens; operators other than punctuation are dropped.
func lexPromQL(q string) ([]token, error) {
	var out []token
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '"' || c == '\'' || c == '`':
			j := i + 1
			for j < len(q) && q[j] != c {
				if q[j] == '\\' && c != '`' {
					j++
				}
				j++
			}
			if j >= len(q) {
				return nil, fmt.Errorf("unterminated string at %d in %q", i, q)
			}
			out = append(out, token{'s', q[i+1 : j]})
			i = j + 1
		case c == '$':
			j := i + 1
			if j < len(q) && q[j] == '{' {
				for j < len(q) && q[j] != '}' {
					j++
				}
				j++
			} else {
				for j < len(q) && (q[j] == '_' || unicode.IsLetter(rune(q[j])) || unicode.IsDigit(rune(q[j]))) {
					j++
				}
			}
			out = append(out, token{'v', q[i:j]})
			i = j
		case c == '_' || c == ':' || unicode.IsLetter(rune(c)):
			j := i
			for j < len(q) && (q[j] == '_' || q[j] == ':' || unicode.IsLetter(rune(q[j])) || unicode.IsDigit(rune(q[j]))) {
				j++
			}
			out = append(out, token{'i', q[i:j]})
			i = j
		case unicode.IsDigit(rune(c)) || c == '.':
			j := i
			for j < len(q) && (q[j] == '.' || unicode.IsLetter(rune(q[j])) || unicode.IsDigit(rune(q[j]))) {
				j++
			}
			out = append(out, token{'n', q[i:j]})
			i = j
		case strings.IndexByte("(){}[],", c) >= 0:
			out = append(out, token{c, string(c)})
			i++
		case strings.IndexByte("+-*/%^=!<>~", c) >= 0:
			i++
		default:
			return nil, fmt.Errorf("unexpected %q at %d in %q", c, i, q)
		}
	}
	return out, nil
}

// parsePromQL returns the metrics q selects and the labels it groups by.
// It understands what dashboards use: selectors with matchers, range
// vectors, function calls, aggregations with by/without, binary operators
// with on/ignoring/group_*, and Grafana's label_values(selector, label).
func parsePromQL(q string) (querySet, error) {
	toks, err := lexPromQL(q)
	if err != nil {
		return querySet{}, err
	}
	var qs querySet
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		next := func(k byte) bool { return i+1 < len(toks) && toks[i+1].kind == k }
		switch {
		case t.kind == '[':
			for i < len(toks) && toks[i].kind != ']' {
				i++
			}
		case t.kind == '{':
			return querySet{}, fmt.Errorf("selector without a metric name in %q: name the metric", q)
		case t.kind == 'i' && groupingClauses[t.text] && next('('):
			i += 2
			for ; i < len(toks) && toks[i].kind != ')'; i++ {
				if toks[i].kind == 'i' {
					qs.grouping = append(qs.grouping, toks[i].text)
				}
			}
		case t.kind == 'i' && t.text == "label_values" && next('('):
			if err := labelValues(toks, &i, &qs); err != nil {
				return querySet{}, fmt.Errorf("%w in %q", err, q)
			}
		case t.kind == 'i' && next('('):
			// a function or an aggregation: its arguments follow
		case t.kind == 'i' && promqlNonMetrics[t.text]:
		case t.kind == 'i':
			s := selector{name: t.text}
			if next('{') {
				i += 2
				for ; i < len(toks) && toks[i].kind != '}'; i++ {
					if toks[i].kind == 'i' {
						s.labels = append(s.labels, toks[i].text)
					}
				}
				if i == len(toks) {
					return querySet{}, fmt.Errorf("unterminated selector in %q", q)
				}
			}
			qs.selectors = append(qs.selectors, s)
		}
	}
	return qs, nil
}

// labelValues parses Grafana's label_values([selector, ]label) starting at
// toks[*i] and leaves *i on its closing parenthesis.
func labelValues(toks []token, i *int, qs *querySet) error {
	start := *i + 2
	depth, end, comma := 1, -1, -1
	for j := start; j < len(toks); j++ {
		switch toks[j].kind {
		case '(', '{':
			depth++
		case ')', '}':
			depth--
		case ',':
			if depth == 1 {
				comma = j
			}
		}
		if depth == 0 {
			end = j
			break
		}
	}
	if end < 0 {
		return fmt.Errorf("unterminated label_values")
	}
	labelTok := start
	if comma >= 0 {
		var sel strings.Builder
		for _, t := range toks[start:comma] {
			if t.kind == 's' {
				sel.WriteString(`"` + t.text + `"`)
			} else {
				sel.WriteString(t.text)
			}
			sel.WriteByte(' ')
		}
		inner, err := parsePromQL(sel.String())
		if err != nil {
			return err
		}
		qs.selectors = append(qs.selectors, inner.selectors...)
		labelTok = comma + 1
	}
	if labelTok >= end || toks[labelTok].kind != 'i' {
		return fmt.Errorf("label_values without a label name")
	}
	qs.grouping = append(qs.grouping, toks[labelTok].text)
	*i = end
	return nil
}
