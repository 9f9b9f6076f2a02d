package config

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestInputsBlockIsInputConfig(t *testing.T) {
	c, err := Parse([]byte(`state_dir: /tmp/agg
inputs:
  - listen: relp+tls://0.0.0.0:2514
    tls: {cert_file: c.pem, key_file: k.pem, client_ca_file: ca.pem}
    max_message_bytes: 2MiB
    max_connections: 10
    idle_timeout: 30s
    other: drop
  - listen: ""
`), "config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	in := c.Inputs[0]
	if in.Listen != "relp+tls://0.0.0.0:2514" || in.TLS.ClientCAFile != "ca.pem" || in.MaxMessageBytes != 2<<20 ||
		in.MaxConnections != 10 || in.IdleTimeout != 30*time.Second || in.Other != "drop" {
		t.Errorf("inputs[0] decoded as %+v", in)
	}
	if n := c.Line("inputs[0].tls.client_ca_file"); n != 4 {
		t.Errorf("line of inputs[0].tls.client_ca_file = %d, want 4", n)
	}
	if _, err := c.Resolve(); err != nil {
		t.Fatal(err)
	}
	if len(c.Sources) != 0 {
		t.Errorf("an aggregator got the default sources %v", c.Sources)
	}
	if got := c.InputsOn(); len(got) != 1 || got[0].SpoolDir != filepath.Join("/tmp/agg", "inputs") {
		t.Errorf("InputsOn() = %+v, want the first input with spool_dir /tmp/agg/inputs", got)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
	for _, key := range []string{"logger", "spool_dir", "spool_max_bytes"} {
		if _, err := Parse([]byte("inputs:\n  - "+key+": x\n"), "config.yaml"); err == nil || !strings.Contains(err.Error(), "config.yaml:2: unknown key") {
			t.Errorf("inputs[0].%s: err = %v, want an unknown key on line 2", key, err)
		}
	}
}

func TestInputsValidate(t *testing.T) {
	tests := []struct {
		yaml, want string
	}{
		{"inputs:\n  - listen: udp://:514\n", `config.yaml:3: inputs[0].listen: listen "udp://:514": unknown scheme "udp"`},
		{"inputs:\n  - listen: relp://127.0.0.1:99999\n", `config.yaml:3: inputs[0].listen: listen "relp://127.0.0.1:99999": port "99999" is not a number from 0 to 65535`},
		{"inputs:\n  - listen: tls://:6514\n", "config.yaml:3: inputs[0].tls.cert_file: tls://:6514 needs tls.cert_file and tls.key_file"},
		{"inputs:\n  - listen: relp://:2514\n    max_message_bytes: 10\n", "config.yaml:4: inputs[0].max_message_bytes: relp://:2514: max_message_bytes is 10; want at least 2048"},
		{"inputs:\n  - listen: relp://:2514\n    max_message_bytes: 2KiB\n    max_connections: -1\n", "config.yaml:5: inputs[0].max_connections:"},
		{"inputs:\n  - listen: relp://:2514\n  - listen: tcp://:2514\n", "inputs[1].listen: :2514 is the address of inputs[0] too"},
		{"metrics: {listen: 127.0.0.1:9469}\ninputs:\n  - listen: tcp://127.0.0.1:9469\n", "and metrics.listen"},
		{"inputs:\n  - listen: tcp://:514\n    idle_timeout: 1m\n    other: keep\n", `config.yaml:5: inputs[0].other: tcp://:514: other is "keep", want forward or drop`},
	}
	// Every mistake of an entry at once, and the address clash besides
	// (fresh-user trial 59: only the first, other and the clash hidden).
	all := "inputs:\n  - listen: tcp://127.0.0.1:53097\n    max_message_bytes: 100\n    other: ignore\n    max_connections: -2\n  - listen: relp://127.0.0.1:53097\n"
	for _, want := range []string{
		"config.yaml:4: inputs[0].max_message_bytes:",
		`config.yaml:5: inputs[0].other: tcp://127.0.0.1:53097: other is "ignore"`,
		"config.yaml:6: inputs[0].max_connections:",
		"inputs[1].listen: 127.0.0.1:53097 is the address of inputs[0] too",
	} {
		tests = append(tests, struct{ yaml, want string }{all, want})
	}
	// A listen that does not parse (reported too) hides none of the
	// entry's other mistakes, each at its line (fresh-user trial 84: the
	// port alone; the others once it was fixed).
	bad := "inputs:\n  - listen: tcp://127.0.0.1:99999\n    max_message_bytes: 1KiB\n    max_connections: -3\n    idle_timeout: -5s\n" +
		"  - listen: tls://127.0.0.1:70000\n    other: keep\n"
	for _, want := range []string{
		"config.yaml:4: inputs[0].max_message_bytes: tcp://127.0.0.1:99999: max_message_bytes is 1024; want at least 2048",
		"config.yaml:5: inputs[0].max_connections: tcp://127.0.0.1:99999: max_connections must not be negative",
		"config.yaml:6: inputs[0].idle_timeout: tcp://127.0.0.1:99999: idle_timeout must not be negative",
		"config.yaml:7: inputs[1].tls.cert_file: tls://127.0.0.1:70000 needs tls.cert_file and tls.key_file",
		`config.yaml:8: inputs[1].other: tls://127.0.0.1:70000: other is "keep", want forward or drop`,
	} {
		tests = append(tests, struct{ yaml, want string }{bad, want})
	}
	// One port written two ways, and a forward.url that is an input's own
	// address: a loop (fresh-user trial 62: check said valid; run failed
	// to bind, or filled the spool with its own messages).
	tests = append(tests, []struct{ yaml, want string }{
		{"inputs:\n  - listen: tcp://127.0.0.1:56660\n  - listen: tcp://127.0.0.1:056660\n", "inputs[1].listen: 127.0.0.1:056660 is the address of inputs[0] too"},
		{"inputs:\n  - listen: tcp://127.0.0.1:56606\n  - listen: tcp://localhost:56606\n", "inputs[1].listen: localhost:56606 is the address of inputs[0] too"},
		{"inputs:\n  - listen: relp://[::1]:56661\n  - listen: tcp://[0:0:0:0:0:0:0:1]:56661\n", "inputs[1].listen: [0:0:0:0:0:0:0:1]:56661 is the address of inputs[0] too"},
		{"forward: {url: tcp://127.0.0.1:56632}\ninputs:\n  - listen: tcp://127.0.0.1:56632\n", "inputs[0].listen: tcp://127.0.0.1:56632 is where forward.url tcp://127.0.0.1:56632 sends: the agent would receive its own messages"},
		{"forward: {url: relp://localhost:2514}\ninputs:\n  - listen: relp://:2514\n", "inputs[0].listen: relp://:2514 is where forward.url relp://localhost:2514 sends"},
		{"forward: {url: relp://LocalHost.:2515}\ninputs:\n  - listen: relp://127.0.0.1:2515\n", "is where forward.url relp://LocalHost.:2515 sends"}, // fully qualified (trial 67)
	}...)
	// This host by its name, or by an interface's address, to an input on
	// every interface (fresh-user trial 66: 147 copies of one message in
	// 3 s).
	if host, err := os.Hostname(); err == nil && len(hostIPs(host)) > 0 && localIP(hostIPs(host)[0]) {
		tests = append(tests, struct{ yaml, want string }{"forward: {url: tcp://" + host + ":56633}\ninputs:\n  - listen: tcp://:56633\n",
			"inputs[0].listen: tcp://:56633 is where forward.url tcp://" + host + ":56633 sends"})
	}
	if addrs, err := net.InterfaceAddrs(); err == nil {
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
				tests = append(tests, struct{ yaml, want string }{"forward: {url: tcp://" + n.IP.String() + ":56634}\ninputs:\n  - listen: tcp://0.0.0.0:56634\n",
					"is where forward.url tcp://" + n.IP.String() + ":56634 sends"})
				break
			}
		}
	}
	for _, ok := range []string{
		"forward: {url: relp://aggregator.example:2514}\ninputs:\n  - listen: relp://:2514\n", // a tier of aggregators
		"forward: {url: tcp://192.0.2.200:2514}\ninputs:\n  - listen: tcp://:2514\n",          // another host, by its address
		"forward: {url: udp://127.0.0.1:2514}\ninputs:\n  - listen: tcp://127.0.0.1:2514\n",   // UDP reaches no TCP input
		"inputs:\n  - listen: tcp://127.0.0.1:2514\n  - listen: tcp://127.0.0.2:2514\n",
	} {
		c, err := Parse([]byte("state_dir: /tmp/x\n"+ok), "config.yaml")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Resolve(); err != nil {
			t.Fatal(err)
		}
		if err := c.Validate(); err != nil {
			t.Errorf("%q: Validate = %v, want nil", ok, err)
		}
	}
	for _, tt := range tests {
		c, err := Parse([]byte("state_dir: /tmp/x\n"+tt.yaml), "config.yaml")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Resolve(); err != nil {
			t.Fatal(err)
		}
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: Validate = %v, want %q", tt.yaml, err, tt.want)
		}
	}
}
