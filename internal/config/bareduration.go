package config

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
)

// A BareDuration is a duration key of the configuration file given as a
// bare number (lateness: 30), which is read as that many seconds, as a
// detection rule's duration parameter is (window: 30).
type BareDuration struct {
	// Key is the key's dotted path (detections.lateness,
	// inputs[0].idle_timeout).
	Key string
	// Line is the key's line in the file.
	Line int
	// Seconds is the number given.
	Seconds int64
}

// BareDurations returns the duration keys of c's file given as a bare
// number above 0, read as seconds, in the order of their lines. A bare 0
// is left out: it is 0 in any unit.
func (c *Config) BareDurations() []BareDuration { return c.bare }

// Warning returns the warning about b, a key of file: "FILE:LINE: KEY: 30
// is read as 30 seconds; write 30s to keep it, or 30m or 30h".
func (b BareDuration) Warning(file string) string {
	r := durationRanges[b.Key]
	return fmt.Sprintf("%s:%d: %s: %s", file, b.Line, b.Key, SecondsAdvice(b.Key, b.Seconds, r.least, r.most))
}

// durationRanges are the least and the most value of the duration keys
// that have them, by path, so that a warning suggests no value its key
// refuses (lateness: 30 is not to become 30h).
var durationRanges = map[string]struct{ least, most time.Duration }{
	"detections.lateness":            {0, MaxLateness},
	"detections.state_save_interval": {MinStateSaveInterval, 0},
}

// bareDurations rewrites each value under n, the value at path of a field
// of type t, that is a duration given as a bare whole number of seconds
// above 0 (bareSeconds) to that number with the unit s, so that the
// decoder takes it, and returns where each was, in the order of the
// file. A key given twice is read at its first place only (duplicate).
func bareDurations(n *yaml.Node, t reflect.Type, path string) []BareDuration {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	n = deref(n)
	var out []BareDuration
	switch {
	case t.Kind() == reflect.Struct && t != durationType && n.Kind == yaml.MappingNode:
		fields, seen := yamlFields(t), map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			f, ok := fields[k.Value]
			if !ok || seen[k.Value] {
				continue
			}
			seen[k.Value] = true
			p := join(path, k.Value)
			if f.Type == durationType {
				if s, ok := bareSeconds(deref(v)); ok {
					deref(v).Value, deref(v).Tag = strconv.FormatInt(s, 10)+"s", "!!str"
					out = append(out, BareDuration{Key: p, Line: k.Line, Seconds: s})
				}
				continue
			}
			out = append(out, bareDurations(v, f.Type, p)...)
		}
	case t.Kind() == reflect.Slice && n.Kind == yaml.SequenceNode:
		for i, e := range n.Content {
			out = append(out, bareDurations(e, t.Elem(), fmt.Sprintf("%s[%d]", path, i))...)
		}
	}
	return out
}

// bareSeconds returns the number of seconds n, a duration's value, gives
// when it is a whole number in decimal digits above 0 without a unit (30,
// or "30" as a rule's parameter may be) and at most detect.MaxDuration;
// false otherwise (a negative or fractional number stays an error).
func bareSeconds(n *yaml.Node) (int64, bool) {
	if n.Kind != yaml.ScalarNode || strings.TrimLeft(n.Value, "0123456789") != "" {
		return 0, false
	}
	s, err := strconv.ParseInt(n.Value, 10, 64)
	if err != nil || s <= 0 || s > int64(detect.MaxDuration/time.Second) {
		return 0, false
	}
	return s, true
}

// SecondsAdvice says that the bare number n (above 0), the value of the
// duration key or parameter name, is read as n seconds and what to write
// instead: ns to keep it, or nm or nh (those at least least and at most
// most, the key's least and most value, 0 for none: detect.MaxDuration
// then; below least, n seconds is refused, and the advice says so).
func SecondsAdvice(name string, n int64, least, most time.Duration) string {
	if most == 0 {
		most = detect.MaxDuration
	}
	unit := "seconds"
	if n == 1 {
		unit = "second"
	}
	d := time.Duration(n) * time.Second
	shown := ""
	if d >= time.Minute {
		shown = " (" + d.String() + ")"
	}
	var others []string
	for _, u := range []struct {
		d    time.Duration
		name string
	}{{time.Minute, "m"}, {time.Hour, "h"}} {
		if n <= int64(most/u.d) && time.Duration(n)*u.d >= least {
			others = append(others, strconv.FormatInt(n, 10)+u.name)
		}
	}
	if d < least {
		return fmt.Sprintf("%d is read as %d %s%s, less than the least %s, %s; write %s", n, n, unit, shown, name, detect.WrittenDuration(least), strings.Join(others, " or "))
	}
	alt := ""
	if len(others) > 0 {
		alt = ", or " + strings.Join(others, " or ")
	}
	return fmt.Sprintf("%d is read as %d %s%s; write %ds to keep it%s", n, n, unit, shown, n, alt)
}
