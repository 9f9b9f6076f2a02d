package detect

import (
	"slices"
	"strings"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

func TestNodeIndex(t *testing.T) {
	ev := func(origin Origin, host, user, ip string) *Event {
		return &Event{Origin: origin, Host: host, Columns: []Column{{parser.ColUsername, user}, {parser.ColIPAddress, ip}}}
	}
	var x nodeIndex
	x.observe(ev(OriginInput, "node-a", "ada", "198.51.100.7"))
	x.observe(ev(OriginInput, "node-b", "ada", "198.51.100.7"))
	x.observe(ev(OriginInput, "node-c", "ada", "203.0.113.9"))  // another address
	x.observe(ev(OriginInput, "node-a", "ada", "198.51.100.7")) // seen
	x.observe(ev(OriginFile, "local", "ada", "198.51.100.7"))   // a file's: no node
	tests := []struct {
		name  string
		alert *Alert
		want  []string
	}{
		{"pair key", &Alert{Key: []Column{{parser.ColUsername, "ada"}, {parser.ColIPAddress, "198.51.100.7"}}}, []string{"node-a", "node-b"}},
		{"user key", &Alert{Key: []Column{{parser.ColUsername, "ada"}}}, []string{"node-a", "node-b", "node-c"}},
		{"unknown value", &Alert{Key: []Column{{parser.ColUsername, "bob"}}}, nil},
		{"no indexed key", &Alert{Key: []Column{{"EventID", "91"}}}, nil},
		{"per-event from input", &Alert{Event: ev(OriginInput, "node-z", "x", "y")}, []string{"node-z"}},
		{"per-event from file", &Alert{Event: ev(OriginFile, "local", "ada", "198.51.100.7")}, nil},
	}
	for _, tt := range tests {
		if got := x.nodes(tt.alert); !slices.Equal(got, tt.want) {
			t.Errorf("%s: nodes = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestAlertNodesField: the nodes go into the alert's fields and JSON.
func TestAlertNodesField(t *testing.T) {
	a := &Alert{Info: Info{ID: "r"}, Nodes: []string{"node-a", "node-b"}}
	found := false
	for _, c := range a.Fields() {
		found = found || c.Name == "nodes" && c.Value == "node-a,node-b"
	}
	if !found {
		t.Errorf("Fields() lacks nodes=node-a,node-b: %v", a.Fields())
	}
	if j := string(a.AppendJSON(nil)); !strings.Contains(j, `"nodes":["node-a","node-b"]`) {
		t.Errorf("JSON %s lacks the nodes array", j)
	}
	if j := string((&Alert{Info: Info{ID: "r"}}).AppendJSON(nil)); strings.Contains(j, "nodes") {
		t.Errorf("an alert without nodes writes them: %s", j)
	}
}
