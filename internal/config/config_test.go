package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string // substrings of the error, all required
	}{
		{
			name: "unknown top-level key with suggestion",
			yaml: "state_dir: /tmp/x\nforward:\n  url: tcp://127.0.0.1:514\n\n\n\nsorces:\n  - type: audit\n",
			want: []string{`config.yaml:7: unknown key "sorces" (did you mean "sources"?)`},
		},
		{
			name: "unknown nested key names its parent",
			yaml: "forward:\n  url: tcp://127.0.0.1:514\n  facilty: local7\n",
			want: []string{`config.yaml:3: unknown key "facilty" in forward (did you mean "facility"?)`},
		},
		{
			name: "the --to flag's name as a key points to url, not to the nearest name (tls)",
			yaml: "forward:\n  to: tcp://127.0.0.1:514\n",
			want: []string{`config.yaml:2: unknown key "to" in forward (did you mean "url"? the key of the --to flag)`},
		},
		{
			name: "unknown key in a list element",
			yaml: "sources:\n  - type: audit\n    path: /a\n  - type: access\n    pth: /b\n",
			want: []string{`config.yaml:5: unknown key "pth" in sources[1] (did you mean "path"?)`},
		},
		{
			// trial 234: the known keys of the top level, not a word of forward.
			name: "keys of an empty block written unindented after it",
			yaml: "forward:\nurl: tcp://127.0.0.1:514\nmax_message_bytes: 2000\n",
			want: []string{`config.yaml:2: unknown key "url" (it is a key of forward, which is empty: indent it under forward)`, `config.yaml:3: unknown key "max_message_bytes" (it is a key of forward, which is empty: indent it under forward)`},
		},
		{
			// trial 237: the known keys of the top level, not a word of forward.
			name: "a key of the block before it written unindented after its indented keys",
			yaml: "forward:\n  url: tcp://127.0.0.1:514\nrelp_window: 2\nsources: []\nfacility: local7\n",
			want: []string{`config.yaml:3: unknown key "relp_window" (it is a key of forward: indent it under forward as the keys above it are)`, `config.yaml:5: unknown key "facility" (known keys: checkpoint_interval, detections, forward, geoip, hostname, inputs, log_dir, max_line_bytes, metrics, pipeline, sources, start_at, state_dir, streaming)`}, // a list between: see below
		},
		{
			// trial 238: a top-level key between the block and the key.
			name: "a key of a block before a scalar key",
			yaml: "forward:\n  url: tcp://127.0.0.1:514\nhostname: h1\nsd_id: foo@1234\n",
			want: []string{`config.yaml:4: unknown key "sd_id" (it is a key of forward: indent it under forward as the keys above it are)`},
		},
		{
			// trial 238: rule parameters at the top level and in the
			// detections block.
			name: "a rule parameter outside detections.params and detections.rules",
			yaml: "detections:\n  min_count: 3\n  suppress: 1h\nmax_session: 2h\n",
			want: []string{
				`config.yaml:2: unknown key "min_count" in detections (it is a parameter of sentinel.bruteforce, sentinel.repo_deletion: write it under detections.params, for every rule that reads it, or under one rule in detections.rules, indented under the rule's id)`,
				`config.yaml:3: unknown key "suppress" in detections (it is a parameter of every rule: write it under detections.params`,
				`config.yaml:4: unknown key "max_session" (it is a parameter of sentinel.impersonation: write it under detections.params`,
			},
		},
		{
			// trial 241: the block before the key is a list; the hint
			// named the block before the list (streaming).
			name: "a key of a list's items written at column 0 after the list",
			yaml: "streaming:\n  listen: 127.0.0.1:8080\nsources:\n- type: audit\n  path: /a\n- type: access\npath: /b\n",
			want: []string{`config.yaml:7: unknown key "path" (it is a key of sources[1]: indent it under sources[1] as the keys above it are)`},
		},
		{
			name: "a key the list's items do not have, after the list",
			yaml: "forward:\n  url: tcp://127.0.0.1:514\nsources:\n- type: audit\n  path: /a\nsd_id: x@1\n",
			want: []string{`config.yaml:6: unknown key "sd_id" (known keys: checkpoint_interval, detections, forward, geoip, hostname, inputs, log_dir, max_line_bytes, metrics, pipeline, sources, start_at, state_dir, streaming)`},
		},
		{
			// trial 242: an empty one-line setting between stopped the search.
			name: "a key of a block before an empty one-line setting",
			yaml: "forward:\n  url: tcp://127.0.0.1:514\nhostname:\nsd_id: x@1\n",
			want: []string{`config.yaml:4: unknown key "sd_id" (it is a key of forward: indent it under forward as the keys above it are)`},
		},
		{
			// trial 242: indenting cannot add a key to a block in braces.
			name: "a key of a block written in flow style",
			yaml: "forward: {url: \"tcp://127.0.0.1:514\"}\nsd_id: x@1\nsources: [{type: audit, path: /a}]\nformat: cri\n",
			want: []string{
				`config.yaml:2: unknown key "sd_id" (it is a key of forward, written on one line in braces: add it inside them, after a comma if they hold a key)`,
				`config.yaml:4: unknown key "format" (it is a key of sources[0], written on one line in braces: add it inside them, after a comma if they hold a key)`,
			},
		},
		{
			// trials 242 and 243: a key of a nested block (forward.tls)
			// written at column 0 got the top level's known keys.
			name: "a key of the nested block a block ends with",
			yaml: "forward:\n  url: tls://127.0.0.1:6514\n  tls:\n    ca_file: /ca.pem\nserver_name: gl.example\nsd_id: x@1\n",
			want: []string{
				`config.yaml:5: unknown key "server_name" (it is a key of forward.tls: indent it under forward.tls as the keys above it are)`,
				`config.yaml:6: unknown key "sd_id" (it is a key of forward: indent it under forward as the keys above it are)`,
			},
		},
		{
			// trial 243: the key after a block given by an alias.
			name: "a key of a block written as an alias",
			yaml: "x-tls: &tls\n  server_name: gl\nsources:\n  - &src\n    type: audit\n    path: /a\n  - *src\nformat: cri\nforward:\n  url: tcp://127.0.0.1:514\n  tls: *tls\nca_file: /ca.pem\n",
			want: []string{
				`config.yaml:8: unknown key "format" (it is a key of sources[1], which is written as the alias *src: add it where &src is defined, or write sources[1] out in full)`,
				`config.yaml:12: unknown key "ca_file" (it is a key of forward.tls, which is written as the alias *tls: add it where &tls is defined, or write forward.tls out in full)`,
			},
		},
		{
			name: "a key of an empty nested block",
			yaml: "forward:\n  url: tls://127.0.0.1:6514\n  tls:\nca_file: /ca.pem\n",
			want: []string{`config.yaml:4: unknown key "ca_file" (it is a key of forward.tls, which is empty: indent it under forward.tls)`},
		},
		{
			// trial 243: the hint named the block before the empty list.
			name: "a key after an empty list",
			yaml: "streaming:\n  listen: 127.0.0.1:8080\nsources:\npath: /a\n",
			want: []string{`config.yaml:4: unknown key "path" (known keys: checkpoint_interval, detections, forward, geoip, hostname, inputs, log_dir, max_line_bytes, metrics, pipeline, sources, start_at, state_dir, streaming)`},
		},
		{
			name: "a key the block before it already holds",
			yaml: "forward:\n  url: tcp://127.0.0.1:514\nurl: tcp://127.0.0.1:515\n",
			want: []string{`config.yaml:3: unknown key "url" (known keys: checkpoint_interval, detections, forward, geoip, hostname, inputs, log_dir, max_line_bytes, metrics, pipeline, sources, start_at, state_dir, streaming)`},
		},
		{
			// trial 246: a top-level block indented under another.
			name: "a top-level key indented under a block",
			yaml: "forward:\n  url: tcp://127.0.0.1:514\n  inputs:\n    - listen: tcp://127.0.0.1:6514\nsources:\n  - type: audit\n    path: /a\n    detections:\n      enabled: false\n",
			want: []string{
				`config.yaml:3: unknown key "inputs" in forward (it is a top-level key: write it at column 0, not indented under forward)`,
				`config.yaml:8: unknown key "detections" in sources[0] (it is a top-level key: write it at column 0, not indented under sources[0])`,
			},
		},
		{
			// trial 248: a key of forward indented under forward.tls.
			name: "a key of a block indented under a block inside it",
			yaml: "forward:\n  url: tls://127.0.0.1:6514\n  tls:\n    ca_file: /ca.pem\n    facility: local5\n    hostname: h\n",
			want: []string{
				`config.yaml:5: unknown key "facility" in forward.tls (it is a key of forward: write it with the keys of forward, not indented under tls)`,
				`config.yaml:6: unknown key "hostname" in forward.tls (it is a top-level key: write it at column 0, not indented under forward.tls)`,
			},
		},
		{
			// trial 248: tls's keys written directly under an input.
			name: "a key of a block inside the block, without that block",
			yaml: "inputs:\n  - listen: tls://127.0.0.1:6514\n    cert_file: /c.pem\n",
			want: []string{`config.yaml:3: unknown key "cert_file" in inputs[0] (it is a key of inputs[0].tls: write it under tls:, indented)`},
		},
		{
			name: "far-off key lists the known keys",
			yaml: "metrics:\n  zzzzzzzz: 1\n",
			want: []string{`config.yaml:2: unknown key "zzzzzzzz" in metrics (known keys: listen)`},
		},
		{
			name: "far-off key in a composed block lists the component's keys with the block's own",
			yaml: "forward:\n  zzzzzzzz: 1\n",
			want: []string{`config.yaml:2: unknown key "zzzzzzzz" in forward (known keys: facility, format, max_message_bytes, max_stream_message_bytes, queue_size, relp_window, sd_id, structured_data, tls, url)`},
		},
		{
			name: "a typo of a composed top-level key is suggested",
			yaml: "max_lin_bytes: 1MiB\ncheckpoint_intervall: 1s\n",
			want: []string{`config.yaml:1: unknown key "max_lin_bytes" (did you mean "max_line_bytes"?)`, `config.yaml:2: unknown key "checkpoint_intervall" (did you mean "checkpoint_interval"?)`},
		},
		{
			name: "a field of a component that is not configurable is an unknown key",
			yaml: "forward:\n  dial_timeout: 5s\ndetections:\n  max_recent: 5\n",
			want: []string{`config.yaml:2: unknown key "dial_timeout" in forward`, `config.yaml:4: unknown key "max_recent" in detections`},
		},
		{
			name: "two unknown keys are both reported",
			yaml: "sorces: []\nforwad: {}\n",
			want: []string{`config.yaml:1: unknown key "sorces"`, `config.yaml:2: unknown key "forwad"`},
		},
		{
			name: "wrong type",
			yaml: "max_line_bytes: lots\n",
			want: []string{`config.yaml:1: max_line_bytes: want a number of bytes (e.g. 1048576 or 1MiB), got "lots"`},
		},
		{
			name: "syntax error",
			yaml: "forward:\n  url: [tcp\n",
			want: []string{"config.yaml:"},
		},
		{
			name: "not a mapping",
			yaml: "- a\n- b\n",
			want: []string{"config.yaml:1: the configuration must be a mapping"},
		},
		{
			name: "duplicate key",
			yaml: "hostname: a\nhostname: b\n",
			want: []string{"config.yaml:2:", `"hostname" already defined at line 1`},
		},
		{
			name: "tab indenting a nested key: the line of the tab",
			yaml: "state_dir: /s\nforward:\n  url: tcp://h:514\n\tfacility: local7\n",
			want: []string{"config.yaml:4: found a tab character that violates indentation (YAML indents with spaces only: replace the tab)"},
		},
		{
			name: "tab indenting a top-level key",
			yaml: "state_dir: /s\n\tforward: {}\n",
			want: []string{"config.yaml:2: found a tab character that violates indentation (YAML indents with spaces only"},
		},
		{
			name: "a Kubernetes manifest",
			yaml: "# comment\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: gitlab-syslog\ndata:\n  config.yaml: |\n    state_dir: /s\n",
			want: []string{"config.yaml:3: this is a Kubernetes manifest (kind: ConfigMap), not a gitlab-syslog configuration; the configuration is the text under a ConfigMap's data key config.yaml: write it to a file and check that (yq '.data.\"config.yaml\"' config.yaml > config.yaml, or from the cluster: kubectl get configmap gitlab-syslog -o jsonpath='{.data.config\\.yaml}' > config.yaml)"},
		},
		{
			name: "a Kubernetes manifest of another kind",
			yaml: "apiVersion: apps/v1\nkind: DaemonSet\nspec: {}\n",
			want: []string{"config.yaml:2: this is a Kubernetes manifest (kind: DaemonSet), not a gitlab-syslog configuration; check the configuration text of the ConfigMap the agent mounts (its data key config.yaml)"},
		},
		{
			name: "second document",
			yaml: "hostname: a\n---\nhostname: b\n",
			want: []string{"config.yaml:2: a second YAML document"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml), "config.yaml")
			if err == nil {
				t.Fatalf("Parse accepted:\n%s", tt.yaml)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%v\ndoes not contain\n%s", err, w)
				}
			}
		})
	}
}

// TestFacilityForms: forward.facility takes what the forwarder (and the
// send command) take: every RFC 5424 keyword in any case, and 0-23.
func TestFacilityForms(t *testing.T) {
	for _, f := range []string{"local7", "LOCAL3", "ntp", "audit", "authpriv", "0", "23"} {
		c, err := Parse([]byte("state_dir: /s\nforward:\n  facility: "+f+"\n"), "config.yaml")
		if err != nil {
			t.Fatalf("%s: Parse: %v", f, err)
		}
		c.LogDir = t.TempDir()
		if _, err := c.Resolve(); err != nil {
			t.Fatalf("%s: Resolve: %v", f, err)
		}
		if err := c.Validate(); err != nil {
			t.Errorf("facility %q: %v", f, err)
		}
	}
}

func TestValidateErrors(t *testing.T) {
	wd, err := os.Getwd() // relative paths resolve against it (fresh-user trial 57: one was said to be "through a symbolic link")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, yaml string
		want       string
	}{
		{"bad scheme", "state_dir: /s\nforward:\n  url: http://x:1\n", `config.yaml:3: forward.url: unsupported scheme in "http://x:1"`},
		{"scheme typo", "state_dir: /s\nforward:\n  url: relpp://x:2514\n", `config.yaml:3: forward.url: unsupported scheme in "relpp://x:2514" (want udp://, tcp://, tls://, unix://, unixgram://, relp://, relp+tls:// or stdout://) (did you mean "relp://x:2514"?)`},
		{"stdout typo", "state_dir: /s\nforward:\n  url: sdtout\n", `config.yaml:3: forward.url: unsupported scheme in "sdtout" (want udp://, tcp://, tls://, unix://, unixgram://, relp://, relp+tls:// or stdout://) (did you mean "stdout"?)`},
		{"no host", "state_dir: /s\nforward:\n  url: tcp://:514\n", `config.yaml:3: forward.url: "tcp://:514" has no host`},
		{"one slash", "state_dir: /s\nforward:\n  url: tcp:/127.0.0.1:25600\n", `config.yaml:3: forward.url: "tcp:/127.0.0.1:25600" has no host (e.g. tcp://127.0.0.1:25600)`},
		{"user and password", "state_dir: /s\nforward:\n  url: tcp://siem:s3cret@h:514\n", `config.yaml:3: forward.url: "tcp://siem:xxxxx@h:514": a syslog destination takes no user or password; remove the part before @`},
		{"brace in host", "state_dir: /s\nforward:\n  url: tcp://{addr}:514\n", `config.yaml:3: forward.url: "tcp://{addr}:514": invalid character "{" in host name; write SCHEME://HOST:PORT, e.g. tcp://127.0.0.1:514`},
		{"port name", "state_dir: /s\nforward:\n  url: tcp://h:syslog\n", `config.yaml:3: forward.url: "tcp://h:syslog": invalid port ":syslog" after host; write SCHEME://HOST:PORT, e.g. tcp://127.0.0.1:514`},
		{"bad port", "state_dir: /s\nforward:\n  url: tcp://h:99999\n", `config.yaml:3: forward.url: "tcp://h:99999": port "99999" is not a number from 1 to 65535`},
		{"too many colons", "state_dir: /s\nforward:\n  url: udp://127.0.0.1:5591:9\n", `config.yaml:3: forward.url: "udp://127.0.0.1:5591:9": "127.0.0.1:5591:9" is not host:port (too many colons in address): write one host and one port, e.g. udp://127.0.0.1:514; an IPv6 address goes in brackets, e.g. udp://[::1]:514`},
		{"IPv6 without brackets", "state_dir: /s\nforward:\n  url: tcp://::1:514\n", `config.yaml:3: forward.url: "tcp://::1:514": "::1:514" is not host:port (too many colons in address): write one host and one port, e.g. tcp://127.0.0.1:514; an IPv6 address goes in brackets, e.g. tcp://[::1]:514`},
		{"IPv6 without brackets, relp", "state_dir: /s\nforward:\n  url: relp://fe80::1:2514\n", `config.yaml:3: forward.url: "relp://fe80::1:2514": "fe80::1:2514" is not host:port (too many colons in address): write one host and one port, e.g. relp://127.0.0.1:2514; an IPv6 address goes in brackets, e.g. relp://[::1]:2514`},
		{"compressed source", "state_dir: /s\nsources:\n  - type: audit\n    path: /var/log/gitlab/gitlab-rails/audit_json.log.1.gz\n",
			`config.yaml:4: sources[0].path: /var/log/gitlab/gitlab-rails/audit_json.log.1.gz is named as a compressed file (.gz): the agent follows live, plain log files; to send a rotated, compressed log once, use gitlab-syslog send /var/log/gitlab/gitlab-rails/audit_json.log.1.gz`},
		{"stdout with a host", "state_dir: /s\nforward:\n  url: stdout://localhost\n", `config.yaml:3: forward.url: "stdout://localhost": stdout:// takes no host, path or options (write stdout://, stdout or -)`},
		{"STDOUT with a host", "state_dir: /s\nforward:\n  url: STDOUT://localhost\n", `config.yaml:3: forward.url: "STDOUT://localhost": stdout:// takes no host, path or options (write stdout://, stdout or -)`},
		{"mistyped option", "state_dir: /s\nforward:\n  url: tcp://h:514?frameing=lf\n", `config.yaml:3: forward.url: "tcp://h:514?frameing=lf": unknown option "frameing" (tcp:// and tls:// take ?framing=octet or lf;`},
		{"bad framing", "state_dir: /s\nforward:\n  url: tls://h:6514?framing=crlf\n", `config.yaml:3: forward.url: "tls://h:6514?framing=crlf": unknown framing "crlf" (want octet or lf)`},
		{"framing on udp", "state_dir: /s\nforward:\n  url: udp://h:514?framing=lf\n", `config.yaml:3: forward.url: "udp://h:514?framing=lf": unknown option "framing"`},
		{"bad socket type", "state_dir: /s\nforward:\n  url: unix:///dev/log?type=seqpacket\n", `config.yaml:3: forward.url: "unix:///dev/log?type=seqpacket": unknown socket type "seqpacket" (want dgram or stream)`},
		{"tls on tcp", "state_dir: /s\nforward:\n  url: tcp://h:1\n  tls:\n    ca_file: /ca\n", "config.yaml:4: forward.tls: is set but forward.url (tcp://h:1) is not a tls:// or relp+tls:// URL"},
		{"tls on relp", "state_dir: /s\nforward:\n  url: relp://h:2514\n  tls:\n    ca_file: /ca\n", "config.yaml:4: forward.tls: is set but forward.url (relp://h:2514) is not a tls:// or relp+tls:// URL"},
		{"relp without port", "state_dir: /s\nforward:\n  url: relp+tls://h\n", `config.yaml:3: forward.url: "relp+tls://h" has no port (RELP has no standard port; e.g. relp+tls://127.0.0.1:2514)`},
		{"relp window", "state_dir: /s\nforward:\n  url: relp://h:2514\n  relp_window: -1\n", `config.yaml:4: forward.relp_window: must not be negative`},
		{"facility", "state_dir: /s\nforward:\n  facility: local9\n", `config.yaml:3: forward.facility: unknown facility "local9"`},
		{"facility number", "state_dir: /s\nforward:\n  facility: 24\n", `config.yaml:3: forward.facility: unknown facility "24"`},
		{"facility typo", "state_dir: /s\nforward:\n  facility: locl7\n", `config.yaml:3: forward.facility: unknown facility "locl7" (want kern, user, ..., local0 ... local7, or 0-23) (did you mean "local7"?)`},
		{"format", "state_dir: /s\nforward:\n  format: json\n", `config.yaml:3: forward.format: "json" is not one of rfc5424, rfc3164`},
		{"sd_id", "state_dir: /s\nforward:\n  sd_id: gitlab@abc\n", "after @ comes a private enterprise number"},
		{"sd_id without @", "state_dir: /s\nforward:\n  sd_id: gitlab\n", `config.yaml:3: forward.sd_id: "gitlab" has no @: an SD-ID without @ must be registered with IANA (RFC 5424 §6.3.2), and a private one is name@<private enterprise number>; give name@<your private enterprise number>, e.g. gitlab@32473`},
		{"sd_id IANA-registered", "state_dir: /s\nforward:\n  sd_id: origin\n", `config.yaml:3: forward.sd_id: "origin" is an SD-ID registered with IANA, whose parameters RFC 5424 §7 defines: it cannot carry the columns; give name@<your private enterprise number>, e.g. gitlab@32473`},
		{"sd_id empty name", "state_dir: /s\nforward:\n  sd_id: \"@32473\"\n", `forward.sd_id: "@32473": empty name before @; give name@`},
		{"max_message_bytes tiny", "state_dir: /s\nforward:\n  url: udp://h:514\n  max_message_bytes: 10\n", "config.yaml:4: forward.max_message_bytes: 10 is below 480, the message size RFC 5424 §6.1 requires every receiver to accept (and RFC 5426 §3.2's limit for IPv4 UDP when the path MTU is unknown); a longer message is cut to it (STRUCTURED-DATA dropped first when that lets MSG go whole, else MSG cut) and counted, so the header alone would not fit: give 480 to 65507 bytes, or 0 (or leave it out) for the default 8192"},
		{"max_message_bytes negative", "state_dir: /s\nforward:\n  url: udp://h:514\n  max_message_bytes: -5\n",
			"config.yaml:4: forward.max_message_bytes: -5 is negative: it is the largest datagram sent to udp:// and unix datagram destinations; give 480 to 65507 bytes, or 0 (or leave it out) for the default 8192 (at least 480, the message size RFC 5424 §6.1 requires every receiver to accept)"},
		{"max_message_bytes negative with unit", "state_dir: /s\nforward:\n  max_message_bytes: -1KiB\n", "config.yaml:3: forward.max_message_bytes: -1024 is negative: "},
		{"max_message_bytes over UDP's limit", "state_dir: /s\nforward:\n  url: udp://h:514\n  max_message_bytes: 65508\n",
			"config.yaml:4: forward.max_message_bytes: 65508 is over 65507, the largest UDP payload (65535 bytes less the 8-byte UDP and 20-byte IPv4 headers): the system refuses a longer datagram instead of sending it; give 480 to 65507 bytes, or 0 (or leave it out) for the default 8192 (RFC 5424 §6.1: a receiver need accept only 480 octets, should accept 2048, and a longer message may be cut by it)"},
		{"max_message_bytes huge", "state_dir: /s\nforward:\n  max_message_bytes: 10GiB\n", "config.yaml:3: forward.max_message_bytes: 10737418240 is over 65507, the largest UDP payload"},
		{"max_message_bytes 479", "state_dir: /s\nforward:\n  max_message_bytes: 479\n", "config.yaml:3: forward.max_message_bytes: 479 is below 480"},
		{"max_stream_message_bytes tiny", "state_dir: /s\nforward:\n  max_stream_message_bytes: 1KiB\n",
			"config.yaml:3: forward.max_stream_message_bytes: 1024 is out of range: it is the longest message sent whole to tcp://, tls://, relp:// and stream unix:// destinations, the message size limit of the collector (rsyslog's maxMessageSize, syslog-ng's log-msg-size); give 2048 (2KiB, RFC 5424 §6.1's size a receiver should accept) to 2147483648 bytes (2GiB), or 0 (or leave it out) for the default 4194304 (4MiB)"},
		{"max_stream_message_bytes negative", "state_dir: /s\nforward:\n  max_stream_message_bytes: -1\n", "config.yaml:3: forward.max_stream_message_bytes: -1 is out of range"},
		{"start_at", "state_dir: /s\nstart_at: middle\n", `config.yaml:2: start_at: "middle" is not one of beginning, end`},
		{"source type", "state_dir: /s\nsources:\n  - type: auditt\n    path: /a\n", `config.yaml:3: sources[0].type: "auditt" is not one of audit, application, access, auth (did you mean "audit"?)`},
		{"source type typo far off", "state_dir: /s\nsources:\n  - type: aplication_json\n    path: /a\n  - {type: audit, path: /a}\n", `config.yaml:3: sources[0].type: "aplication_json" is not one of audit, application, access, auth` + "\n"},
		{"source type case and typo", "state_dir: /s\nsources:\n  - type: Acces\n    path: /a\n", `config.yaml:3: sources[0].type: "Acces" is not one of audit, application, access, auth (did you mean "access"?)`},
		{"source type applicaton", "state_dir: /s\nsources:\n  - type: applicaton\n    path: /a\n", `(did you mean "application"?)`},
		{"source format typo", "state_dir: /s\nsources:\n  - type: audit\n    format: dokcer\n    path: /a\n", `config.yaml:4: sources[0].format: "dokcer" is not one of plain, cri, docker, auto (did you mean "docker"?)`},
		// The runtime's name for its records' format (fresh-user trial 72).
		{"source format containerd", "state_dir: /s\nsources:\n  - format: containerd\n    path: /a\n", `config.yaml:3: sources[0].format: "containerd" is not one of plain, cri, docker, auto: the format names the records, not the runtime; containerd writes CRI records (<time> <stream> <tag> <line>): write format: cri (or auto)`},
		{"source format CRI-O", "state_dir: /s\nsources:\n  - format: CRI-O\n    path: /a\n", `"CRI-O" is not one of plain, cri, docker, auto: the format names the records, not the runtime; CRI-O writes CRI records (<time> <stream> <tag> <line>): write format: cri (or auto)`},
		{"source format json-file", "state_dir: /s\nsources:\n  - format: json-file\n    path: /a\n", `"json-file" is not one of plain, cri, docker, auto: the format names the records, not the runtime; Docker's json-file driver writes Docker records ({"log":...,"stream":...,"time":...}): write format: docker (or auto)`},
		{"source path missing", "state_dir: /s\nsources:\n  - type: audit\n", "sources[0]: path is missing"},
		{"duplicate path", "state_dir: /s\nsources:\n  - {type: audit, path: /a}\n  - {type: access, path: /a}\n", "sources[1].path: /a is already followed by sources[0]"},
		{"duplicate path written another way", "state_dir: /s\nsources:\n  - {type: audit, path: /a}\n  - {type: access, path: //a}\n", "sources[1].path: //a is the file of sources[0] (/a) written another way"},
		{"duplicate path relative", "state_dir: /s\nsources:\n  - {type: audit, path: " + wd + "/testdata/x.log}\n  - {type: access, path: testdata/x.log}\n",
			"sources[1].path: testdata/x.log is the file of sources[0] (" + wd + "/testdata/x.log) written another way"},
		{"app_name with space", "state_dir: /s\nsources:\n  - {type: audit, path: /a, app_name: GitLab Audit}\n", "sources[0].app_name: \"GitLab Audit\" has a space"},
		{"empty sources", "state_dir: /s\nsources: []\n", "sources: no sources"},
		{"checkpoint interval", "state_dir: /s\ncheckpoint_interval: 1ms\n", "config.yaml:2: checkpoint_interval: 1ms is too short"},
		{"checkpoint interval negative", "state_dir: /s\ncheckpoint_interval: -5s\n", "config.yaml:2: checkpoint_interval: -5s is negative: give how often checkpoints are saved, at least 10ms"},
		{"metrics listen", "state_dir: /s\nmetrics:\n  listen: 9469\n", `config.yaml:3: metrics.listen: "9469" is not host:port`},
		// A port alone: the host is missing, not the port (trial 208: "missing port in address").
		{"streaming listen a port alone", "state_dir: /s\nstreaming:\n  listen: 8443\n  tokens: [t]\n", `config.yaml:3: streaming.listen: "8443" is not host:port: a port alone; write :8443 for every interface, or 127.0.0.1:8443 for this host only`},
		{"metrics listen a URL", "state_dir: /s\nmetrics:\n  listen: http://127.0.0.1:9469\n", `config.yaml:3: metrics.listen: "http://127.0.0.1:9469" is a URL: want host:port only, here 127.0.0.1:9469`},
		{"streaming listen a URL", "state_dir: /s\nstreaming:\n  listen: https://127.0.0.1:8443/gitlab/audit\n  tokens: [t]\n", `config.yaml:3: streaming.listen: "https://127.0.0.1:8443/gitlab/audit" is a URL: want host:port only, here 127.0.0.1:8443 (TLS is turned on by cert_file and key_file; the URL path is streaming.path, here path: /gitlab/audit)`},
		{"metrics on the streaming port", "state_dir: /s\nmetrics:\n  listen: 127.0.0.1:8080\nstreaming:\n  listen: 127.0.0.1:8080\n  tokens: [t]\n", `config.yaml:3: metrics.listen: "127.0.0.1:8080" and streaming.listen "127.0.0.1:8080" are the same port`},
		{"metrics on all interfaces, streaming port", "state_dir: /s\nmetrics:\n  listen: 0.0.0.0:8080\nstreaming:\n  listen: 127.0.0.1:8080\n  tokens: [t]\n", `metrics.listen: "0.0.0.0:8080" and streaming.listen "127.0.0.1:8080" are the same port`},
		{"streaming on all interfaces, metrics port", "state_dir: /s\nmetrics:\n  listen: localhost:9469\nstreaming:\n  listen: :9469\n  tokens: [t]\n", `metrics.listen: "localhost:9469" and streaming.listen ":9469" are the same port`},
		{"streaming token", "state_dir: /s\nstreaming:\n  listen: 127.0.0.1:8080\n", "config.yaml:2: streaming: tokens, token_file or token_env is required"},
		{"negative workers", "state_dir: /s\npipeline:\n  workers: -1\n", "config.yaml:3: pipeline.workers: must be between 0"},
		{"too many workers", "state_dir: /s\npipeline:\n  workers: 1000\n", "config.yaml:3: pipeline.workers: must be between 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.yaml), "config.yaml")
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			c.LogDir = t.TempDir()
			if _, err := c.Resolve(); err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			err = c.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate() = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestFullConfig(t *testing.T) {
	y := `
state_dir: /var/lib/x
hostname: gitlab-01
start_at: end
max_line_bytes: 65536
checkpoint_interval: 250ms
forward:
  url: tls://siem.example.com:6514
  tls: {ca_file: /ca.pem, cert_file: /c.pem, key_file: /k.pem, server_name: siem}
  facility: local6
  sd_id: gl@1
  structured_data: false
  format: rfc3164
  queue_size: 64
sources:
  - type: audit
    path: /logs/audit_json.log
  - type: access
    path: /logs/gitlab_access.log
    app_name: Custom-Access
    start_at: beginning
  - type: auth
    path: /logs/auth_json.log
metrics: {listen: 127.0.0.1:9469}
streaming: {listen: "127.0.0.1:8080", tokens: [secret], dedupe_window: 36h}
geoip: {city_db: /c.mmdb, asn_db: /a.mmdb}
pipeline: {workers: 3}
`
	c, err := Parse([]byte(y), "full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Resolve(); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	checks := []struct{ got, want any }{
		{c.StateDir, "/var/lib/x"},
		{c.Hostname, "gitlab-01"},
		{c.Forward.SendStructuredData(), false},
		{c.Forward.TLS.ServerName, "siem"},
		{c.Sources[0].AppName, AppNameAudit},
		{c.Sources[0].StartAt, "end"},
		{c.Sources[1].AppName, "Custom-Access"},
		{c.Sources[1].StartAt, "beginning"},
		{c.Sources[2].Type, "auth"},
		{c.Sources[2].AppName, AppNameAuth},
		{c.Streaming.Path, "/gitlab/audit"},
		{c.Streaming.SpoolPath(), "/var/lib/x/streaming/events.log"},
		{c.Streaming.DedupeWindow, 36 * time.Hour},
		{c.GeoIP.ASNDB, "/a.mmdb"},
		{c.Pipeline.Workers, 3},
		{c.Tailer.CheckpointInterval, 250 * time.Millisecond},
		{c.Line("forward.tls"), 9},
		{c.Line("sources[1].app_name"), 20},
	}
	for i, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("check %d: got %v, want %v", i, ch.got, ch.want)
		}
	}
}

func TestDefaultSources(t *testing.T) {
	touch := func(t *testing.T, p string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("omnibus layout without application.log and auth logs", func(t *testing.T) {
		dir := t.TempDir()
		touch(t, filepath.Join(dir, "gitlab-rails", "audit_json.log"))
		c := &Config{LogDir: dir, StateDir: "/s"}
		r, err := c.Resolve()
		if err != nil {
			t.Fatal(err)
		}
		// auth_json.log is followed although absent: GitLab creates it at
		// the first Rack::Attack event, and the tailer waits for it.
		want := []Source{
			{"audit", filepath.Join(dir, "gitlab-rails/audit_json.log"), AppNameAudit, "beginning", "plain", "drop", "", ""},
			{"application", filepath.Join(dir, "gitlab-rails/application_json.log"), AppNameApplication, "beginning", "plain", "drop", "", ""},
			{"access", filepath.Join(dir, "nginx/gitlab_access.log"), AppNameAccess, "beginning", "plain", "drop", "", ""},
			{"auth", filepath.Join(dir, "gitlab-rails/auth_json.log"), AppNameAuth, "beginning", "plain", "drop", "", ""},
		}
		if !equalSources(c.Sources, want) {
			t.Errorf("sources = %+v, want %+v", c.Sources, want)
		}
		wantSkipped := []string{filepath.Join(dir, "gitlab-rails/application.log"), filepath.Join(dir, "gitlab-rails/auth.log")}
		if got := absentPaths(r.Skipped); !r.DefaultSources || !slices.Equal(got, wantSkipped) {
			t.Errorf("resolved = %+v, want Skipped %q", r, wantSkipped)
		}
		for _, a := range r.Skipped {
			if a.Note == "" {
				t.Errorf("no Note for %s", a.Path)
			}
		}
	})
	t.Run("omnibus layout with auth.log", func(t *testing.T) {
		dir := t.TempDir()
		touch(t, filepath.Join(dir, "gitlab-rails", "auth.log"))
		c := &Config{LogDir: dir, StateDir: "/s"}
		r, err := c.Resolve()
		if err != nil {
			t.Fatal(err)
		}
		last := c.Sources[len(c.Sources)-1]
		if want := (Source{"auth", filepath.Join(dir, "gitlab-rails/auth.log"), AppNameAuth, "beginning", "plain", "drop", "", ""}); last != want {
			t.Errorf("last source = %+v, want %+v", last, want)
		}
		if len(r.Skipped) != 1 || filepath.Base(r.Skipped[0].Path) != "application.log" {
			t.Errorf("skipped = %q", r.Skipped)
		}
	})
	t.Run("flat layout", func(t *testing.T) {
		dir := t.TempDir()
		for _, n := range []string{"audit_json.log", "application_json.log", "application.log", "gitlab_access.log", "auth_json.log", "auth.log"} {
			touch(t, filepath.Join(dir, n))
		}
		c := &Config{LogDir: dir, StateDir: "/s"}
		if _, err := c.Resolve(); err != nil {
			t.Fatal(err)
		}
		if len(c.Sources) != 6 {
			t.Fatalf("sources = %+v", c.Sources)
		}
		for i, n := range []string{"auth_json.log", "auth.log"} {
			if s := c.Sources[4+i]; s.Path != filepath.Join(dir, n) || s.Type != "auth" || s.AppName != AppNameAuth {
				t.Errorf("%s source = %+v", n, s)
			}
		}
		for _, s := range c.Sources {
			if filepath.Dir(s.Path) != dir {
				t.Errorf("%s: not in the flat dir", s.Path)
			}
		}
		if c.Sources[2].Path != filepath.Join(dir, "application.log") || c.Sources[2].Type != "application" {
			t.Errorf("application.log source = %+v", c.Sources[2])
		}
	})
}

func equalSources(a, b []Source) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestStateDirFallback(t *testing.T) {
	if os.Getuid() == 0 {
		// root can write /var/lib; test the env override instead.
		t.Setenv("STATE_DIRECTORY", "/var/lib/gitlab-syslog:/other")
		c := &Config{LogDir: t.TempDir()}
		r, err := c.Resolve()
		if err != nil {
			t.Fatal(err)
		}
		if c.StateDir != "/var/lib/gitlab-syslog" || !strings.Contains(r.StateDirNote, "STATE_DIRECTORY") {
			t.Errorf("state_dir = %q (%s)", c.StateDir, r.StateDirNote)
		}
		return
	}
	t.Setenv("STATE_DIRECTORY", "")
	t.Setenv("XDG_STATE_HOME", "/xdg")
	c := &Config{LogDir: t.TempDir()}
	r, err := c.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	if c.StateDir != "/xdg/gitlab-syslog" || !strings.Contains(r.StateDirNote, "not writable") {
		t.Errorf("state_dir = %q (%s)", c.StateDir, r.StateDirNote)
	}
}

func TestWritable(t *testing.T) {
	dir := t.TempDir()
	if err := writable(filepath.Join(dir, "a", "b")); err != nil {
		t.Errorf("creatable dir: %v", err)
	}
	f := filepath.Join(dir, "file")
	if err := os.WriteFile(f, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := writable(filepath.Join(f, "sub")); err == nil {
		t.Error("a path under a regular file was called writable")
	}
}

func TestEmptyFileMeansDefaults(t *testing.T) {
	c, err := Parse([]byte("# nothing\n"), "empty.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c.StateDir = "/s"
	c.LogDir = t.TempDir()
	if _, err := c.Resolve(); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Forward.URL != DefaultURL || c.Forward.Facility != "local7" || len(c.Sources) != 4 {
		t.Errorf("defaults not applied: %+v", c)
	}
}

func TestLazyNote(t *testing.T) {
	for _, tc := range []struct {
		path string
		lazy bool
	}{
		{"/var/log/gitlab/gitlab-rails/auth_json.log", true},
		{"/var/log/gitlab/auth_json.log", true}, // flat layout
		{"/var/log/gitlab/gitlab-rails/audit_json.log", false},
		{"/var/log/gitlab/gitlab-rails/auth.log", false},
		{"/elsewhere/auth_json.log", true}, // a source's path, without log_dir (trial 30, F9)
		{"gitlab-rails/auth_json.log", true},
		{"/var/log/gitlab/gitlab-rails/auth_json.log.1", false},
	} {
		if got := LazyNote(tc.path) != ""; got != tc.lazy {
			t.Errorf("LazyNote(%q) set = %v, want %v", tc.path, got, tc.lazy)
		}
	}
}

// The streaming block is the receiver's own configuration
// (streaming.Config): its keys decode into it, nested ones included, and
// the receiver fields without a yaml key (logger, spool_max_bytes,
// dedupe_max_ids) are unknown keys in the file.
func TestStreamingBlockIsReceiverConfig(t *testing.T) {
	c, err := Parse([]byte("streaming:\n  listen: 127.0.0.1:8080\n  tls: {cert_file: c.pem, key_file: k.pem}\n  max_body: 2MiB\n  tokens: [abcdefghijklmnop]\n"), "config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if s := c.Streaming; s.Listen != "127.0.0.1:8080" || s.TLS.CertFile != "c.pem" || s.TLS.KeyFile != "k.pem" || s.MaxBody != 2<<20 || len(s.Tokens) != 1 {
		t.Errorf("streaming block decoded as %+v", s)
	}
	if n := c.Line("streaming.tls.cert_file"); n != 3 {
		t.Errorf("line of streaming.tls.cert_file = %d, want 3", n)
	}
	for _, key := range []string{"logger", "spool_max_bytes", "dedupe_max_ids"} {
		_, err := Parse([]byte("streaming:\n  "+key+": 1\n"), "config.yaml")
		if err == nil || !strings.Contains(err.Error(), "config.yaml:2: unknown key") {
			t.Errorf("streaming.%s: err = %v, want an unknown key on line 2", key, err)
		}
	}
}

// TestSourceFormat: format and other_subcomponents default to plain and
// drop; type may be left out only with a container format; a path may be
// a glob and a bad one is reported.
func TestSourceFormat(t *testing.T) {
	tests := []struct {
		name, yaml, wantErr string
	}{
		{"cri glob without type", "sources:\n  - path: /var/log/containers/*gitlab-webservice*.log\n    format: cri\n", ""},
		{"docker with type", "sources:\n  - path: /var/log/containers/*ingress*.log\n    format: docker\n    type: access\n", ""},
		{"auto forward", "sources:\n  - path: /x/*.log\n    format: auto\n    other_subcomponents: forward\n", ""},
		{"plain without type", "sources:\n  - path: /x/a.log\n", "sources[0]: type is missing"},
		{"plain without type, named", "sources:\n  - path: /x/audit_json.log\n", "sources[0]: type is missing (want audit, application, access or auth; it may be left out only with format cri, docker or auto); audit_json.log is audit: add type: audit"},
		{"bad format", "sources:\n  - path: /x/a.log\n    type: audit\n    format: json\n", `sources[0].format: `},
		{"bad other", "sources:\n  - path: /x/a.log\n    format: cri\n    other_subcomponents: keep\n", `sources[0].other_subcomponents: `},
		{"bad glob", "sources:\n  - path: /x/[a.log\n    type: audit\n", `sources[0].path: /x/[a.log is not a valid glob`},
		// filepath.Match(p, "") stops before the bad class: these passed
		// validation and failed when the agent listed the files.
		{"bad glob after a star", "sources:\n  - path: /x/*[.log\n    format: cri\n", `config.yaml:3: sources[0].path: /x/*[.log is not a valid glob (syntax error in pattern)`},
		{"bad glob in a directory", "sources:\n  - path: /x/*[a/*.log\n    format: cri\n", `config.yaml:3: sources[0].path: /x/*[a/*.log is not a valid glob`},
		{"trailing backslash", "sources:\n  - path: /x/*\\\n    format: cri\n", `sources[0].path: /x/*\ is not a valid glob`},
		// logrotate's extension, as its config has it (trials 64 and 65).
		{"extension", "sources:\n  - path: /x/*.log\n    format: cri\n    extension: .log\n", ""},
		{"extension without its dot", "sources:\n  - path: /x/a.log\n    type: audit\n    extension: log\n", `config.yaml:5: sources[0].extension: "log" is not an extension: write logrotate's extension as its config has it, with its dot (.log)`},
		{"extension the name lacks", "sources:\n  - path: /x/a.log\n    type: audit\n    extension: .txt\n", `sources[0].extension: /x/a.log does not end in .txt`},
		{"extension a glob's names lack", "sources:\n  - path: /x/*.log\n    format: cri\n    extension: .txt\n", `sources[0].extension: /x/*.log does not end in .txt`}, // trial 67
		{"extension of a glob ending in a pattern", "sources:\n  - path: /x/*\n    format: cri\n    extension: .log\n", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			f := filepath.Join(dir, "config.yaml")
			if err := os.WriteFile(f, []byte("state_dir: "+dir+"\n"+tc.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			c, err := Load(f)
			if err == nil {
				_, err = c.Resolve()
			}
			if err == nil {
				err = c.Validate()
			}
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				for _, s := range c.Sources {
					if s.Format == "" || s.OtherSubcomponents == "" {
						t.Errorf("defaults not filled: %+v", s)
					}
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("err = %v, want %q", err, tc.wantErr)
			}
		})
	}
}

// TestStdoutAnyCase: stdout:// and stdout are taken in any case, as the
// other schemes are (Stdout:// was refused as "takes no host, path or
// options", which it has none of).
func TestStdoutAnyCase(t *testing.T) {
	for _, url := range []string{"stdout://", "Stdout://", "STDOUT://", "stdout", "Stdout", "-"} {
		c, err := Parse([]byte("state_dir: /s\nforward:\n  url: \""+url+"\"\n"), "config.yaml")
		if err != nil {
			t.Fatalf("%s: %v", url, err)
		}
		if _, err := c.Resolve(); err != nil {
			t.Fatalf("%s: %v", url, err)
		}
		if err := c.Validate(); err != nil || c.Forward.URL != StdoutURL {
			t.Errorf("%s: Validate: %v; url %q, want %q", url, err, c.Forward.URL, StdoutURL)
		}
	}
}

// TestSourceThroughLink: a source whose path is a symbolic (or hard) link
// to the file of another source is refused, as the same path is: the
// agent would follow the file twice and send each line twice
// (fresh-user trial 36, F2).
func TestSourceThroughLink(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "gitlab_access.log")
	if err := os.WriteFile(file, []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "link_access.log")
	if err := os.Symlink(file, link); err != nil {
		t.Fatal(err)
	}
	c, err := Parse([]byte("state_dir: /s\nsources:\n  - {type: access, path: "+file+"}\n  - {type: access, path: "+link+"}\n"), "config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	err = c.Validate()
	want := "config.yaml:4: sources[1].path: " + link + " is the file of sources[0] (" + file + ") through a symbolic or hard link; a file can be followed once only"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v, want %q", err, want)
	}
}
