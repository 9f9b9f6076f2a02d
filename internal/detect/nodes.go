package detect

import (
	"slices"
	"strings"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// maxNodeKeys bounds the nodeIndex; past it the index starts afresh.
const maxNodeKeys = 1 << 16

// maxNodesPerKey bounds the nodes remembered for one column value.
const maxNodesPerKey = 16

// nodeCols are the columns alerts are keyed by (see the rules' Key): the
// nodes are remembered per value of each.
var nodeCols = [...]string{parser.ColUsername, parser.ColIPAddress, parser.ColAuthorName,
	parser.ColAuthorID, parser.ColEntityPath, parser.ColEmailAddress}

type nodeKey struct{ col, val string }

// nodeIndex remembers which nodes (Event.Host) sent events received over
// the network inputs (OriginInput), per value of the key columns, so that
// an alert on the merged stream can name the nodes its events came from.
// It is kept in memory only: after a restart an alert names the nodes
// seen since.
type nodeIndex struct {
	m map[nodeKey][]string
}

// observe records ev's node under each of its key column values.
func (x *nodeIndex) observe(ev *Event) {
	if ev.Origin != OriginInput || ev.Host == "" {
		return
	}
	for _, col := range nodeCols {
		v := ev.Get(col)
		if v == "" {
			continue
		}
		k := nodeKey{col, v}
		hs := x.m[k]
		if slices.Contains(hs, ev.Host) || len(hs) >= maxNodesPerKey {
			continue
		}
		if x.m == nil || len(x.m) >= maxNodeKeys {
			x.m = make(map[nodeKey][]string)
		}
		if hs == nil {
			k.val = strings.Clone(v) // v shares the event's line: do not keep that alive
		}
		x.m[k] = append(hs, ev.Host)
	}
}

// nodes returns the sorted nodes of an alert: the triggering event's for
// per-event rules, else those that sent events with every value of the
// alert's key columns; nil when none is known.
func (x *nodeIndex) nodes(a *Alert) []string {
	if a.Event != nil {
		if a.Event.Origin == OriginInput && a.Event.Host != "" {
			return []string{a.Event.Host}
		}
		return nil
	}
	var out []string
	first := true
	for _, c := range a.Key {
		if !slices.Contains(nodeCols[:], c.Name) {
			continue
		}
		hs := x.m[nodeKey{c.Name, c.Value}]
		if first {
			out, first = slices.Clone(hs), false
			continue
		}
		out = slices.DeleteFunc(out, func(h string) bool { return !slices.Contains(hs, h) })
	}
	slices.Sort(out)
	if len(out) == 0 {
		return nil
	}
	return out
}
