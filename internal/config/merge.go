package config

import "go.yaml.in/yaml/v3"

// expandMerges replaces, in n and the nodes under it, every YAML merge
// key ("<<: *defaults", "<<: [*a, *b]", "<<: {k: v}"; yaml.org/type/merge)
// with the keys it merges: those of the mapping given, or of each mapping
// of the list (an earlier one winning over a later one), less the keys
// the mapping states itself, which win over every merged one. The
// mapping then holds plain keys only, so that walk checks each merged key
// where it is used (at the line it was written at) and the decoder reads
// the same values, as the YAML decoder merges them. A merge key whose
// value is not a mapping or a list of mappings is an error appended to
// errs, and taken out. file names the configuration in errors.
func expandMerges(n *yaml.Node, file string, errs *[]error) {
	switch n.Kind {
	case yaml.SequenceNode:
		for _, e := range n.Content {
			expandMerges(e, file, errs)
		}
	case yaml.MappingNode:
		for i := 1; i < len(n.Content); i += 2 {
			expandMerges(n.Content[i], file, errs)
		}
		if hasMerge(n) {
			n.Content = mergedContent(n, file, errs)
		}
	}
}

// isMerge reports whether k is a merge key.
func isMerge(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.Tag == "!!merge"
}

// hasMerge reports whether the mapping n has a merge key.
func hasMerge(n *yaml.Node) bool {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if isMerge(n.Content[i]) {
			return true
		}
	}
	return false
}

// mergedContent returns the key and value nodes of the mapping n with its
// merge keys replaced by the keys they merge (see expandMerges).
func mergedContent(n *yaml.Node, file string, errs *[]error) []*yaml.Node {
	var own, merged []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !isMerge(k) {
			own = append(own, k, v)
			continue
		}
		sources := []*yaml.Node{v}
		if deref(v).Kind == yaml.SequenceNode {
			sources = deref(v).Content
		}
		for _, src := range sources {
			m := deref(src)
			if m.Kind != yaml.MappingNode {
				*errs = append(*errs, lineErrorf(file, src.Line, "", "the merge key << takes a mapping (<<: *defaults, with defaults an anchor of a mapping) or a list of them, not a %s", kindName(m.Kind)))
				continue
			}
			merged = append(merged, m.Content...)
		}
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(own); i += 2 {
		seen[own[i].Value] = true
	}
	out := own
	for i := 0; i+1 < len(merged); i += 2 {
		if k := merged[i]; !seen[k.Value] {
			seen[k.Value] = true
			out = append(out, k, merged[i+1])
		}
	}
	return out
}
