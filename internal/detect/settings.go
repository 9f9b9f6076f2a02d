package detect

import (
	"fmt"
	"os"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Settings is the detections: block of the agent's YAML config
// (detections.md §6.7):
//
//	detections:
//	  enabled: true            # all rules; default true
//	  lateness: 2m             # watermark lateness
//	  params:                  # for every rule that reads them
//	    allowed_domains: [corp.example, example.org]
//	  rules:
//	    sentinel.ti_malicious_ip:
//	      enabled: true
//	      severity: High
//	      ti_file: /etc/gitlab-syslog/indicators.txt
//
// Under a rule, every key other than enabled and severity is a parameter.
// Parameter values are scalars or lists of scalars (a list is joined with
// commas, as --param takes it).
type Settings struct {
	// Enabled is the master switch; nil means on.
	Enabled *bool
	// Lateness is the watermark lateness (0: the default).
	Lateness time.Duration
	// Params are the global parameters.
	Params map[string]string
	// Rules are the per-rule settings by rule id.
	Rules map[string]RuleConfig
	// Lines maps "rules.<id>" and "rules.<id>.<param>" to their line in
	// the file, for errors that name file and line.
	Lines map[string]int
}

// LoadSettings reads the detections: block of the YAML config file path.
// A file without the block gives empty Settings. Errors name the file
// and line.
func LoadSettings(path string) (*Settings, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	s := &Settings{Params: map[string]string{}, Rules: map[string]RuleConfig{}, Lines: map[string]int{}}
	if len(doc.Content) == 0 {
		return s, nil
	}
	block := mapValue(doc.Content[0], "detections")
	if block == nil {
		return s, nil
	}
	if err := s.decode(block); err != nil {
		return nil, fmt.Errorf("%s:%w", path, err)
	}
	return s, nil
}

// mapValue returns the value of key in mapping node n, or nil.
func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// lineErr formats "LINE: detections.PATH: msg".
func lineErr(n *yaml.Node, path, msg string) error {
	return fmt.Errorf("%d: detections.%s: %s", n.Line, path, msg)
}

func (s *Settings) decode(block *yaml.Node) error {
	if block.Kind != yaml.MappingNode {
		return lineErr(block, "", "want a mapping")
	}
	for i := 0; i+1 < len(block.Content); i += 2 {
		k, v := block.Content[i], block.Content[i+1]
		switch k.Value {
		case "enabled":
			var on bool
			if err := v.Decode(&on); err != nil {
				return lineErr(v, "enabled", "want true or false")
			}
			s.Enabled = &on
		case "lateness":
			d, err := time.ParseDuration(v.Value)
			if err != nil || d <= 0 {
				return lineErr(v, "lateness", `want a positive duration such as "2m"`)
			}
			s.Lateness = d
		case "params":
			ps, err := decodeParams(v, "params", s.Lines)
			if err != nil {
				return err
			}
			s.Params = ps
		case "rules":
			if err := s.decodeRules(v); err != nil {
				return err
			}
		default:
			return lineErr(k, k.Value, "unknown key (want enabled, lateness, params or rules)")
		}
	}
	return nil
}

func (s *Settings) decodeRules(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return lineErr(n, "rules", "want a mapping of rule ids")
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		id, v := n.Content[i].Value, n.Content[i+1]
		s.Lines["rules."+id] = n.Content[i].Line
		var rc RuleConfig
		if v.Kind != yaml.MappingNode {
			return lineErr(v, "rules."+id, "want a mapping (enabled, severity, parameters)")
		}
		rest := &yaml.Node{Kind: yaml.MappingNode}
		for j := 0; j+1 < len(v.Content); j += 2 {
			k, x := v.Content[j], v.Content[j+1]
			switch k.Value {
			case "enabled":
				var on bool
				if err := x.Decode(&on); err != nil {
					return lineErr(x, "rules."+id+".enabled", "want true or false")
				}
				rc.Enabled = &on
			case "severity":
				if _, err := ParseSeverity(x.Value); err != nil {
					return lineErr(x, "rules."+id+".severity", err.Error())
				}
				rc.Severity = x.Value
			default:
				rest.Content = append(rest.Content, k, x)
			}
		}
		ps, err := decodeParams(rest, "rules."+id, s.Lines)
		if err != nil {
			return err
		}
		rc.Params = ps
		s.Rules[id] = rc
	}
	return nil
}

// decodeParams reads a mapping of parameter names to scalars or lists.
func decodeParams(n *yaml.Node, path string, lines map[string]int) (map[string]string, error) {
	if n.Kind != yaml.MappingNode {
		return nil, lineErr(n, path, "want a mapping of parameter names to values")
	}
	out := make(map[string]string)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		lines[path+"."+k.Value] = k.Line
		switch v.Kind {
		case yaml.ScalarNode:
			out[k.Value] = v.Value
		case yaml.SequenceNode:
			var items []string
			for _, it := range v.Content {
				if it.Kind != yaml.ScalarNode {
					return nil, lineErr(it, path+"."+k.Value, "want a list of scalars")
				}
				items = append(items, it.Value)
			}
			out[k.Value] = strings.Join(items, ",")
		default:
			return nil, lineErr(v, path+"."+k.Value, "want a scalar or a list of scalars")
		}
	}
	return out, nil
}

// Apply copies the settings into cfg: rules, global parameters (params
// already in cfg.Params, e.g. from --param, win) and lateness. With
// enabled: false every rule is off unless cfg.Only names it.
func (s *Settings) Apply(cfg *Config) {
	if cfg.Rules == nil {
		cfg.Rules = make(map[string]RuleConfig)
	}
	for id, rc := range s.Rules {
		cfg.Rules[id] = rc
	}
	if cfg.Params == nil {
		cfg.Params = make(map[string]string)
	}
	for k, v := range s.Params {
		if _, ok := cfg.Params[k]; !ok {
			cfg.Params[k] = v
		}
	}
	if s.Lateness > 0 && cfg.Lateness == 0 {
		cfg.Lateness = s.Lateness
	}
	if s.Enabled != nil && !*s.Enabled {
		cfg.Disabled = true
	}
}
