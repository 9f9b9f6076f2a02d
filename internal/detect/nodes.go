package detect

import (
	"slices"
	"strings"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// maxNodeKeys bounds the nodeIndex: past it the values not seen for the
// longest are forgotten first.
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
// A user name and an address are taken as the sign-in rules key them
// (foldKey), so that "Alice" on one node and "alice" on
// another are one key's. The values least recently seen are forgotten
// first at maxNodeKeys: an aggregator's other traffic does not make it
// forget the nodes of a burst going on. It is kept in memory only: after
// a restart an alert names the nodes seen since.
type nodeIndex struct {
	m *lru[nodeKey, []string] // nil until the first event from a node
}

// ownNodeKey returns k with a value of its own: an event's shares its line,
// which the index must not keep alive.
func ownNodeKey(k nodeKey) nodeKey {
	k.val = strings.Clone(k.val)
	return k
}

// observe records ev's node under each of its key column values.
func (x *nodeIndex) observe(ev *Event) {
	if ev.Origin != OriginInput || ev.Host == "" {
		return
	}
	if x.m == nil {
		x.m = newHashedLRU[nodeKey, []string](maxNodeKeys)
	}
	for _, col := range nodeCols {
		v := ev.Get(col)
		if v == "" {
			continue
		}
		hs := x.m.touchOwn(nodeKey{col, foldKey(col, v)}, ownNodeKey)
		if slices.Contains(*hs, ev.Host) || len(*hs) >= maxNodesPerKey {
			continue
		}
		*hs = append(*hs, ev.Host)
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
	if x.m == nil {
		return nil
	}
	var out []string
	first := true
	for _, c := range a.Key {
		if !slices.Contains(nodeCols[:], c.Name) {
			continue
		}
		var hs []string
		if p, ok := x.m.get(nodeKey{c.Name, foldKey(c.Name, c.Value)}); ok {
			hs = *p
		}
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
