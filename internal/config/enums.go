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
// source's format, to who writes that name's records and the format of
// the records: the formats are named by the records, not by the runtime.
var formatAliases = map[string]struct{ writer, format string }{
	"containerd": {"containerd", "cri"},
	"cri-o":      {"CRI-O", "cri"},
	"crio":       {"CRI-O", "cri"},
	"json-file":  {"Docker's json-file driver", "docker"},
	"json":       {"Docker's json-file driver", "docker"},
	"moby":       {"Docker's json-file driver", "docker"},
}

// formatRecords describes the records of each container format.
var formatRecords = map[string]string{
	"cri":    "CRI records (<time> <stream> <tag> <line>)",
	"docker": `Docker records ({"log":...,"stream":...,"time":...})`,
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
