package config

import (
	"strings"
	"testing"
)

// TestValueErrorsGolden: a value of the wrong type is reported with the file,
// the line, the key, what was wanted and what was given, once; no Go type
// names. want is the whole error text.
func TestValueErrorsGolden(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"byte size word", "state_dir: /s\nhostname: h\nmax_line_bytes: lots\n",
			`config.yaml:3: max_line_bytes: want a number of bytes (e.g. 1048576 or 1MiB), got "lots"`},
		{"byte size unknown unit", "max_line_bytes: 2 parsecs\n",
			`config.yaml:1: max_line_bytes: want a number of bytes (e.g. 1048576 or 1MiB), got "2 parsecs" (units: B, KiB, MiB, GiB, kB, MB, GB)`},
		{"byte size too large", "forward:\n  max_message_bytes: 99999999999GiB\n",
			`config.yaml:2: forward.max_message_bytes: "99999999999GiB" is too large`},
		{"byte size list", "streaming:\n  max_body: [1, 2]\n",
			`config.yaml:2: streaming.max_body: want a number of bytes (e.g. 1048576 or 1MiB), got a list`},
		// A whole number above 0 is seconds, with a warning
		// (TestBareDurations); a negative or fractional one is not.
		{"negative duration without unit", "state_dir: /s\ncheckpoint_interval: -5\n",
			`config.yaml:2: checkpoint_interval: want a duration with a unit (e.g. 5s, 250ms), got -5`},
		{"fractional duration without unit", "state_dir: /s\ncheckpoint_interval: 1.5\n",
			`config.yaml:2: checkpoint_interval: want a duration with a unit (e.g. 5s, 250ms), got 1.5`},
		{"duration word", "streaming:\n  dedupe_window: soon\n",
			`config.yaml:2: streaming.dedupe_window: want a duration (e.g. 5s, 250ms, 24h), got "soon"`},
		{"scalar for a list", "streaming:\n  listen: 127.0.0.1:8080\n  tokens: abc\n",
			`config.yaml:3: streaming.tokens: want a list (e.g. [a, b], or one "- item" a line), got "abc"`},
		{"scalar for the sources list", "sources: /var/log/gitlab/gitlab-rails/audit_json.log\n",
			`config.yaml:1: sources: want a list (e.g. [a, b], or one "- item" a line), got "/var/log/gitlab/gitlab-rails/audit_json.log"`},
		{"list element not a mapping", "sources:\n  - /var/log/a.log\n",
			`config.yaml:2: sources[0]: a source is a mapping of keys, not a bare path "/var/log/a.log": write it as - {type: TYPE, path: /var/log/a.log}, TYPE one of audit, application, access, auth (the file name does not tell which)`},
		{"bare audit path", "sources:\n  - /tmp/t16/logs/audit_json.log\n",
			`config.yaml:2: sources[0]: a source is a mapping of keys, not a bare path "/tmp/t16/logs/audit_json.log": write it as - {type: audit, path: /tmp/t16/logs/audit_json.log}`},
		{"bare application path", "sources:\n  - /var/log/gitlab/gitlab-rails/application.log\n",
			`config.yaml:2: sources[0]: a source is a mapping of keys, not a bare path "/var/log/gitlab/gitlab-rails/application.log": write it as - {type: application, path: /var/log/gitlab/gitlab-rails/application.log}`},
		{"bare access path", "sources:\n  - /var/log/gitlab/nginx/gitlab_access.log\n",
			`config.yaml:2: sources[0]: a source is a mapping of keys, not a bare path "/var/log/gitlab/nginx/gitlab_access.log": write it as - {type: access, path: /var/log/gitlab/nginx/gitlab_access.log}`},
		{"bare auth path", "sources:\n  - {type: audit, path: /a.log}\n  - /var/log/gitlab/gitlab-rails/auth_json.log\n",
			`config.yaml:3: sources[1]: a source is a mapping of keys, not a bare path "/var/log/gitlab/gitlab-rails/auth_json.log": write it as - {type: auth, path: /var/log/gitlab/gitlab-rails/auth_json.log}`},
		{"mapping for a list element", "streaming:\n  tokens:\n    - {a: b}\n",
			`config.yaml:3: streaming.tokens[0]: want a single value, got a mapping`},
		{"scalar for a mapping", "metrics: 9469\n",
			`config.yaml:1: metrics: want a mapping of keys (listen), got 9469`},
		{"list for a string", "hostname: [a, b]\n",
			`config.yaml:1: hostname: want a single value, got a list`},
		{"not a bool", "forward:\n  structured_data: maybe\n",
			`config.yaml:2: forward.structured_data: want true or false, got "maybe"`},
		{"not a whole number", "forward:\n  queue_size: 1.5\n",
			`config.yaml:2: forward.queue_size: want a whole number, got 1.5`},
		{"list for a rule's single-valued parameter", "detections:\n  rules:\n    sentinel.bruteforce:\n      window: [1]\n",
			`config.yaml:4: detections.rules.sentinel.bruteforce.window: want a single value, got a list (only allowed_domains and known_countries take a list)`},
		{"list for a global single-valued parameter", "detections:\n  params:\n    suppress:\n      - 1h\n",
			`config.yaml:3: detections.params.suppress: want a single value, got a list (only allowed_domains and known_countries take a list)`},
		{"list for a rule's path parameter", "detections:\n  rules:\n    sentinel.ti_malicious_ip:\n      ti_file: [/a.txt]\n",
			`config.yaml:4: detections.rules.sentinel.ti_malicious_ip.ti_file: want a single value, got a list (only allowed_domains and known_countries take a list)`},
		{"number for a source path", "sources:\n  - type: audit\n    path: 42\n",
			`config.yaml:3: sources[0].path: want a path, got 42, which YAML reads as a number, not text; give the file's path, or, if it is really named 42, quote it: path: "42"`},
		{"number for a directory", "state_dir: 1.5\n",
			`config.yaml:1: state_dir: want a path, got 1.5, which YAML reads as a number, not text; give the directory's path, or, if it is really named 1.5, quote it: state_dir: "1.5"`},
		{"boolean for a TLS file", "forward:\n  url: tls://h:6514\n  tls:\n    ca_file: true\n",
			`config.yaml:4: forward.tls.ca_file: want a path, got true, which YAML reads as a boolean, not text; give the file's path, or, if it is really named true, quote it: ca_file: "true"`},
		{"date for a token file", "streaming:\n  token_file: 2024-01-01\n",
			`config.yaml:2: streaming.token_file: want a path, got 2024-01-01, which YAML reads as a date, not text; give the file's path, or, if it is really named 2024-01-01, quote it: token_file: "2024-01-01"`},
		{"number for a rule's path parameter", "detections:\n  rules:\n    sentinel.ti_malicious_ip:\n      ti_file: 42\n",
			`config.yaml:4: detections.rules.sentinel.ti_malicious_ip.ti_file: want a path, got 42, which YAML reads as a number, not text; give the file's path, or, if it is really named 42, quote it: ti_file: "42"`},
		{"number for a global path parameter", "detections:\n  params:\n    geoip_db: 0x2A\n",
			`config.yaml:3: detections.params.geoip_db: want a path, got 0x2A, which YAML reads as a number, not text; give the file's path, or, if it is really named 0x2A, quote it: geoip_db: "0x2A"`},
		{"two bad values, two errors", "max_line_bytes: lots\ncheckpoint_interval: 0.5\n",
			"config.yaml:1: max_line_bytes: want a number of bytes (e.g. 1048576 or 1MiB), got \"lots\"\n" +
				"config.yaml:2: checkpoint_interval: want a duration with a unit (e.g. 5s, 250ms), got 0.5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml), "config.yaml")
			if err == nil || err.Error() != tt.want {
				t.Errorf("Parse error\n%v\nwant\n%s", err, tt.want)
			}
		})
	}
}

// TestParseKeepsTheRest: a value of the wrong type does not hide the
// rest of the file: Parse returns its error with the configuration
// decoded without that key (as if it were absent, its line forgotten), so
// that check goes on to report the other mistakes. A bad list item is
// decoded empty in its place, so that the items after it keep their
// index (they were left out with it).
func TestParseKeepsTheRest(t *testing.T) {
	const doc = "state_dir: /s\nforward:\n  url: tcp://h:514\n  structured_data: maybe\n" +
		"detections:\n  rules:\n    sentinel.bruteforce:\n      enabled: maybe\n      window: 2h\n    falco.pat_created:\n      severity: High\n"
	c, err := Parse([]byte(doc), "config.yaml")
	want := "config.yaml:4: forward.structured_data: want true or false, got \"maybe\"\n" +
		"config.yaml:8: detections.rules.sentinel.bruteforce.enabled: want true or false, got \"maybe\""
	if err == nil || err.Error() != want {
		t.Fatalf("Parse error\n%v\nwant\n%s", err, want)
	}
	if c == nil {
		t.Fatal("Parse returned no configuration with its value errors")
	}
	bf := c.Detections.Rules["sentinel.bruteforce"]
	switch {
	case c.StateDir != "/s" || c.Forward.URL != "tcp://h:514":
		t.Errorf("state_dir %q, forward.url %q: the keys beside the bad ones were not decoded", c.StateDir, c.Forward.URL)
	case c.Forward.StructuredData != nil || bf.Enabled != nil:
		t.Errorf("the bad values were decoded: structured_data %v, enabled %v", c.Forward.StructuredData, bf.Enabled)
	case bf.Params["window"] != "2h" || c.Detections.Rules["falco.pat_created"].Severity != "High":
		t.Errorf("the rules' other keys were not decoded: %+v", c.Detections.Rules)
	case c.Line("forward.structured_data") != 0 || c.Line("detections.rules.sentinel.bruteforce.enabled") != 0:
		t.Error("the bad keys' lines are kept: they would count as given")
	case c.Line("detections.rules.sentinel.bruteforce.window") != 9:
		t.Errorf("window's line is %d, want 9", c.Line("detections.rules.sentinel.bruteforce.window"))
	}
	// A key given twice is reported with the others, in line order.
	c, err = Parse([]byte("forward:\n  queue_size: lots\nhostname: a\nhostname: b\n"), "config.yaml")
	want = "config.yaml:2: forward.queue_size: want a whole number, got \"lots\"\n" +
		"config.yaml:4: mapping key \"hostname\" already defined at line 3: a key is given once; keep the one meant and remove the other"
	if c == nil || err == nil || err.Error() != want {
		t.Errorf("Parse: %v, error\n%v\nwant\n%s", c != nil, err, want)
	}
	// A bad list item is decoded empty in its place: the items after it
	// keep their index and are decoded, as is the rest of the file.
	c, err = Parse([]byte("start_at: middle\nsources:\n  - {type: audit, path: /a.log}\n  - /b.log\n  - {type: audit, path: /c.log}\nstate_dir: /s\n"), "config.yaml")
	if c == nil || err == nil || !strings.HasPrefix(err.Error(), "config.yaml:4: sources[1]: a source is a mapping of keys, not a bare path") {
		t.Fatalf("a bad list item: Parse returned %v, %v; want the configuration and the error", c != nil, err)
	}
	if len(c.Sources) != 3 || c.Sources[0].Path != "/a.log" || c.Sources[1] != (Source{}) || c.Sources[2].Path != "/c.log" ||
		!c.Dropped("sources[1]") || c.Dropped("sources[2]") || c.StateDir != "/s" || c.StartAt != "middle" {
		t.Errorf("a bad list item: sources %+v, dropped %v, state_dir %q, start_at %q; want the item empty in its place, the others and the keys after the list",
			c.Sources, c.dropped, c.StateDir, c.StartAt)
	}
	// Validate leaves the bad item out: it is not missing its path or type.
	c.LogDir = t.TempDir()
	if _, rerr := c.Resolve(); rerr != nil {
		t.Fatal(rerr)
	}
	if verr := c.Validate(); verr == nil || strings.Contains(verr.Error(), "sources[1]") || !strings.Contains(verr.Error(), "start_at") {
		t.Errorf("a bad list item: Validate says %v; want only start_at", verr)
	}
	// A source's key of the wrong type is reported as such only, not as
	// missing too.
	c, err = Parse([]byte("state_dir: /s\nsources:\n  - {type: audit, path: [a]}\n"), "config.yaml")
	if c == nil {
		t.Fatalf("path of the wrong type: no configuration, %v", err)
	}
	c.LogDir = t.TempDir()
	if _, rerr := c.Resolve(); rerr != nil {
		t.Fatal(rerr)
	}
	if verr := c.Validate(); verr != nil {
		t.Errorf("path of the wrong type: Validate also says %v", verr)
	}
}

// TestDurationZeroWithoutUnit: a bare 0 is a duration (time.ParseDuration
// takes it), read as 0s is, not refused with the YAML decoder's type error.
func TestDurationZeroWithoutUnit(t *testing.T) {
	for _, doc := range []string{
		"checkpoint_interval: 0\n",
		"detections:\n  state_save_interval: 0\n  lateness: 0\n",
		"streaming:\n  dedupe_window: 0\n",
	} {
		got, err := Parse([]byte(doc), "config.yaml")
		if err != nil {
			t.Errorf("%q: %v", doc, err)
			continue
		}
		want, err := Parse([]byte(strings.ReplaceAll(doc, ": 0\n", ": 0s\n")), "config.yaml")
		if err != nil {
			t.Fatalf("%q with 0s: %v", doc, err)
		}
		if got.Tailer.CheckpointInterval != want.Tailer.CheckpointInterval || got.Detections.StateSaveInterval != want.Detections.StateSaveInterval ||
			got.Detections.Lateness != want.Detections.Lateness || got.Streaming.DedupeWindow != want.Streaming.DedupeWindow {
			t.Errorf("%q: read %+v, want as 0s", doc, got)
		}
	}
}

// TestByteSizes: byte-size keys take a plain number or a number with a
// unit.
func TestByteSizes(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{"1048576", 1 << 20}, {"1MiB", 1 << 20}, {"512KiB", 512 << 10}, {"512 kib", 512 << 10},
		{"2MB", 2000000}, {"1GiB", 1 << 30}, {"100B", 100}, {"8k", 8000}, {"4Ki", 4096},
	} {
		c, err := Parse([]byte("max_line_bytes: "+tc.in+"\n"), "config.yaml")
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if c.Tailer.MaxLineBytes != tc.want {
			t.Errorf("max_line_bytes: %s = %d, want %d", tc.in, c.Tailer.MaxLineBytes, tc.want)
		}
	}
	c, err := Parse([]byte("streaming:\n  max_body: 2MiB\n  dedupe_window: 1h\nforward:\n  structured_data: no\n"), "config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if c.Streaming.MaxBody != 2<<20 || c.Streaming.DedupeWindow.String() != "1h0m0s" || c.Forward.SendStructuredData() {
		t.Errorf("max_body %d, dedupe_window %s, structured_data %v", c.Streaming.MaxBody, c.Streaming.DedupeWindow, c.Forward.SendStructuredData())
	}
}

// TestOneBadValueOneError: a bad value is reported once, where it was given,
// not again for every place that inherits or derives from it; a value given
// by a flag is reported under the flag's name.
func TestOneBadValueOneError(t *testing.T) {
	tests := []struct {
		name, yaml string
		flags      map[string]string // key → flag
		set        func(*Config)     // the flag values
		want       string            // the whole error text
		wantPrefix string            // or its start, when a list may grow
	}{
		{name: "start_at with default sources", yaml: "state_dir: /s\nstart_at: middle\n",
			want: `config.yaml:2: start_at: "middle" is not one of beginning, end`},
		{name: "start_at with listed sources", yaml: "state_dir: /s\nstart_at: middle\nsources:\n  - {type: audit, path: /a}\n  - {type: access, path: /b, start_at: end}\n",
			want: `config.yaml:2: start_at: "middle" is not one of beginning, end`},
		{name: "bad source start_at is still reported", yaml: "state_dir: /s\nsources:\n  - {type: audit, path: /a, start_at: middle}\n",
			want: `config.yaml:3: sources[0].start_at: "middle" is not one of beginning, end`},
		{name: "unknown type without app_name", yaml: "state_dir: /s\nsources:\n  - type: audti\n    path: /a\n",
			wantPrefix: `config.yaml:3: sources[0].type: "audti" is not one of `},
		{name: "bad scheme with tls settings", yaml: "state_dir: /s\nforward:\n  url: ftp://h:1\n  tls:\n    ca_file: /ca\n",
			want: `config.yaml:3: forward.url: unsupported scheme in "ftp://h:1" (want udp://, tcp://, tls://, unix://, unixgram://, relp://, relp+tls:// or stdout://)`},
		{name: "start_at from a flag", yaml: "state_dir: /s\n",
			flags: map[string]string{"start_at": "--start-at"}, set: func(c *Config) { c.StartAt = "middle" },
			want: `--start-at: "middle" is not one of beginning, end`},
		{name: "flags inside a key", yaml: "state_dir: /s\nforward:\n  url: tcp://h:1\n",
			flags: map[string]string{"forward.tls.ca_file": "--ca-file", "forward.tls.server_name": "--server-name"},
			set:   func(c *Config) { c.Forward.TLS.CAFile, c.Forward.TLS.ServerName = "/ca.pem", "siem" },
			want:  `--ca-file, --server-name: is set but forward.url (tcp://h:1) is not a tls:// or relp+tls:// URL`},
		{name: "flags inside a key, URL from a flag", yaml: "state_dir: /s\n",
			flags: map[string]string{"forward.url": "--to", "forward.tls.ca_file": "--ca-file"},
			set:   func(c *Config) { c.Forward.URL, c.Forward.TLS.CAFile = "tcp://h:1", "/ca.pem" },
			want:  `--ca-file: is set but --to (tcp://h:1) is not a tls:// or relp+tls:// URL`},
		{name: "flag overrides the file's key", yaml: "state_dir: /s\nforward:\n  url: tcp://h:1\n",
			flags: map[string]string{"forward.url": "--to"}, set: func(c *Config) { c.Forward.URL = "tcp://h:70000" },
			want: `--to: "tcp://h:70000": port "70000" is not a number from 1 to 65535`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.yaml), "config.yaml")
			if err != nil {
				t.Fatal(err)
			}
			for k, f := range tt.flags {
				c.SetByFlag(k, f)
			}
			if tt.set != nil {
				tt.set(c)
			}
			c.LogDir = t.TempDir()
			if _, err := c.Resolve(); err != nil {
				t.Fatal(err)
			}
			err = c.Validate()
			switch {
			case err == nil:
				t.Fatal("Validate accepted it")
			case tt.want != "" && err.Error() != tt.want:
				t.Errorf("Validate error\n%v\nwant\n%s", err, tt.want)
			case tt.wantPrefix != "" && (!strings.HasPrefix(err.Error(), tt.wantPrefix) || strings.Contains(err.Error(), "\n")):
				t.Errorf("Validate error\n%v\nwant one error starting with\n%s", err, tt.wantPrefix)
			}
		})
	}
}

// TestWhere: Where names the flag that gave a value, else the file, line
// and key path (the nearest parent's line for a key not written), else the
// key path alone.
func TestWhere(t *testing.T) {
	c, err := Parse([]byte("state_dir: /s\nforward:\n  url: tls://h:1\n  tls:\n    ca_file: /ca.pem\n"), "config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c.SetByFlag("forward.tls.cert_file", "--cert-file")
	for _, tt := range []struct{ path, want string }{
		{"forward.tls.ca_file", "config.yaml:5: forward.tls.ca_file"},
		{"forward.tls.key_file", "config.yaml:4: forward.tls.key_file"},
		{"forward.tls.cert_file", "--cert-file"},
		{"metrics.listen", "metrics.listen"},
	} {
		if got := c.Where(tt.path); got != tt.want {
			t.Errorf("Where(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
	var none Config
	if got := none.Where("forward.url"); got != "forward.url" {
		t.Errorf("Where without a file = %q, want the key path", got)
	}
}

// TestNotTextGolden: a file that is not YAML text (binary, compressed,
// another encoding, a stray control character) is reported with the
// file, the line and column of the first bad byte, the cause and what to
// do, instead of the decoder's "control characters are not allowed".
// want is the whole error text.
func TestNotTextGolden(t *testing.T) {
	tests := []struct{ name, data, want string }{
		{"executable", "\x7fELF\x02\x01\x01\x00\x00\x00",
			`config.yaml:1: this is an executable (ELF), not a YAML configuration: is this the config file? --config takes the YAML configuration, e.g. examples/config.yaml`},
		{"gzip", "\x1f\x8b\x08\x00\x00\x00\x00\x00",
			`config.yaml:1: this is gzip-compressed data, not a YAML configuration: decompress it (gzip -dc config.yaml > config-decompressed.yaml) and give that file`},
		{"zstd", "\x28\xb5\x2f\xfd\x04\x00",
			`config.yaml:1: this is zstd-compressed data, not a YAML configuration: decompress it (zstd -dc config.yaml > config-decompressed.yaml) and give that file`},
		{"NUL bytes after text", "state_dir: /s\nab\x00\x00",
			`config.yaml:2:3: byte 0x00 (offset 16): a NUL byte: this is a binary file, not text; is this the config file? --config takes the YAML configuration, e.g. examples/config.yaml`},
		{"NUL after a control byte", "\x02x\x00",
			`config.yaml:1:3: byte 0x00 (offset 2): a NUL byte: this is a binary file, not text; is this the config file? --config takes the YAML configuration, e.g. examples/config.yaml`},
		{"Latin-1", "state_dir: /s\nhostname: caf\xe9\n",
			`config.yaml:2:14: byte 0xe9 (offset 27): not UTF-8: YAML is UTF-8 text; convert the file (e.g. iconv -f latin1 -t utf-8 config.yaml > config-utf8.yaml), or is this the config file?`},
		{"control character", "state_dir: /s\n\x1bhostname: h\n",
			`config.yaml:2:1: byte 0x1b (offset 14): a control character, which YAML text cannot hold: remove it (a tab, LF and CR are the only ones allowed)`},
		{"DEL", "hostname: h\x7f\n",
			`config.yaml:1:12: byte 0x7f (offset 11): a control character, which YAML text cannot hold: remove it (a tab, LF and CR are the only ones allowed)`},
		// Before, the YAML decoder read the text after a UTF-16 byte
		// order mark (the hints about its mistakes did not), and one
		// without a mark was "a NUL byte: this is a binary file"
		// (fresh-user trial 281).
		{"UTF-16 with its byte order mark (iconv -t UTF-16)", "\xff\xfe" + utf16LE("state_dir: /s\n"),
			`config.yaml:1: this is UTF-16LE text (it starts with its byte order mark), not UTF-8, the encoding of YAML configuration: convert it (iconv -f UTF-16 -t UTF-8 config.yaml > config.yaml.utf8) and give that file, or move it over this one`},
		{"UTF-16BE with its byte order mark", "\xfe\xff\x00s\x00:",
			`config.yaml:1: this is UTF-16BE text (it starts with its byte order mark), not UTF-8, the encoding of YAML configuration: convert it (iconv -f UTF-16 -t UTF-8 config.yaml > config.yaml.utf8) and give that file, or move it over this one`},
		{"UTF-16LE without a byte order mark", utf16LE("state_dir: /s\nforward:\n  url: tcp://a:1\n"),
			`config.yaml:1: this is UTF-16LE text (every other byte is NUL, with no byte order mark), not UTF-8, the encoding of YAML configuration: convert it (iconv -f UTF-16LE -t UTF-8 config.yaml > config.yaml.utf8) and give that file, or move it over this one`},
		{"UTF-16BE without a byte order mark", "\x00s\x00t\x00:\x00 \x00x\x00\n",
			`config.yaml:1: this is UTF-16BE text (every other byte is NUL, with no byte order mark), not UTF-8, the encoding of YAML configuration: convert it (iconv -f UTF-16BE -t UTF-8 config.yaml > config.yaml.utf8) and give that file, or move it over this one`},
		{"UTF-32 with its byte order mark", "\xff\xfe\x00\x00s\x00\x00\x00",
			`config.yaml:1: this is UTF-32LE text (it starts with its byte order mark), not UTF-8, the encoding of YAML configuration: convert it (iconv -f UTF-32 -t UTF-8 config.yaml > config.yaml.utf8) and give that file, or move it over this one`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.data), "config.yaml")
			if err == nil || err.Error() != tt.want {
				t.Errorf("Parse error\n%v\nwant\n%s", err, tt.want)
			}
		})
	}
	_, err := Parse([]byte("\x1f\x8b\x08\x00"), "/etc/gitlab-syslog/config.yaml.gz")
	if want := "/etc/gitlab-syslog/config.yaml.gz:1: this is gzip-compressed data, not a YAML configuration: " +
		"decompress it (gzip -dc /etc/gitlab-syslog/config.yaml.gz > /etc/gitlab-syslog/config.yaml) and give that file"; err == nil || err.Error() != want {
		t.Errorf("Parse error\n%v\nwant\n%s", err, want)
	}
	// Text stays text: a byte order mark, tabs in values, CR LF line ends
	// and non-ASCII UTF-8 are read as YAML.
	for _, ok := range []string{"\xEF\xBB\xBFstate_dir: /s\n", "hostname: \"a\tb\"\r\nstate_dir: /s\r\n", "state_dir: /é/日本\n"} {
		if _, err := Parse([]byte(ok), "config.yaml"); err != nil {
			t.Errorf("Parse(%q): %v", ok, err)
		}
	}
}

// utf16LE returns s, ASCII, in UTF-16LE without a byte order mark.
func utf16LE(s string) string {
	b := make([]byte, 0, 2*len(s))
	for i := range len(s) {
		b = append(b, s[i], 0)
	}
	return string(b)
}

// TestSyntaxErrorsGolden: a YAML syntax error names the file and a line
// (line 1 where the decoder gives none): that of the offending token,
// also for the parser's errors, which name the line of the block it is in
// (before, "config.yaml:1: at or below this line" for a key on line 4:
// fresh-user trial), and what to check. A quote, [ or { never closed is
// named at the line that opens it (before, the line before a [, or the
// line far below where a quote left open met the next quote: fresh-user
// trial 46), and a [ the scan does not find keeps the parser's line and
// message. want is the whole error text.
func TestSyntaxErrorsGolden(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"unclosed quote", "state_dir: /s\nforward:\n  url: \"tcp://a:1\n",
			`config.yaml:3: the " opened on this line is never closed (close the value with " on this line)`},
		{"unclosed quote, lines after it", "state_dir: \"/tmp/x\nforward:\n  url: tcp://x\n", // the scanner says line 4, the end
			`config.yaml:1: the " opened on this line is never closed (close the value with " on this line)`},
		{"unclosed quote after a { closed on a later line", "forward: {url: tcp://a:1,\n  facility: local3}\nhostname: \"gitlab\nstate_dir: /s\n",
			`config.yaml:3: the " opened on this line is never closed (close the value with " on this line)`},
		{"unclosed quote taking in the lines up to the next quote", "sources:\n  - type: access\n    path: \"unclosed\n    app_name: X\nstreaming:\n  listen: \"127.0.0.1:8443\"\n  path: /gitlab/audit\n", // before, line 6: did not find expected key
			`config.yaml:3: the " opened on this line is never closed (close the value with " on this line)`},
		{"unclosed single quote taking in an apostrophe", "state_dir: /s\nhostname: 'gitlab\nforward:\n  url: tcp://a:1\n  sd_id: it's@1\n  facility: local3\n",
			`config.yaml:2: the ' opened on this line is never closed (close the value with ' on this line)`},
		{"quote opening a later line's quoted value", "a: 1\nb: \"x\nc: 2\nd: \"\"\ne: 3\n", // the longest run of first lines that parses ends at line 4
			`config.yaml:2: the " opened on this line is never closed (close the value with " on this line)`},
		{"unclosed [ in a list item", "sources:\n  - type: access\n    path: [unclosed\n    app_name: X\n  - type: auth\n    path: /a\nmetrics:\n  listen: x\n", // the parser says line 2
			`config.yaml:3: the [ opened on this line is never closed (close it with ], or quote the value if the [ is part of it)`},
		{"unclosed [ on line 2", "forward:\n  url: [a, b\nmetrics:\n  listen: x\n", // the parser says line 1
			`config.yaml:2: the [ opened on this line is never closed (close it with ], or quote the value if the [ is part of it)`},
		{"unclosed { on line 1", "forward: {url: tcp://a:1\nmetrics:\n  listen: x\n",
			`config.yaml:1: the { opened on this line is never closed (close it with }, or quote the value if the { is part of it)`},
		{"unclosed [ inside a { closed later", "{\n  \"state_dir\": \"/s\",\n  \"sources\": [{\"path\": \"/a\"}\n}\n", // line 1 opens a { too
			`config.yaml:3: the [ opened on this line is never closed (close it with ], or quote the value if the [ is part of it)`},
		{"unclosed [ after a tag: not found, the parser's line", "forward:\n  url: !!seq [a, b\nmetrics:\n  listen: x\n",
			`config.yaml:1: did not find expected ',' or ']'`},
		{"colon in a value", "state_dir: /s\nhostname: a: b\n",
			`config.yaml:2: mapping values are not allowed in this context (a ": " inside an unquoted value (quote the value), or a key indented deeper than the keys beside it)`},
		{"key indented deeper", "state_dir: /s\n  hostname: a\n",
			`config.yaml:2: mapping values are not allowed in this context (a ": " inside an unquoted value (quote the value), or a key indented deeper than the keys beside it)`},
		{"unquoted @ on line 1", "hostname: @foo\n",
			"config.yaml:1: found character that cannot start any token (a value starting with @ or ` must be quoted, and YAML indents with spaces only, not tabs)"},
		{"tab on line 1", "\tstate_dir: /s\n",
			"config.yaml:1: found character that cannot start any token (a value starting with @ or ` must be quoted, and YAML indents with spaces only, not tabs)"},
		{"key without colon", "state_dir: /s\nforward:\n  url: tcp://x:1\n  facility local3\n  sd_id: a@1\n",
			`config.yaml:4: could not find expected ':' (a key without its ": ", or a quoted value not closed on its line)`},
		{"list item keys not lined up", "sources:\n  - path: /a\n   type: audit\n",
			`config.yaml:3: did not find expected '-' indicator (the keys of a list item must line up under its first key)`},
		{"text after a quoted value", "state_dir: /s\nhostname: \"a\" b\n",
			`config.yaml:2: did not find expected key (a line indented differently from the keys beside it, or text after a quoted value)`},
		{"list item key indented less, lines below", "sources:\n  - type: audit\n    path: /l/audit_json.log\n   start_at: end\n  - type: access\n    path: /l/gitlab_access.log\n",
			`config.yaml:4: did not find expected '-' indicator (the keys of a list item must line up under its first key)`},
		{"key indented less after a comment and a blank line", "forward:\n  url: tcp://a:1\n\n  # the facility\n facility: local3\nstate_dir: /s\n",
			`config.yaml:5: did not find expected key (a line indented differently from the keys beside it, or text after a quoted value)`},
		{"JSON on one line, bad", "{\"state_dir\": \"/s\", \"sources\": [}\n",
			`config.yaml:1: did not find expected node content (a value missing after a [ , or {, or a stray ] or })`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml), "config.yaml")
			if err == nil || err.Error() != tt.want {
				t.Errorf("Parse error\n%v\nwant\n%s", err, tt.want)
			}
		})
	}
}
