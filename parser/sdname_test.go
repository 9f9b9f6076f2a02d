package parser

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strings"
	"testing"
)

// fnvHex is the 32-bit FNV-1a hash of s from the standard library, as the
// 8 hex digits the short form ends with.
func fnvHex(s string) string {
	h := fnv.New32a()
	h.Write([]byte(s))
	return fmt.Sprintf("%08x", h.Sum32())
}

func TestSDName(t *testing.T) {
	tests := []struct{ in, want string }{
		// Valid SD-NAMEs are kept as they are.
		{"AuthorName", "AuthorName"},
		{"artifacts_dependencies_count", "artifacts_dependencies_count"},
		{"meta.caller_id", "meta.caller_id"},
		{"a", "a"},
		{"~", "~"},
		{strings.Repeat("x", 32), strings.Repeat("x", 32)},
		{"gitlab@32473", "gitlab@32473"},
		// The 33-character Labkit key as a whole (the forwarder sends only
		// what follows "meta.", which fits).
		{"meta.artifacts_dependencies_count", "meta.artifacts_dependen~" + fnvHex("meta.artifacts_dependencies_count")},
		// Too long: the first 23 bytes, '~', the hash of all of it.
		{strings.Repeat("x", 33), strings.Repeat("x", 23) + "~" + fnvHex(strings.Repeat("x", 33))},
		// Each byte an SD-NAME cannot hold.
		{"user name", "user_name~a59136f5"},
		{"user=name", "user_name~b61063de"},
		{"user]name", "user_name~5e463e7e"},
		{`user"name`, "user_name~c4088ff3"},
		{"usér", "us__r~7cf2aa15"},
		{"tab\there", "tab_here~a0c92419"},
		{"\x7f", "_~" + fnvHex("\x7f")},
		{"", "~811c9dc5"},
		// The documented examples.
		{"artifacts_dependencies_count_per_project", "artifacts_dependencies_~b3598ed6"},
		{"a b", "a_b~10a3f9f2"},
	}
	for _, tt := range tests {
		if got := SDName(tt.in); got != tt.want {
			t.Errorf("SDName(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := string(AppendSDName([]byte("x"), tt.in)); got != "x"+tt.want {
			t.Errorf("AppendSDName(%q) = %q, want %q", tt.in, got, "x"+tt.want)
		}
		if ValidSDName(tt.in) != (tt.in == tt.want) {
			t.Errorf("ValidSDName(%q) = %v", tt.in, ValidSDName(tt.in))
		}
	}
}

// TestSDNameProperties checks on random names built from hostile pieces
// that the result is always a valid SD-NAME, that SDName is the identity
// exactly on valid names, that it is idempotent, and that a changed name
// ends in '~' and the standard library's FNV-1a hash of the whole name.
func TestSDNameProperties(t *testing.T) {
	pieces := []string{"a", "Z", "_", ".", "~", "@", "meta.", " ", "=", "]", `"`, "\x00", "\x7f", "\xff", "é", "日本",
		"artifacts_dependencies_count", strings.Repeat("y", 31)}
	r := rand.New(rand.NewPCG(10, 3))
	for range 20000 {
		var sb strings.Builder
		for range r.IntN(6) {
			sb.WriteString(pieces[r.IntN(len(pieces))])
		}
		in := sb.String()
		got := SDName(in)
		if !ValidSDName(got) {
			t.Fatalf("SDName(%q) = %q is not a valid SD-NAME", in, got)
		}
		if SDName(got) != got {
			t.Fatalf("SDName(SDName(%q)) = %q, want %q", in, SDName(got), got)
		}
		if ValidSDName(in) {
			if got != in {
				t.Fatalf("SDName(%q) = %q changed a valid name", in, got)
			}
			continue
		}
		if want := "~" + fnvHex(in); !strings.HasSuffix(got, want) || len(got) > MaxSDName {
			t.Fatalf("SDName(%q) = %q, want ...%s, at most %d bytes", in, got, want, MaxSDName)
		}
	}
}

// TestSDNameNoCollisions checks that names differing only after the bytes
// kept, or only in bytes replaced by '_', get different short forms, and
// that no short form equals a valid name of the set.
func TestSDNameNoCollisions(t *testing.T) {
	base := "artifacts_dependencies_count_of_"
	names := []string{
		base + "the_first_kind", base + "the_other_kind", base + "x", base + "y", base + "xx",
		"user name", "user=name", "user]name", `user"name`, "user_name",
		"usé", "us\xc3\xa8", "",
	}
	seen := map[string]string{}
	for _, n := range names {
		s := SDName(n)
		if prev, ok := seen[s]; ok {
			t.Errorf("%q and %q both become %q", prev, n, s)
		}
		seen[s] = n
	}
	if len(base) != 32 || SDName(base + "the_first_kind")[:23] != SDName(base + "the_other_kind")[:23] {
		t.Fatal("the test names must share their first 32 bytes")
	}
}

func TestAppendSDNameDoesNotAllocate(t *testing.T) {
	buf := make([]byte, 0, 64)
	for _, name := range []string{"meta.caller_id", strings.Repeat("n", 40), "user name"} {
		if n := testing.AllocsPerRun(100, func() { buf = AppendSDName(buf[:0], name) }); n != 0 {
			t.Errorf("AppendSDName(%q): %v allocations", name, n)
		}
	}
}

// TestColumnsAreSDNames checks that every fixed column of every log type
// reaches the wire under its own name.
func TestColumnsAreSDNames(t *testing.T) {
	for typ := TypeUnknown + 1; typ.String() != "unknown"; typ++ {
		cols := Columns(typ)
		if len(cols) == 0 {
			t.Errorf("%s: no columns", typ)
		}
		for _, c := range cols {
			if !ValidSDName(c) || strings.HasPrefix(c, MetaPrefix) {
				t.Errorf("%s column %q is not a valid SD-NAME outside meta.*", typ, c)
			}
		}
	}
}

// TestMetaColumnNames checks the names the JSON parsers give meta.* keys:
// the key when what follows "meta." is a valid SD-NAME, else "meta." and
// its short form; a repeated key is one column with the last value.
func TestMetaColumnNames(t *testing.T) {
	tests := []struct {
		name, line string
		want       []string // name=value of the meta.* columns, in order
	}{
		{"33-character Labkit key",
			`{"entity_id":null,"severity":"INFO","time":"2024-06-03T09:12:44.512Z","meta.caller_id":"POST /api/:version/jobs/request","meta.artifacts_dependencies_count":3,"message":"m"}`,
			[]string{"meta.caller_id=POST /api/:version/jobs/request", "meta.artifacts_dependencies_count=3"}},
		{"forbidden bytes",
			`{"entity_id":null,"severity":"INFO","time":"-","meta.user name":"1","meta.a=b":"2","meta.a]b":"3","meta.q\"uote":"4","meta.café":"5","meta.":"6","meta.\u0001":"7"}`,
			[]string{"meta.user_name~a59136f5=1", "meta.a_b~0ab0bc73=2", "meta.a_b~0b9e3f13=3", "meta.q_uote~029dc4d9=4",
				"meta.caf__~a82b5049=5", "meta.~811c9dc5=6", "meta._~" + fnvHex("\x01") + "=7"}},
		{"long keys sharing 32 characters, one repeated",
			`{"entity_id":null,"severity":"INFO","time":"-","meta.artifacts_dependencies_count_of_the_first_kind":"1","meta.artifacts_dependencies_count_of_the_other_kind":"2","meta.artifacts_dependencies_count_of_the_first_kind":"3"}`,
			[]string{"meta.artifacts_dependencies_~985fb1f4=3", "meta.artifacts_dependencies_~7b6f2898=2"}},
		{"longest key GitLab writes",
			`{"entity_id":null,"severity":"INFO","time":"-","meta.sidekiq_destination_shard_name":"default"}`,
			[]string{"meta.sidekiq_destination_shard_name=default"}},
	}
	for _, tt := range tests {
		for _, p := range []Parser{new(Application), new(Audit)} {
			t.Run(fmt.Sprintf("%s/%T", tt.name, p), func(t *testing.T) {
				var r Record
				// Twice: the second parse takes the names from the cache.
				for range 2 {
					if err := p.Parse([]byte(tt.line), &r); err != nil {
						t.Fatal(err)
					}
					var got []string
					for _, f := range r.Fields {
						if strings.HasPrefix(f.Name, MetaPrefix) {
							got = append(got, f.Name+"="+string(f.Value))
							if !ValidSDName(f.Name[len(MetaPrefix):]) {
								t.Errorf("column %q: %q is not an SD-NAME", f.Name, f.Name[len(MetaPrefix):])
							}
						}
					}
					if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
						t.Fatalf("meta columns\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
					}
				}
			})
		}
	}
}

// FuzzSDName checks that any name gives a valid SD-NAME, that valid names
// are kept, that SDName is idempotent and that AppendSDName agrees.
func FuzzSDName(f *testing.F) {
	for _, s := range []string{"", "a", "meta.caller_id", "user name", "usér", strings.Repeat("x", 33), "\xff=]\""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		got := SDName(name)
		if !ValidSDName(got) || SDName(got) != got || (ValidSDName(name) && got != name) {
			t.Fatalf("SDName(%q) = %q", name, got)
		}
		if a := string(AppendSDName(nil, name)); a != got {
			t.Fatalf("AppendSDName(%q) = %q, SDName %q", name, a, got)
		}
	})
}
