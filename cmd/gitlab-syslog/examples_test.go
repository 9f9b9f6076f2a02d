package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
)

// TestExampleConfig keeps examples/config.yaml honest: check accepts it
// (with its paths moved into a temporary directory) and it mentions every
// configuration key.
func TestExampleConfig(t *testing.T) {
	data, err := os.ReadFile("../../examples/config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	s := strings.ReplaceAll(string(data), "/var/lib/gitlab-syslog", filepath.Join(dir, "state"))
	s = strings.ReplaceAll(s, "/var/log/gitlab", filepath.Join(dir, "log"))
	s = strings.ReplaceAll(s, "/etc/gitlab-syslog", filepath.Join(dir, "etc"))
	path := writeFile(t, filepath.Join(dir, "config.yaml"), s)
	writeFile(t, filepath.Join(dir, "log", "gitlab-rails", "audit_json.log"), "")

	out, err := execute(t, "check", "--config", path)
	if err != nil {
		t.Fatalf("check rejects examples/config.yaml: %v\n%s", err, out)
	}
	for _, want := range []string{"valid", "audit_json.log", "ok, readable", "does not exist yet", "metrics:    http://127.0.0.1:9469/metrics", "inputs:     off\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}
	// Its inputs item is a template: check does not warn of it.
	if strings.Contains(out, "inputs[0]") {
		t.Errorf("check warns of the example's own inputs item:\n%s", out)
	}

	// The rule count it gives is the catalogue's.
	if want := "the " + strconv.Itoa(len(detect.Catalogue())) + " rules of"; !strings.Contains(string(data), want) {
		t.Errorf("examples/config.yaml does not say %q", want)
	}

	c, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range keyPaths(reflect.TypeOf(config.Config{}), "") {
		found := false
		for i := 0; i < 10 && !found; i++ { // in any list element
			found = c.Line(strings.ReplaceAll(key, "[0]", "["+strconv.Itoa(i)+"]")) > 0
		}
		if !found {
			t.Errorf("examples/config.yaml does not show the key %s", key)
		}
	}
}

// keyPaths lists the YAML key paths of t ("forward.tls.ca_file",
// "sources[0].type", ...), those of inline structs included.
func keyPaths(t reflect.Type, prefix string) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if opts == "inline" && f.Type.Kind() == reflect.Struct {
			out = append(out, keyPaths(f.Type, prefix)...) // a component's keys, composed into the block
			continue
		}
		if name == "" || name == "-" {
			continue
		}
		p := name
		if prefix != "" {
			p = prefix + "." + name
		}
		out = append(out, p)
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch {
		case ft.Kind() == reflect.Struct:
			out = append(out, keyPaths(ft, p)...)
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
			out = append(out, keyPaths(ft.Elem(), p+"["+strconv.Itoa(0)+"]")...)
		}
	}
	return out
}
