package loadgen

import (
	"strconv"

	"github.com/gitlab-syslog/gitlab-syslog/internal/jsonstr"
)

// jw appends one JSON object to b, adding commas between members.
type jw struct {
	b     []byte
	first bool
}

func (w *jw) begin() { w.b = append(w.b, '{'); w.first = true }

func (w *jw) end() { w.b = append(w.b, '}'); w.first = false }

func (w *jw) key(k string) {
	if !w.first {
		w.b = append(w.b, ',')
	}
	w.first = false
	w.b = append(w.b, '"')
	w.b = append(w.b, k...)
	w.b = append(w.b, '"', ':')
}

func (w *jw) str(k, v string) { w.key(k); w.b = jsonstr.Append(w.b, v) }

func (w *jw) strb(k string, v []byte) { w.key(k); w.b = jsonstr.Append(w.b, v) }

func (w *jw) int(k string, v int64) { w.key(k); w.b = strconv.AppendInt(w.b, v, 10) }

func (w *jw) float(k string, v float64) { w.key(k); w.b = strconv.AppendFloat(w.b, v, 'f', 3, 64) }

// object starts a nested object member; close it with end.
func (w *jw) object(k string) { w.key(k); w.begin() }
