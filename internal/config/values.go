package config

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
)

// byteUnits are the units ParseByteSize accepts, by lower-case name.
var byteUnits = map[string]int64{
	"b": 1,
	"k": 1000, "kb": 1000, "ki": 1 << 10, "kib": 1 << 10,
	"m": 1000 * 1000, "mb": 1000 * 1000, "mi": 1 << 20, "mib": 1 << 20,
	"g": 1000 * 1000 * 1000, "gb": 1000 * 1000 * 1000, "gi": 1 << 30, "gib": 1 << 30,
}

// byteExample and durationExample are the examples of a value the errors
// about a byte size and a duration give, unless keyExamples has the key's
// own.
const (
	byteExample     = "1048576 or 1MiB"
	durationExample = "5s, 250ms, 24h"
)

// keyExamples are the examples of a value that the error about a key
// whose range the general examples leave gives instead, so that a hint
// never suggests a value the same key refuses: forward.max_message_bytes
// takes 480 to 65507 bytes, detections.state_save_interval at least 1s.
var keyExamples = map[string]string{
	"forward.max_message_bytes":      "8192 or 8KiB",
	"detections.state_save_interval": "30s, 1m, 5m",
}

// example returns the examples of a value for the key at path: its own
// (keyExamples), else general.
func example(path, general string) string {
	if e, ok := keyExamples[path]; ok {
		return e
	}
	return general
}

// ParseByteSize parses a byte size: a whole number of bytes (1048576), or
// a whole number and a unit, with or without a space: B, KiB, MiB, GiB
// (powers of 1024) or kB, MB, GB (powers of 1000), in any case. A negative
// number is returned as such, for the caller to reject.
func ParseByteSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := 0
	if i < len(t) && (t[i] == '-' || t[i] == '+') {
		i++
	}
	for i < len(t) && t[i] >= '0' && t[i] <= '9' {
		i++
	}
	num, unit := t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("want a number of bytes (e.g. %s), got %q", byteExample, s)
	}
	if unit == "" {
		return n, nil
	}
	mul, ok := byteUnits[unit]
	if !ok {
		return 0, fmt.Errorf("want a number of bytes (e.g. %s), got %q (units: B, KiB, MiB, GiB, kB, MB, GB)", byteExample, s)
	}
	if n > math.MaxInt64/mul || n < math.MinInt64/mul {
		return 0, fmt.Errorf("%q is too large", s)
	}
	return n * mul, nil
}

var durationType = reflect.TypeFor[time.Duration]()

// emptyScalar reports whether n (or the node it is an alias of) is a
// scalar with no value: empty, "", or null.
func emptyScalar(n *yaml.Node) bool {
	n = deref(n)
	return n.Kind == yaml.ScalarNode && (n.Value == "" || n.ShortTag() == "!!null")
}

// checkValue checks that the YAML node n, the value of the key at path,
// can be decoded into a field of type t (a byte size when bytes is set)
// and returns what was wanted and got when it cannot, e.g. `want a number
// of bytes (e.g. 1048576 or 1MiB), got "lots"`, with examples the key
// takes (example). A byte size with a unit is rewritten in n to its
// number of bytes. An empty value (null) is accepted: it means the default.
func checkValue(n *yaml.Node, t reflect.Type, bytes bool, path string) string {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return ""
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == durationType:
		if n.Kind != yaml.ScalarNode {
			return "want a duration (e.g. " + example(path, durationExample) + "), got " + got(n)
		}
		if _, err := time.ParseDuration(n.Value); err == nil {
			// "0" is a duration to time.ParseDuration but resolves to
			// !!int, which the decoder refuses for a time.Duration.
			n.Tag = "!!str"
			return ""
		}
		if _, err := strconv.ParseFloat(n.Value, 64); err == nil {
			return "want a duration with a unit (e.g. " + example(path, "5s, 250ms") + "), got " + got(n)
		}
		if hint := detect.DaysHint(n.Value); hint != "" {
			return "want a duration (" + hint + "), got " + got(n)
		}
		return "want a duration (e.g. " + example(path, durationExample) + "), got " + got(n)
	case bytes:
		if n.Kind != yaml.ScalarNode {
			return "want a number of bytes (e.g. " + example(path, byteExample) + "), got " + got(n)
		}
		v, err := ParseByteSize(n.Value)
		if err != nil {
			msg := strings.Replace(err.Error(), fmt.Sprintf("%q", n.Value), got(n), 1)
			return strings.Replace(msg, byteExample, example(path, byteExample), 1)
		}
		if reflect.Zero(t).OverflowInt(v) {
			return fmt.Sprintf("%s is too large", got(n))
		}
		n.Value, n.Tag, n.Style = strconv.FormatInt(v, 10), "!!int", 0
		return ""
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
			return "want a whole number, got " + got(n)
		}
	case reflect.Bool:
		// The decoder also takes YAML 1.1's yes/no/on/off for a bool.
		if n.Kind == yaml.ScalarNode && n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 && boolWord(n.Value) {
			return "want true or false without quotes, got " + got(n) + " (in quotes it is a string)"
		}
		if n.Kind != yaml.ScalarNode || (n.ShortTag() != "!!bool" && !yaml11Bool(n.Value)) {
			return "want true or false, got " + got(n)
		}
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			return "want a single value, got " + got(n)
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return `want a list (e.g. [a, b], or one "- item" a line), got ` + got(n)
		}
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			if t == reflect.TypeFor[Source]() && n.Kind == yaml.ScalarNode {
				return bareSourceHint(n.Value)
			}
			return "want a mapping of keys (" + strings.Join(sortedKeys(t), ", ") + "), got " + got(n)
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			if t.Elem().Kind() == reflect.String { // detections.params
				return "want a mapping of parameter names to values, one a line indented below the key (e.g. allowed_domains: [corp.example]), got " + got(n)
			}
			return "want a mapping of rule ids to their settings, one a line indented below the key (e.g. sentinel.bruteforce: {severity: High}), got " + got(n)
		}
	}
	return ""
}

// got describes a node for an error: a number as written, other scalars
// quoted, a list or mapping by its kind.
func got(n *yaml.Node) string {
	switch n.Kind {
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!int", "!!float", "!!bool":
			return n.Value
		}
		return strconv.Quote(n.Value)
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	}
	return "a " + kindName(n.Kind)
}

// sortedKeys returns the YAML keys of struct type t, sorted.
func sortedKeys(t reflect.Type) []string {
	fields := yamlFields(t)
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// boolWord reports whether s, unquoted, would be a YAML boolean: true,
// false, or one of YAML 1.1's words (yaml11Bool), in any case.
func boolWord(s string) bool {
	switch strings.ToLower(s) {
	case "true", "false":
		return true
	}
	return yaml11Bool(s)
}

// yaml11Bool reports whether s is one of the YAML 1.1 booleans the decoder
// still accepts for a bool field.
func yaml11Bool(s string) bool {
	switch strings.ToLower(s) {
	case "y", "yes", "on", "n", "no", "off":
		return true
	}
	return false
}

// emptyMappingItem reports whether the list item n, of a list of
// mappings of type t (sources, inputs), is empty: a - with nothing after
// it, or null. The YAML decoder leaves such an item out silently.
func emptyMappingItem(n *yaml.Node, t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return false
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// emptyItemHint returns the error for n, an empty item of the list at path
// (emptyMappingItem): what it is (a - with nothing after it, or a null
// written as such: null, ~) and what to write instead.
func emptyItemHint(path string, n *yaml.Node) string {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	msg, where := "is an empty item (a - with nothing after it): ", "after the -"
	if n.Value != "" {
		msg = fmt.Sprintf("is an empty item (%s, which YAML reads as nothing): ", n.Value)
		where = "in place of " + n.Value
	}
	switch path {
	case "sources":
		return msg + "give the source's keys " + where + ", e.g. - {type: audit, path: /var/log/gitlab/gitlab-rails/audit_json.log}, or delete the line"
	case "inputs":
		return msg + "give the input's keys " + where + ", e.g. - {listen: relp://0.0.0.0:2514}, or delete the line"
	}
	return msg + "give its keys " + where + ", or delete the line"
}

// bareSourceHint returns the error for a source written as a bare path:
// the whole item to write instead, with the type TypeByName infers from
// the file name, or the types to pick from when the name tells nothing.
func bareSourceHint(path string) string {
	if typ := TypeByName(path); typ != "" {
		return fmt.Sprintf("a source is a mapping of keys, not a bare path %q: write it as - {type: %s, path: %s}", path, typ, path)
	}
	return fmt.Sprintf("a source is a mapping of keys, not a bare path %q: write it as - {type: TYPE, path: %s}, TYPE one of audit, application, access, auth (the file name does not tell which)", path, path)
}

// pathValue checks n, the value of the key key (the last part of its
// path: "path", "ti_file"), which is a file or directory path: written
// unquoted, 42, 1.5, true or 2024-01-01 is read by YAML as a number, a
// boolean or a date, not as text, and the decoder would take it as the
// relative path "42", a mistake of the value (a port, a count, a flag)
// more likely than a file so named. It returns the error saying so and
// what to write when the file is so named (the value in quotes), or ""
// for text, null (the default, as checkValue takes it) and a node that
// is not a scalar (which checkValue reports).
func pathValue(n *yaml.Node, key string) string {
	n = deref(n)
	if n.Kind != yaml.ScalarNode {
		return ""
	}
	var what string
	switch n.ShortTag() {
	case "!!int", "!!float":
		what = "a number"
	case "!!bool":
		what = "a boolean"
	case "!!timestamp":
		what = "a date"
	default:
		return ""
	}
	file := "file"
	if strings.HasSuffix(key, "_dir") {
		file = "directory"
	}
	return fmt.Sprintf("want a path, got %s, which YAML reads as %s, not text; give the %s's path, or, if it is really named %s, quote it: %s: %q",
		n.Value, what, file, n.Value, key, n.Value)
}
