package detect

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

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

// TestNodeIndexFolds: a user name and an address are remembered as the
// sign-in rules key them, so that an alert keyed by "alice" and
// 81.2.69.142 names the node that sent " Alice" and ::ffff:81.2.69.142.
func TestNodeIndexFolds(t *testing.T) {
	var x nodeIndex
	x.observe(&Event{Origin: OriginInput, Host: "node-a", Columns: []Column{{parser.ColUsername, " Alice"}, {parser.ColIPAddress, "::ffff:81.2.69.142"}}})
	x.observe(&Event{Origin: OriginInput, Host: "node-b", Columns: []Column{{parser.ColUsername, "alice"}, {parser.ColIPAddress, "81.2.69.142"}}})
	a := &Alert{Key: []Column{{parser.ColUsername, "alice"}, {parser.ColIPAddress, "81.2.69.142"}}}
	if got, want := x.nodes(a), []string{"node-a", "node-b"}; !slices.Equal(got, want) {
		t.Errorf("nodes = %v, want %v", got, want)
	}
}

// TestNodeIndexKeepsRecent: at maxNodeKeys the values seen least recently
// are forgotten, not all: a key seen from node-a, then from node-b after
// so many other values that the index overflowed once, still has both
// (fresh-user trial 267: the index started afresh, and alerts of an
// aggregator with other traffic named only the nodes seen since).
func TestNodeIndexKeepsRecent(t *testing.T) {
	var x nodeIndex
	other := func(n int) {
		for i := range n {
			x.observe(&Event{Origin: OriginInput, Host: "node-z", Columns: []Column{{parser.ColAuthorID, "other-" + strconv.Itoa(i)}}})
		}
	}
	victim := func(host string) *Event {
		return &Event{Origin: OriginInput, Host: host, Columns: []Column{{parser.ColUsername, "victim"}}}
	}
	other(maxNodeKeys / 2)
	x.observe(victim("node-a"))
	other(maxNodeKeys/2 + 10) // new values past the cap: the oldest others go
	x.observe(victim("node-b"))
	if got, want := x.nodes(&Alert{Key: []Column{{parser.ColUsername, "victim"}}}), []string{"node-a", "node-b"}; !slices.Equal(got, want) {
		t.Errorf("nodes = %v, want %v", got, want)
	}
	if n := x.m.len(); n > maxNodeKeys {
		t.Errorf("the index holds %d values, want at most %d", n, maxNodeKeys)
	}
}

// TestEngineNodesAmidTraffic: the nodes of a brute force received from
// three nodes, each failure amid many events of other values from the
// nodes that no windowed rule counts (PAT creations, per-event alerts),
// are all named in the alert.
func TestEngineNodesAmidTraffic(t *testing.T) {
	var alerts []*Alert
	e, err := New(Config{Only: []string{"sentinel.bruteforce", "falco.pat_created"}, Nodes: true,
		Emit: func(a *Alert) {
			if a.Info.ID == "sentinel.bruteforce" {
				c := *a
				c.detach()
				alerts = append(alerts, &c)
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	hosts := []string{"node-a", "node-b", "node-c"}
	for i := range 11 {
		when := tAt(strconv.Itoa(i) + "s")
		for j := range maxNodeKeys / 2 { // other values (two an event), which the windowed rules do not count
			ev := lineEvent(t, parser.TypeAudit, "audit_json.log", `{"severity":"INFO","time":"`+when.Add(time.Duration(j)*time.Microsecond).Format(time.RFC3339Nano)+
				`","author_id":`+strconv.Itoa(i*100000+j)+`,"author_name":"u`+strconv.Itoa(i*100000+j)+`","entity_id":1,"entity_type":"User","custom_message":"Created personal access token with id 1"}`)
			ev.Origin, ev.Host = OriginInput, hosts[j%3]
			e.Process(ev)
		}
		ev := failedLogin("victim", "203.0.113.9", when)
		ev.Origin, ev.Host = OriginInput, hosts[i%3]
		e.Process(ev)
	}
	e.Close()
	if len(alerts) != 1 {
		t.Fatalf("%d brute-force alerts, want 1", len(alerts))
	}
	if got := alerts[0].Nodes; !slices.Equal(got, hosts) {
		t.Errorf("the alert names nodes %v, want %v", got, hosts)
	}
}
