package config

import "strings"

// The values of the config's enumerated keys, canonical (lower case), in
// the order messages list them.
var (
	startAtValues       = []string{"beginning", "end"}
	forwardFormatValues = []string{"rfc5424", "rfc3164"}
	sourceTypeValues    = []string{"audit", "application", "access", "auth"}
	sourceFormatValues  = []string{"plain", "cri", "docker", "auto"}
	otherSubcompValues  = []string{"drop", "forward"}
	inputOtherValues    = []string{"forward", "drop"}
)

// formatAliases maps a runtime's or a log driver's name, given as a
// source's format, to the format of the records it writes, with what to
// say: the formats are named by the records, not by the runtime.
var formatAliases = map[string][2]string{
	"containerd": {"cri", "containerd writes CRI records (<time> <stream> <tag> <line>)"},
	"cri-o":      {"cri", "CRI-O writes CRI records (<time> <stream> <tag> <line>)"},
	"crio":       {"cri", "CRI-O writes CRI records (<time> <stream> <tag> <line>)"},
	"json-file":  {"docker", "Docker's json-file driver writes Docker records ({\"log\":...,\"stream\":...,\"time\":...})"},
	"json":       {"docker", "Docker's json-file driver writes Docker records ({\"log\":...,\"stream\":...,\"time\":...})"},
	"moby":       {"docker", "Docker's json-file driver writes Docker records ({\"log\":...,\"stream\":...,\"time\":...})"},
}

// canonical returns the value of allowed that v is in any case (after
// trimming spaces), or v unchanged when it is none of them: the flags
// take any case ("--start-at END"), and so does the file
// ("format: RFC5424", "type: Audit"); the rest of the program compares
// with the canonical value.
func canonical(v string, allowed []string) string {
	t := strings.TrimSpace(v)
	for _, a := range allowed {
		if strings.EqualFold(t, a) {
			return a
		}
	}
	return v
}

// canonicalEnums sets every enumerated value of c given in another case
// (or with spaces around it) to its canonical form, before Resolve
// derives anything from them (a source's app_name from its type, its
// start_at from the top-level one). Values that are none of the allowed
// ones are left as given, for Validate to report.
func (c *Config) canonicalEnums() {
	c.StartAt = canonical(c.StartAt, startAtValues)
	c.Forward.Format = canonical(c.Forward.Format, forwardFormatValues)
	for i := range c.Sources {
		s := &c.Sources[i]
		s.Type = canonical(s.Type, sourceTypeValues)
		s.StartAt = canonical(s.StartAt, startAtValues)
		s.Format = canonical(s.Format, sourceFormatValues)
		s.OtherSubcomponents = canonical(s.OtherSubcomponents, otherSubcompValues)
	}
	for i := range c.Inputs {
		c.Inputs[i].Other = canonical(c.Inputs[i].Other, inputOtherValues)
	}
}
