package config

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
)

// Load reads and strictly decodes the configuration file at path. It does not
// apply defaults or validate; call Resolve and Validate for that (or use
// LoadAndResolve).
//
// An error reading the file names the path, the cause and what to do (a
// missing file, a directory, a file the user may not read).
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, readError(path, err)
	}
	return Parse(data, path)
}

// readError explains why the configuration file at path could not be
// read (err from os.ReadFile), with what to do.
func readError(path string, err error) error {
	if path == "-" {
		return errors.New("config: - (standard input) is read as the configuration by check --config - only: " +
			"write it to a file, e.g. config.yaml, and give that")
	}
	const what = "the configuration is one YAML file, e.g. /etc/gitlab-syslog/config.yaml; examples/config.yaml is a commented one"
	if fi, serr := os.Stat(path); serr == nil && fi.IsDir() {
		return fmt.Errorf("config: %s is a directory: give the configuration file in it; %s", path, what)
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("config: %s: no such file: is the path right? %s", path, what)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("config: %s: permission denied: run as a user that may read it (the agent's, e.g. sudo -u gitlab-syslog), "+
			"or make it readable to yours (it may hold tokens: keep it from others)", path)
	}
	return fmt.Errorf("config: %w", err)
}

// Parse decodes a configuration from data. name is used in error messages
// ("config.yaml:7: unknown key ..."); every mistake found is returned,
// joined in the order of their lines. When the mistakes are of keys and
// values (an unknown key, a value of the wrong type, a key given twice),
// not of the YAML text, Parse returns them with the configuration decoded
// without the offending values, as if those keys were absent (a key given
// twice with its first value), so that the caller (check) can report the
// mistakes the rest of the file holds too;
// the caller must not use that configuration otherwise. A bad item of a
// list (a source given as a bare path) is decoded as an empty item in its
// place, so that the items after it keep their index, and Dropped reports
// it ("sources[1]"): Validate and check leave it out.
func Parse(data []byte, name string) (*Config, error) {
	c := &Config{file: name, lines: map[string]int{}, dropped: map[string]string{}}
	if len(bytes.TrimSpace(data)) == 0 {
		return c, nil // an empty file means all defaults
	}
	if err := textError(name, data); err != nil {
		return nil, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var root yaml.Node
	if err := dec.Decode(&root); errors.Is(err, io.EOF) {
		return c, nil // only comments
	} else if err != nil {
		return nil, yamlError(name, syntaxError(data, tabError(data, err)))
	}
	// A second document is almost certainly a mistake (a stray "---").
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, lineErrorf(name, extra.Line, "", "a second YAML document; the configuration is one document (remove the \"---\")")
	}
	if len(root.Content) == 0 {
		return c, nil
	}
	doc := root.Content[0]
	if doc.Kind == yaml.ScalarNode && doc.Tag == "!!null" {
		return c, nil // "---" (or "~", "null") alone sets nothing, as an empty file
	}
	if doc.Kind != yaml.MappingNode {
		return nil, lineErrorf(name, doc.Line, "", "the configuration must be a mapping of keys (state_dir, forward, sources, ...), not a %s", kindName(doc.Kind))
	}
	if err := manifestError(name, doc); err != nil {
		return nil, err
	}
	// walk reports unknown keys and values of the wrong type, each with its
	// line and key, and rewrites byte sizes with units to numbers, so that
	// decoding the checked tree succeeds. The keys whose values are of the
	// wrong type are taken out of the tree, so that the others still
	// decode and can be checked.
	var errs []error
	expandMerges(doc, name, &errs)
	c.bare = bareDurations(doc, reflect.TypeOf(Config{}), "")
	drop := map[*yaml.Node]bool{}
	walk(doc, reflect.TypeOf(Config{}), "", name, c.lines, &errs, drop, c.dropped)
	prune(doc, drop)
	if err := doc.Decode(c); err != nil {
		errs = append(errs, yamlError(name, err))
		var te *yaml.TypeError
		if !errors.As(err, &te) { // a type error (a key given twice) leaves the rest decoded
			return nil, SortErrors(errors.Join(errs...), name)
		}
	}
	return c, SortErrors(errors.Join(errs...), name)
}

// walk checks every mapping key in n against the yaml tags of t, records the
// line of every key path, and appends an error for each unknown key and
// each value of the wrong type. It adds each such value to drop (see
// prune) and forgets its key's line: the key is then as good as absent,
// but for dropped, which records its path, so that Validate does not call
// the key missing too. A list item of the wrong type is replaced by an
// empty one (emptyItem) and its path recorded in dropped.
func walk(n *yaml.Node, t reflect.Type, path, file string, lines map[string]int, errs *[]error, drop map[*yaml.Node]bool, dropped map[string]string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if t == nodeType {
		return // kept as written; its reader checks it
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return // checkValue reported the type mismatch
		}
		fields := yamlFields(t)
		inline := inlineMap(t)
		first := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if duplicate(k, v, path, first, file, errs, drop) {
				continue
			}
			f, ok := fields[k.Value]
			if !ok {
				if inline != nil {
					// The names are checked by whoever reads the
					// inline map (detections.rules.ID's parameters).
					p := join(path, k.Value)
					lines[p] = k.Line
					if inline.Elem().Kind() == reflect.String && !flattenParam(k, v, p, file, errs) {
						drop[v] = true
						delete(lines, p)
						dropped[p] = written(v)
					}
					continue
				}
				*errs = append(*errs, unknownKey(file, k, path, fields, parentBlock(n, i, fields, k.Value)))
				continue
			}
			p := join(path, k.Value)
			lines[p] = k.Line
			tag := f.Tag.Get("config")
			msg := checkValue(v, f.Type, tag == "bytes", p)
			if msg == "" && tag == "nonempty" && emptyScalar(v) {
				msg = "is empty: leave the key out to keep the default, or give a value"
			}
			if msg == "" && tag == "path" {
				msg = pathValue(v, k.Value)
			}
			if msg != "" {
				*errs = append(*errs, lineErrorf(file, v.Line, p, "%s", msg))
				drop[v] = true
				delete(lines, p)
				dropped[p] = written(v)
				continue
			}
			walk(v, f.Type, p, file, lines, errs, drop, dropped)
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			return
		}
		first := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if duplicate(k, v, path, first, file, errs, drop) {
				continue
			}
			p := join(path, k.Value)
			lines[p] = k.Line
			if t.Elem().Kind() == reflect.String {
				if !flattenParam(k, v, p, file, errs) {
					drop[v] = true
					delete(lines, p)
					dropped[p] = written(v)
				}
				continue
			}
			msg, line := "", v.Line
			if path == "detections.rules" {
				msg, line = ruleShape(n, i), k.Line
			} else {
				msg = checkValue(v, t.Elem(), false, p)
			}
			if msg != "" {
				*errs = append(*errs, lineErrorf(file, line, p, "%s", msg))
				drop[v] = true
				delete(lines, p)
				dropped[p] = written(v)
				continue
			}
			walk(v, t.Elem(), p, file, lines, errs, drop, dropped)
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return
		}
		for i, e := range n.Content {
			p := path + "[" + strconv.Itoa(i) + "]"
			lines[p] = e.Line
			msg := checkValue(e, t.Elem(), false, p)
			if msg == "" && emptyMappingItem(e, t.Elem()) {
				// The decoder would leave it out, renumbering the
				// items after it.
				msg = emptyItemHint(path, e)
			}
			if msg != "" {
				*errs = append(*errs, lineErrorf(file, e.Line, p, "%s", msg))
				// Taken out, it would renumber the items after it,
				// whose errors name them by index.
				n.Content[i] = emptyItem(t.Elem(), e)
				dropped[p] = written(e)
				continue
			}
			walk(e, t.Elem(), p, file, lines, errs, drop, dropped)
		}
	}
}

var nodeType = reflect.TypeOf(yaml.Node{})

// written returns n, a value left out as of the wrong type, as written:
// the text of a single value, a list or a mapping on one line ([1, 2],
// {a: 1}).
func written(n *yaml.Node) string {
	if n = deref(n); n.Kind == yaml.ScalarNode {
		return n.Value
	}
	flow := *n
	flow.Style = yaml.FlowStyle
	b, err := yaml.Marshal(&flow)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// duplicate reports whether the key k of the mapping at path was given
// before in it (first holds the line of each key seen, and k's is added
// when it is new). A key given again is reported (Error.Twice) and its
// value v added to drop, so
// that the first one is decoded with the rest of the file, as for a value
// of the wrong type; the YAML decoder would leave the whole mapping
// out, and the configuration check shows would be the built-in defaults.
func duplicate(k, v *yaml.Node, path string, first map[string]int, file string, errs *[]error, drop map[*yaml.Node]bool) bool {
	line, dup := first[k.Value]
	if !dup {
		first[k.Value] = k.Line
		return false
	}
	e := lineErrorf(file, k.Line, "", "mapping key %q already defined at line %d: a key is given once; keep the one meant and remove the other", k.Value, line)
	e.Twice = join(path, k.Value)
	*errs = append(*errs, e)
	drop[v] = true
	return true
}

// emptyItem returns a node that decodes to the zero value of t, a list's
// item type (the config's lists hold structs and strings), at the place
// of the item at: an empty mapping for a struct (a source, an input), an
// empty list for a list, else an empty string (a token).
func emptyItem(t reflect.Type, at *yaml.Node) *yaml.Node {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Line: at.Line, Column: at.Column}
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		n.Kind, n.Tag = yaml.MappingNode, "!!map"
	case reflect.Slice:
		n.Kind, n.Tag = yaml.SequenceNode, "!!seq"
	}
	return n
}

// prune takes the values in drop (values of the wrong type, reported by
// walk) out of the tree under n, with their keys, so that the rest
// decodes.
func prune(n *yaml.Node, drop map[*yaml.Node]bool) {
	pruneNode(n, drop, map[*yaml.Node]bool{})
}

func pruneNode(n *yaml.Node, drop, seen map[*yaml.Node]bool) {
	if n == nil || seen[n] {
		return
	}
	seen[n] = true
	switch n.Kind {
	case yaml.MappingNode:
		kept := n.Content[:0]
		for i := 0; i+1 < len(n.Content); i += 2 {
			if !drop[n.Content[i+1]] {
				kept = append(kept, n.Content[i], n.Content[i+1])
			}
		}
		n.Content = kept
	}
	for _, e := range n.Content {
		pruneNode(e, drop, seen)
	}
	pruneNode(n.Alias, drop, seen)
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// inlineMap returns the type of struct t's map field tagged ",inline"
// (directly or in an inline struct), which takes the keys that are not
// other fields, or nil.
func inlineMap(t reflect.Type) reflect.Type {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !isInline(f) {
			continue
		}
		switch f.Type.Kind() {
		case reflect.Map:
			return f.Type
		case reflect.Struct:
			if m := inlineMap(f.Type); m != nil {
				return m
			}
		}
	}
	return nil
}

// isInline reports whether f's yaml tag has the inline option: its keys
// are those of its parent mapping.
func isInline(f reflect.StructField) bool {
	_, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	return slices.Contains(strings.Split(opts, ","), "inline")
}

// yamlFields returns the fields of struct t by YAML key, those of inline
// structs (a component's configuration composed into a block) included.
func yamlFields(t reflect.Type) map[string]reflect.StructField {
	m := make(map[string]reflect.StructField, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if isInline(f) && f.Type.Kind() == reflect.Struct {
			for k, v := range yamlFields(f.Type) {
				m[k] = v
			}
			continue
		}
		if tag == "" || tag == "-" || !f.IsExported() {
			continue
		}
		m[tag] = f
	}
	return m
}

// flagKeys are the keys a newcomer writes after a flag's name (the
// flag --to is forward.url), by their path, with the hint their
// "unknown key" error ends with.
var flagKeys = map[string]string{"forward.to": ` (did you mean "url"? the key of the --to flag)`}

// blockHint is the block an unknown key most likely belongs under
// (parentBlock): its name ("forward", "sources[1]"; "" for none), whether
// it is empty (written with no value), and whether it is written in flow
// style, on one line in braces ({url: ...}), where indenting cannot add a
// key.
type blockHint struct {
	name        string
	empty, flow bool
	alias       string // the anchor of the alias (*name) the block is written as; "" when written out
}

// parentBlock returns, for the unknown key at n.Content[i] of a mapping
// of fields, the block written before it that most likely should hold it:
// the nearest known key before it whose value is a block (a mapping, a
// list or nothing), past unknown keys and known keys of one-line values
// (given or empty; an empty list, "sources:", is a block),
// when that block has key and does not hold it yet. The key was then
// written unindented ("forward:" then "url: ..." at the same indentation;
// "forward:" with "url:" indented, "hostname: h1", then "sd_id: ..." at
// column 0), or the innermost block that block ends with that has key
// (lastBlock: "forward.tls"). For a list of blocks (sources, inputs) it
// is the list's last item, named "sources[N]". It returns the zero blockHint when that block
// does not have key or holds it, or there is none.
func parentBlock(n *yaml.Node, i int, fields map[string]reflect.StructField, key string) blockHint {
	for j := i - 2; j >= 0; j -= 2 {
		pk, pv := n.Content[j], n.Content[j+1]
		f, ok := fields[pk.Value]
		if !ok {
			continue // unknown too: maybe meant under the same key
		}
		empty := pv.Kind == yaml.ScalarNode && pv.Tag == "!!null"
		t := typeOf(f.Type)
		if pv.Kind == yaml.ScalarNode && (!empty || t.Kind() != reflect.Struct && t.Kind() != reflect.Slice) {
			continue // a one-line setting, given or empty: the block may be before it
		}
		list := deref(pv)
		switch {
		case t.Kind() == reflect.Struct:
			return lastBlock(pk.Value, pv, t, key)
		case t.Kind() == reflect.Slice && typeOf(t.Elem()).Kind() == reflect.Struct && list.Kind == yaml.SequenceNode && len(list.Content) > 0:
			last := list.Content[len(list.Content)-1]
			if deref(last).Kind == yaml.MappingNode {
				return lastBlock(fmt.Sprintf("%s[%d]", pk.Value, len(list.Content)-1), last, typeOf(t.Elem()), key)
			}
		}
		return blockHint{}
	}
	return blockHint{}
}

// lastBlock returns the block that most likely should hold key, written
// unindented after the block v named name, of struct type t (a mapping,
// or empty): of v and the blocks it ends with (its last key's, when that
// is a block, and so on: "forward" ending with "tls:" and its keys), the
// innermost that has key and does not hold it, named by its path from
// name ("forward.tls"), and the anchor it is an alias of, if any; the
// zero blockHint when none does.
func lastBlock(name string, v *yaml.Node, t reflect.Type, key string) blockHint {
	alias := ""
	if v.Kind == yaml.AliasNode {
		alias = v.Value
	}
	if v = deref(v); v.Kind == yaml.MappingNode && len(v.Content) >= 2 {
		lk, lv := v.Content[len(v.Content)-2], v.Content[len(v.Content)-1]
		if f, known := yamlFields(t)[lk.Value]; known {
			if ft := typeOf(f.Type); ft.Kind() == reflect.Struct && (deref(lv).Kind == yaml.MappingNode || lv.Kind == yaml.ScalarNode && lv.Tag == "!!null") {
				if h := lastBlock(name+"."+lk.Value, lv, ft, key); h.name != "" {
					if h.alias == "" {
						h.alias = alias // its block is inside the alias
					}
					return h
				}
			}
		}
	}
	empty := v.Kind == yaml.ScalarNode && v.Tag == "!!null"
	if _, has := yamlFields(t)[key]; !has || !empty && (v.Kind != yaml.MappingNode || hasKey(v, key)) {
		return blockHint{}
	}
	return blockHint{name: name, empty: empty, flow: v.Style&yaml.FlowStyle != 0, alias: alias}
}

// typeOf returns t without its pointers.
func typeOf(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// hasKey reports whether the mapping m has the key key.
func hasKey(m *yaml.Node, key string) bool {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return true
		}
	}
	return false
}

// unknownKey is the error of the key k, not among fields, of the block at
// path; under, when its name is not "", is the block before it that has k
// and does not hold it (parentBlock).
func unknownKey(file string, k *yaml.Node, path string, fields map[string]reflect.StructField, under blockHint) error {
	where := ""
	if path != "" {
		where = " in " + path
	}
	msg := fmt.Sprintf("unknown key %q%s", k.Value, where)
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	slices.Sort(names)
	if key, ok := flagKeys[strings.TrimPrefix(path+"."+k.Value, ".")]; ok {
		msg += key
	} else if under.alias != "" {
		msg += fmt.Sprintf(" (it is a key of %s, which is written as the alias *%s: add it where &%s is defined, or write %s out in full)", join(path, under.name), under.alias, under.alias, under.name)
	} else if under.name != "" && under.empty {
		msg += fmt.Sprintf(" (it is a key of %s, which is empty: indent it under %s)", join(path, under.name), under.name)
	} else if under.name != "" && under.flow {
		msg += fmt.Sprintf(" (it is a key of %s, written on one line in braces: add it inside them, after a comma if they hold a key)", join(path, under.name))
	} else if under.name != "" {
		msg += fmt.Sprintf(" (it is a key of %s: indent it under %s as the keys above it are)", join(path, under.name), under.name)
	} else if hint := ancestorHint(path, k.Value); hint != "" {
		msg += hint
	} else if hint := childHint(path, k.Value); hint != "" {
		msg += hint
	} else if hint := paramHint(path, k.Value); hint != "" {
		msg += hint
	} else if hint := DidYouMean(k.Value, names); hint != "" {
		msg += hint
	} else {
		msg += " (known keys: " + strings.Join(names, ", ") + ")"
	}
	return &Error{File: file, Line: k.Line, Block: path, Unknown: k.Value, Err: errors.New(msg)}
}

// ancestorHint returns, for the unknown key key of the block at path
// (not the top level), a hint that it is a key of a block path is in
// (forward for forward.tls) or of the top level, indented under the
// block by mistake; "" when no enclosing block has it.
func ancestorHint(path, key string) string {
	for up := path; up != ""; {
		i := strings.LastIndexByte(up, '.')
		if i < 0 {
			up = ""
		} else {
			up = up[:i]
		}
		t := typeAt(up)
		if t == nil {
			return ""
		}
		if _, ok := yamlFields(t)[key]; !ok {
			continue
		}
		if up == "" {
			return fmt.Sprintf(" (it is a top-level key: write it at column 0, not indented under %s)", path)
		}
		return fmt.Sprintf(" (it is a key of %s: write it with the keys of %s, not indented under %s)", up, up, path[len(up)+1:])
	}
	return ""
}

// childHint returns, for the unknown key key of the block at path (not
// the top level, whose keys parentBlock places), a hint that it is a key
// of a block of that block (tls's cert_file written directly under an
// input); "" when none has it, or several do.
func childHint(path, key string) string {
	t := typeAt(path)
	if t == nil || path == "" {
		return ""
	}
	var in []string
	for name, f := range yamlFields(t) {
		if ft := typeOf(f.Type); ft.Kind() == reflect.Struct {
			if _, ok := yamlFields(ft)[key]; ok {
				in = append(in, name)
			}
		}
	}
	if len(in) != 1 {
		return ""
	}
	return fmt.Sprintf(" (it is a key of %s: write it under %s:, indented)", join(path, in[0]), in[0])
}

// typeAt returns the struct type of the block at path ("" the top level,
// "forward.tls", "inputs[0].tls"), nil when path names none.
func typeAt(path string) reflect.Type {
	t := reflect.TypeFor[Config]()
	if path == "" {
		return t
	}
	for _, part := range strings.Split(path, ".") {
		name, _, list := strings.Cut(part, "[")
		f, ok := yamlFields(t)[name]
		if !ok {
			return nil
		}
		t = typeOf(f.Type)
		if list {
			if t.Kind() != reflect.Slice {
				return nil
			}
			t = typeOf(t.Elem())
		}
		if t.Kind() != reflect.Struct {
			return nil
		}
	}
	return t
}

// paramHint returns, for the unknown key key of the top level or of the
// detections block (path "" or "detections"), a hint that it is a rule's
// parameter and where such a parameter goes, naming the rules that read
// it (detect.Spec.Params); "" for another key or block.
func paramHint(path, key string) string {
	if path != "" && path != "detections" {
		return ""
	}
	var rules []string
	for _, s := range detect.Catalogue() {
		if slices.Contains(s.Params, key) {
			rules = append(rules, s.Info.ID)
		}
	}
	readers := strings.Join(rules, ", ")
	switch {
	case key == "suppress": // every rule's (detect.Spec.Params)
		readers = "every rule"
	case len(rules) == 0:
		return ""
	}
	return fmt.Sprintf(" (it is a parameter of %s: write it under detections.params, for every rule that reads it, or under one rule in detections.rules, indented under the rule's id)", readers)
}

// DidYouMean returns ` (did you mean "x"?)` for the name x in known that
// Suggest finds close to s, or "" when there is none: the hint every
// "unknown name" error ends with (config keys and values, rule ids,
// parameters).
func DidYouMean(s string, known []string) string {
	if m := Suggest(s, known); m != "" {
		return fmt.Sprintf(" (did you mean %q?)", m)
	}
	return ""
}

// Suggest returns the name in known closest to s (edit distance with
// transpositions, ignoring case: "ulr" is 1 edit from "url"), or "" when
// none is close enough to be a likely typo: at most 2 edits, 3 for names
// longer than 8 bytes, and at most half of s's bytes, so that a short
// name is not "meant" as any other short name ("42" is 2 edits from "a"),
// and none for s of fewer than 3 bytes;
// failing that, the one name in known that begins with s, of 3 bytes or
// more ("app" for "application", "audit_json" for "audit_json.log"). It
// is what "did you mean" hints use: config keys and values, rule ids,
// flags, and the paths check, send and detect suggest for a file or
// directory that does not exist.
func Suggest(s string, known []string) string {
	if len(s) < 3 {
		return ""
	}
	if m := closest(s, known); m != "" {
		return m
	}
	return onlyPrefixed(s, known)
}

// closest is Suggest's edit-distance match.
func closest(s string, known []string) string {
	best, bestD := "", 1<<30
	for _, name := range known {
		d := distance(strings.ToLower(s), strings.ToLower(name))
		if d < bestD || (d == bestD && name < best) {
			best, bestD = name, d
		}
	}
	limit := 2
	if len(s) > 8 {
		limit = 3
	}
	if bestD <= min(limit, len(s)/2) {
		return best
	}
	return ""
}

// onlyPrefixed returns the one name in known that begins with s (ignoring
// case) and is longer; "" when none or several do.
func onlyPrefixed(s string, known []string) string {
	found := ""
	for _, name := range known {
		if len(name) > len(s) && strings.EqualFold(name[:len(s)], s) {
			if found != "" && found != name {
				return ""
			}
			found = name
		}
	}
	return found
}

// distance is the optimal string alignment distance between a and b: the
// Levenshtein distance, with the swap of two adjacent bytes one edit.
func distance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

var lineRE = regexp.MustCompile(`^(?:yaml: )?line (\d+): `)

// yamlError rewrites the decoder's "yaml: line 7: ..." messages as
// "config.yaml:7: ...", one error per problem.
func yamlError(file string, err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		errs := make([]error, 0, len(te.Errors))
		for _, e := range te.Errors {
			if strings.Contains(e, " already defined at line ") {
				e += ": a key is given once; keep the one meant and remove the other"
			}
			errs = append(errs, rewriteLine(file, e))
		}
		return errors.Join(errs...)
	}
	return rewriteLine(file, err.Error())
}

// manifestError returns an error for a Kubernetes manifest (top-level
// apiVersion and kind, such as examples/kubernetes/configmap.yaml) given
// as the configuration, instead of one "unknown key" per manifest field:
// the configuration is the text under the ConfigMap's data key. The error
// says how to get that text, from the file (yq) or from the cluster.
func manifestError(file string, doc *yaml.Node) error {
	var kind, name, ns string
	line, apiVersion := 0, false
	for i := 0; i+1 < len(doc.Content); i += 2 {
		switch k, v := doc.Content[i], doc.Content[i+1]; k.Value {
		case "apiVersion":
			apiVersion = true
		case "kind":
			kind, line = v.Value, k.Line
		case "metadata":
			for j := 0; j+1 < len(v.Content); j += 2 {
				switch v.Content[j].Value {
				case "name":
					name = v.Content[j+1].Value
				case "namespace":
					ns = v.Content[j+1].Value
				}
			}
		}
	}
	if !apiVersion || kind == "" {
		return nil
	}
	if kind != "ConfigMap" {
		return lineErrorf(file, line, "", "this is a Kubernetes manifest (kind: %s), not a gitlab-syslog configuration; "+
			"check the configuration text of the ConfigMap the agent mounts (its data key config.yaml)", kind)
	}
	get := "kubectl get configmap " + cmp.Or(name, "NAME")
	if ns != "" {
		get = "kubectl -n " + ns + " get configmap " + cmp.Or(name, "NAME")
	}
	return lineErrorf(file, line, "", "this is a Kubernetes manifest (kind: %s), not a gitlab-syslog configuration; "+
		"the configuration is the text under a ConfigMap's data key config.yaml: write it to a file and check that "+
		"(yq '.data.\"config.yaml\"' %s > config.yaml, or from the cluster: %s -o jsonpath='{.data.config\\.yaml}' > config.yaml)",
		kind, file, get)
}

// tabMsg is the YAML scanner's error for a tab in indentation.
const tabMsg = "found a tab character that violates indentation"

// tabError points the scanner's tab error at the line that has the tab:
// the scanner names the line of the token before it, which is the line
// above when the tab indents a nested key. It adds that YAML indents with
// spaces only. Other errors are returned as they are.
func tabError(data []byte, err error) error {
	m := lineRE.FindStringSubmatch(err.Error())
	if m == nil || !strings.HasSuffix(err.Error(), tabMsg) {
		return err
	}
	n, _ := strconv.Atoi(m[1])
	lines := strings.Split(string(data), "\n")
	for i := max(n-1, 0); i < len(lines); i++ {
		indent := lines[i][:len(lines[i])-len(strings.TrimLeft(lines[i], " \t"))]
		if strings.Contains(indent, "\t") {
			n = i + 1
			break
		}
	}
	return fmt.Errorf("yaml: line %d: %s (YAML indents with spaces only: replace the tab)", n, tabMsg)
}

// rewriteLine returns the decoder's message msg ("yaml: line 7: ...") as
// an *Error of file at that line, or of file as a whole when msg names no
// line.
func rewriteLine(file, msg string) *Error {
	if m := lineRE.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		return &Error{File: file, Line: n, Err: errors.New(msg[len(m[0]):])}
	}
	return &Error{File: file, Err: errors.New(strings.TrimPrefix(msg, "yaml: "))}
}

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		return "single value"
	case yaml.MappingNode:
		return "mapping"
	}
	return "YAML node"
}
