package detect

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gitlab-syslog/gitlab-syslog/internal/jsonstr"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// fitAlert returns a falco.pat_created alert on an audit line whose
// target_details is long: long bytes, made of unit repeated.
func fitAlert(t *testing.T, unit string, long int) *Alert {
	t.Helper()
	td := strings.Repeat(unit, long/len(unit))
	line := []byte(`{"severity":"INFO","time":"2025-03-04T12:10:00.000Z","correlation_id":"01HQ0000000000000000000000","meta.user":"alice","id":5064,"author_id":42,"entity_id":42,"entity_type":"User",` +
		`"details":{"author_name":"Alice Example","target_details":` + string(jsonstr.Append(nil, td)) + `,"custom_message":"Created personal access token with id 13"},` +
		`"ip_address":"198.51.100.4","author_name":"Alice Example","entity_path":"alice","target_details":` + string(jsonstr.Append(nil, td)) +
		`,"created_at":"2025-03-04T12:09:59.993Z","target_type":"User","target_id":42,"custom_message":"Created personal access token with id 13"}`)
	var rec parser.Record
	if err := parser.New(parser.TypeAudit).Parse(line, &rec); err != nil {
		t.Fatal(err)
	}
	ev := NewEvent(&rec, line, "audit_json.log", OriginFile)
	return &Alert{Info: Info{ID: "falco.pat_created", Name: "GitLab - Personal Access Token Created",
		Kind: KindPerEvent, Severity: SeverityMedium, Tactic: []string{"Persistence", "CredentialAccess"},
		Technique: []string{"T1098.001", "T1528"}}, ID: "119e9cf2fc1e5060698e21966facdf4d", Time: ev.Time,
		DetectedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), EventIDs: []string{"5064"},
		Key:     []Column{{"EventID", "5064"}},
		Columns: []Column{{"AuthorName", "Alice Example"}, {"TargetDetails", td}, {"CustomMessage", "Created personal access token with id 13"}},
		Event:   ev}
}

// TestAppendFitJSON: an alert's JSON made to fit a size stays one valid
// JSON object with its identifying members whole, at most that size;
// raw is shortened first, then (FitColumns) the longest column; what was
// shortened is listed in "truncated", and each shortened value is a
// prefix of the value that ends between characters. A JSON that fits is
// AppendJSON's, byte for byte; one that cannot fit is refused.
func TestAppendFitJSON(t *testing.T) {
	for _, unit := range []string{"z", "é\"\n", "\u2028\x01€"} { // escapes of every width
		a := fitAlert(t, unit, 20000)
		full := string(a.AppendJSON(nil))
		var whole map[string]any
		if err := json.Unmarshal([]byte(full), &whole); err != nil {
			t.Fatal(err)
		}
		rawLen := len(jsonstr.Append(nil, a.Event.Raw))
		tests := []struct {
			name  string
			limit int
			fit   Fit
			cut   []string // nil: refused
		}{
			{"fits", len(full), FitRaw, []string{}},
			{"raw alone", len(full) - rawLen/2, FitRaw, []string{"raw"}},
			{"raw emptied", len(full) - rawLen + 40, FitRaw, []string{"raw"}},
			{"raw is not enough", len(full) - rawLen - 100, FitRaw, nil},
			{"raw then the longest column", 8000, FitColumns, []string{"raw", "TargetDetails"}},
			{"columns left out", 700, FitColumns, []string{"raw", "TargetDetails", "CustomMessage", "AuthorName", "IPAddress",
				"EntityPath", "EntityType", "TargetType", "meta.user"}},
			{"tiny", 300, FitColumns, nil},
		}
		for _, tc := range tests {
			t.Run(fmt.Sprintf("%+q/%s", unit, tc.name), func(t *testing.T) {
				prefix := []byte("kept")
				out, cut, ok := a.AppendFitJSON(prefix, tc.limit, tc.fit)
				if string(out[:4]) != "kept" {
					t.Fatalf("dst's bytes were overwritten: %.20q", out)
				}
				out = out[4:]
				if tc.cut == nil {
					if ok || len(out) != 0 || cut != nil {
						t.Fatalf("fit to %d: ok %v, %d bytes, cut %q; want it refused, dst unchanged", tc.limit, ok, len(out), cut)
					}
					return
				}
				if !ok {
					t.Fatalf("fit to %d refused", tc.limit)
				}
				if len(tc.cut) == 0 {
					if string(out) != full || cut != nil {
						t.Fatalf("an alert that fits changed (cut %q):\n%s\nwant\n%s", cut, out, full)
					}
					return
				}
				if len(out) > tc.limit || len(out) < tc.limit-16 {
					t.Errorf("%d bytes, want at most %d and not much less", len(out), tc.limit)
				}
				if !slices.Equal(cut, tc.cut) {
					t.Errorf("cut %q, want %q", cut, tc.cut)
				}
				var got map[string]any
				if err := json.Unmarshal(out, &got); err != nil {
					t.Fatalf("not valid JSON: %v\n%.300s", err, out)
				}
				if tr, _ := got[TruncatedMember].([]any); len(tr) != len(tc.cut) {
					t.Errorf("%s = %v, want %q", TruncatedMember, got[TruncatedMember], tc.cut)
				}
				for k, v := range whole {
					g, ok := got[k]
					switch {
					case !ok && slices.Contains(tc.cut, k) && k != "raw":
						// left out: the JSON was still too long with it cut to nothing
					case !ok:
						t.Errorf("member %s missing", k)
					case slices.Contains(tc.cut, k):
						gs, ws := g.(string), v.(string)
						if !strings.HasPrefix(ws, gs) || len(gs) == len(ws) || !utf8.ValidString(gs) {
							t.Errorf("%s: %d bytes, not a shorter prefix of the %d bytes ending between characters", k, len(gs), len(ws))
						}
					default:
						if gj, wj := mustJSON(t, g), mustJSON(t, v); gj != wj {
							t.Errorf("%s = %s, want %s (not shortened)", k, gj, wj)
						}
					}
				}
				if left := len(whole) + 1 - len(got); left < 0 || left > max(len(tc.cut)-2, 0) {
					t.Errorf("%d members, want the %d of the alert and %s, less some of the %d cut other than raw and the longest",
						len(got), len(whole), TruncatedMember, len(tc.cut))
				}
			})
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestEscapedPrefix: escapedLen is the length jsonstr.Append writes,
// quotes left out, and escapedPrefix the longest prefix within room that
// ends between characters, for strings of every kind of byte.
func TestEscapedPrefix(t *testing.T) {
	pieces := []string{"a", "\"", "\\", "\n", "\t", "\x01", "\x7f", "é", "€", "😀", "\u2028", "\u2029", "\xff", "\xe2\x82", "\ufffd"}
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		var b strings.Builder
		for range r.IntN(40) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		s := b.String()
		want := len(jsonstr.Append(nil, s)) - 2
		if got := escapedLen(s); got != want {
			t.Fatalf("escapedLen(%q) = %d, want %d", s, got, want)
		}
		room := r.IntN(want + 2)
		k, n := escapedPrefix(s, room)
		if n > room || n != len(jsonstr.Append(nil, s[:k]))-2 {
			t.Fatalf("escapedPrefix(%q, %d) = %d, %d: over room, or not the prefix's length", s, room, k, n)
		}
		if k < len(s) {
			_, size := utf8.DecodeRuneInString(s[k:])
			if n2 := len(jsonstr.Append(nil, s[:k+size])) - 2; n2 <= room {
				t.Fatalf("escapedPrefix(%q, %d) = %d: the next character fits too", s, room, k)
			}
		}
	}
}

// TestAppendFitKeepsTimesAndCorrelation: fitted to a size that leaves
// little of its columns, an alert keeps the line's times and
// CorrelationID whole, and lists neither as shortened: a cut time reads as
// another ("2" for a CreatedAt), and CorrelationID joins the alert to the
// request's other lines (fresh-user trial 34, F3).
func TestAppendFitKeepsTimesAndCorrelation(t *testing.T) {
	a := fitAlert(t, "z", 20000)
	fitted := 0
	for limit := 1200; limit >= 400; limit -= 10 {
		out, cut, ok := a.AppendFitJSON(nil, limit, FitColumns)
		if !ok {
			continue // too small for what is kept whole
		}
		fitted++
		var got map[string]any
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("limit %d: %v: %s", limit, err, out)
		}
		for _, col := range []string{parser.ColEventTime, parser.ColCreatedAt, parser.ColCorrelationID} {
			if want := a.Event.Get(col); want == "" || got[col] != want || slices.Contains(cut, col) {
				t.Errorf("limit %d: %s = %v (shortened: %q), want %q whole", limit, col, got[col], cut, want)
			}
		}
		if len(out) > limit {
			t.Errorf("limit %d: %d bytes", limit, len(out))
		}
	}
	if fitted < 10 {
		t.Errorf("only %d limits fitted: the test tests little", fitted)
	}
}

// TestAppendFitEmptyColumn: an alert column with an empty value can be
// left out like any other: at some size the alert fits only without it,
// and then it is absent from the JSON and named in "truncated".
func TestAppendFitEmptyColumn(t *testing.T) {
	a := fitAlert(t, "z", 5000)
	a.Columns = append([]Column{{"Note", ""}}, a.Columns...)
	left := 0 // sizes at which Note was left out
	for limit := 1000; limit >= 500; limit-- {
		out, cut, ok := a.AppendFitJSON(nil, limit, FitColumns)
		if !ok {
			continue
		}
		if len(out) > limit || !json.Valid(out) {
			t.Fatalf("limit %d: %d bytes, valid JSON %v (cut %q)", limit, len(out), json.Valid(out), cut)
		}
		if slices.Contains(cut, "Note") {
			if bytes.Contains(out, []byte(`"Note":`)) {
				t.Fatalf("limit %d: Note listed as cut but written: %s", limit, out)
			}
			left++
		}
	}
	if left == 0 {
		t.Error("Note never left out: no size needs it, or leaving it out is refused")
	}
}

// TestAppendFitLongKey: when raw and the columns cut or left out are not
// enough, the key's values are shortened, the longest first, so that an
// alert on a user name as long as GitLab logs it (an attacker's choice)
// still goes as valid JSON to a datagram destination (trial 210: a
// 300-character user name at max_message_bytes 800 was sent cut). The
// other identifying members stay whole.
func TestAppendFitLongKey(t *testing.T) {
	a := fitAlert(t, "z", 200)
	long := strings.Repeat("u", 300)
	a.Key = []Column{{"Username", long}, {"IPAddress", "198.51.100.4"}}
	full := a.AppendJSON(nil)
	for _, limit := range []int{800, 700} {
		out, cut, ok := a.AppendFitJSON(nil, limit, FitColumns)
		if !ok {
			t.Fatalf("fit to %d of %d refused", limit, len(full))
		}
		if len(out) > limit {
			t.Errorf("%d bytes, want at most %d", len(out), limit)
		}
		var got map[string]any
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("not valid JSON: %v\n%s", err, out)
		}
		u, _ := got["Username"].(string)
		if !slices.Contains(cut, "Username") || len(u) >= len(long) || !strings.HasPrefix(long, u) {
			t.Errorf("fit to %d: cut %q, Username %d bytes: want it listed and a shorter prefix", limit, cut, len(u))
		}
		for _, k := range []string{"rule", "alert_id", "time", "IPAddress", "EventTime", "CorrelationID"} {
			if got[k] == nil || slices.Contains(cut, k) {
				t.Errorf("fit to %d: %s = %v (cut %q), want it whole", limit, k, got[k], cut)
			}
		}
	}
	if _, _, ok := a.AppendFitJSON(nil, 300, FitRaw); ok {
		t.Errorf("FitRaw shortened the key")
	}
}

// TestListPrefix: a list column is shortened to whole items, a quoted
// item (a user name holding a comma or a quote) kept whole or left out,
// so that a CSV reader reads the items kept as they were (fresh-user
// trial 282: a cut inside a quoted name left it without its closing
// quote).
func TestListPrefix(t *testing.T) {
	v := joinList([]string{"alice", `u,1`, `say "hi"`, "bob"}) // alice,"u,1","say ""hi""",bob
	for _, tc := range []struct {
		k    int
		want string
	}{
		{len(v) - 1, `alice,"u,1","say ""hi"""`},
		{8, "alice"},
		{5, "alice"},
		{4, ""},
		{0, ""},
	} {
		got := v[:listPrefix(v, tc.k)]
		if got != tc.want {
			t.Errorf("listPrefix(%q, %d): %q, want %q", v, tc.k, got, tc.want)
		}
		if got != "" {
			r := csv.NewReader(strings.NewReader(got))
			if _, err := r.Read(); err != nil {
				t.Errorf("listPrefix(%q, %d): %q is no CSV record: %v", v, tc.k, got, err)
			}
		}
	}
}

// TestAppendFitList: an alert whose Usernames list is shortened to fit
// keeps whole items of it, each as joinList wrote it.
func TestAppendFitList(t *testing.T) {
	var names []string
	for i := range 20 {
		names = append(names, fmt.Sprintf(`"u%d, %s"`, i, strings.Repeat("é", 40)))
	}
	list := joinList(names)
	a := &Alert{Info: Info{ID: "gitlab.password_spray", Name: "GitLab - Password spraying from one address", Kind: KindWindow,
		Severity: SeverityMedium}, ID: "119e9cf2fc1e5060698e21966facdf4d", Time: time.Date(2025, 3, 4, 12, 0, 0, 0, time.UTC),
		Key: []Column{{"IPAddress", "198.51.100.4"}}, Columns: []Column{{"Usernames", list}}}
	full := a.AppendJSON(nil)
	got, cut, ok := a.AppendFitJSON(nil, len(full)/2, FitColumns)
	if !ok || !slices.Equal(cut, []string{"Usernames"}) {
		t.Fatalf("AppendFitJSON: %v, cut %v; want Usernames shortened", ok, cut)
	}
	var m map[string]any
	if err := json.Unmarshal(got, &m); err != nil {
		t.Fatal(err)
	}
	items, err := csv.NewReader(strings.NewReader(m["Usernames"].(string))).Read()
	if err != nil || len(items) == 0 || len(items) >= len(names) || !slices.Equal(items, names[:len(items)]) {
		t.Errorf("Usernames shortened to %q: items %q (%v), want a shorter run of the first whole names", m["Usernames"], items, err)
	}
}
