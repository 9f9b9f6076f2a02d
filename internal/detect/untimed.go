package detect

import (
	"fmt"
	"strings"

	json "github.com/goccy/go-json"
)

// maxCauseValue is the most bytes of a time value UntimedCause quotes.
const maxCauseValue = 40

// UntimedCause says, for a warning, why the JSON line raw (an audit,
// application or auth log line, or a streamed event, that parsed) has no
// usable event time: the keys GitLab writes its time under ("time", and
// "created_at", which an audit line falls back to) that it lacks or whose
// value is not an ISO 8601 time, quoted (cut to 40 bytes). It decodes raw
// again, so it is meant for the rare line without a time, not for every
// line.
func UntimedCause(raw []byte) string {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return "its time could not be read"
	}
	var bad []string
	for _, key := range []string{"time", "created_at"} {
		if v, ok := obj[key]; ok {
			bad = append(bad, fmt.Sprintf("%q is %s", key, quoteValue(v)))
		}
	}
	if len(bad) == 0 {
		return `it has no "time" or "created_at"`
	}
	not := ", not an ISO 8601 time"
	if len(bad) > 1 {
		not = ", neither an ISO 8601 time"
	}
	return strings.Join(bad, " and ") + not + " such as 2025-03-04T12:10:00.000Z"
}

// quoteValue returns the JSON value v for a message: a string as its
// JSON text, cut to maxCauseValue bytes, any other value as written.
func quoteValue(v json.RawMessage) string {
	s := strings.TrimSpace(string(v))
	if len(s) > maxCauseValue {
		s = s[:maxCauseValue] + "…"
		if strings.HasPrefix(s, `"`) {
			s += `"`
		}
	}
	return s
}
