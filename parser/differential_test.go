package parser

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sampleFiles are the bundled sample logs at the repository root.
var sampleFiles = map[string]Type{
	"audit_json.log":            TypeAudit,
	"application_json.log":      TypeApplication,
	"application.log":           TypeApplication,
	"application_json_meta.log": TypeApplication,
	"gitlab_access.log":         TypeAccess,
	"auth_json.log":             TypeAuth,
	"broken.log":                TypeUnknown,
}

// caseFiles are the edge cases in testdata/ (typed columns, request lines
// that are not HTTP), one golden file each.
var caseFiles = map[string]Type{
	"audit_cases.log":       TypeAudit,
	"application_cases.log": TypeApplication,
	"access_cases.log":      TypeAccess,
}

// readLines returns the lines of a file under ../testdata.
func readLines(t testing.TB, name string) [][]byte {
	t.Helper()
	return readFileLines(t, filepath.Join("..", "testdata", name))
}

// readFileLines returns the lines of the file at path.
func readFileLines(t testing.TB, path string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read sample: %v", err)
	}
	var lines [][]byte
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		lines = append(lines, bytes.Clone(sc.Bytes()))
	}
	return lines
}

// allSampleLines returns every line of every sample file.
func allSampleLines(t testing.TB) [][]byte {
	var all [][]byte
	for name := range sampleFiles {
		all = append(all, readLines(t, name)...)
	}
	for name := range caseFiles {
		all = append(all, readFileLines(t, filepath.Join("testdata", name))...)
	}
	return all
}

// jsonEdgeCases exercise the scanner where it is easiest to get wrong.
var jsonEdgeCases = []string{
	`{}`,
	` { "severity" : "INFO" } `,
	"{\"severity\":\"INFO\"}\r",
	`{"author_name":"J\u00f6rg \ud83d\ude00 \ud800 \udc00x \ud83dx"}`,
	`{"author_name":"a\"b\\c\/d\b\f\n\r\t"}`,
	`{"author_name":"\u0000"}`,
	`{"author_id":-3,"entity_id":0,"target_id":1.5e10,"id":-0.0E+2}`,
	`{"author_id":01}`,
	`{"author_id":1.}`,
	`{"author_id":-}`,
	`{"author_id":+1}`,
	`{"author_id":1e}`,
	`{"author_name":"x","author_name":"y"}`,
	`{"author_name":"x","author_name":null}`,
	`{"author_name":"x","author_name":""}`,
	`{"details":{"author_name":"d"},"author_name":"t"}`,
	`{"author_name":"t","details":{"author_name":"d"}}`,
	`{"details":{"author_name":"d1","from":"a"},"details":{"author_name":"d2"}}`,
	`{"details":{"author_name":"d1"},"details":null}`,
	`{"details":{"details":{"author_name":"deep"}}}`,
	`{"details":[1,2]}`,
	`{"details":{"meta.user":"x"}}`,
	`{"custom_message":{"a" : [1, 2, {"b":null}], "c":"\u00e9"},"from":true,"to":false,"change":null}`,
	`{"custom_message":[],"from":{},"to":[ ]}`,
	`{"entity_type ":"User"," with":"saml"}`,
	`{"\u0061uthor_id":7,"meta.\u0078":"y"}`,
	`{"meta.caller_id":"a","meta.other":1,"meta.caller_id":"b","meta.":true}`,
	`{"severity":"INFO"}}`,
	`{"severity":"INFO"} x`,
	`{"severity":"INFO",}`,
	`{"severity" "INFO"}`,
	`{severity:"INFO"}`,
	`{"severity":'INFO'}`,
	`{"severity":tru}`,
	`{"severity":nul}`,
	`{"severity":"\x"}`,
	`{"severity":"\u12"}`,
	"{\"severity\":\"tab\there\"}",
	`{"severity":"INFO"`,
	`{"severity":`,
	`{"severity`,
	`{`,
	``,
	`   `,
	`[]`,
	`"string"`,
	`123`,
	`null`,
	`{"a":[1,[2,[3,{"b":[]}]]]}`,
	`{"a":[1,]}`,
	`{"a":[,1]}`,
	"{\"author_name\":\"\xff\xfe\",\"from\":{\"k\":\"\xc3\x28\"}}",
	"{\"\xff\":1}",
	"\xef\xbb\xbf{\"severity\":\"INFO\"}",
	`{"message":"Failed Login: username=a b ip=1.2.3.4"}`,
	`{"message":"Failed Login: username=x ip=y created a new project \"z\""}`,
	`{"message":"User \"a\" has started impersonating b"}`,
	`{"message":"created a new project \"p\""}`,
	`{"message":"x created a new project \"a created a new project \"b\""}`,
	`{"message":"Successful Login: username=r ip=1 method=m admin=maybe"}`,
	`{"message":"User \"a\" (b)   was removed"}`,
	`{"message":"Group \"g\" was deleted"}`,
	`{"message":42}`,
	`{"message":{"text":"Failed Login: username=a ip=b"}}`,
	`{"time":"2024-05-31T14:32:44.108Z","created_at":"2020-01-01T00:00:00Z"}`,
	`{"time":"","created_at":"2020-01-01T00:00:00Z"}`,
	`{"event_type":"x","event_name":"y"}`,
	`{"event_type":"x"}`,
	`{"message":"Rack_Attack","env":"throttle","ip":"1.2.3.4","remote_ip":"","fullpath":"/a","path":null}`,
	`{"remote_ip":"5.6.7.8","ip":"1.2.3.4","path":"/p","fullpath":"/f"}`,
	`{"status":429,"user_id":"42","deploy_token_id":7}`,
	`{"status":"4\u0032\u0039","user_id":"203.0.113.9","deploy_token_id":-7}`,
	`{"status":429.0,"user_id":1e3,"deploy_token_id":true}`,
	`{"status":{"code":429},"user_id":[1],"deploy_token_id":null}`,
	`{"username":"old","meta.user":"new"}`,
	`{"meta.user":"only-meta","meta.caller_id":"x"}`,
	`{"username":"","meta.user":"fallback"}`,
	`{"username":null,"meta.user":7}`,
	`{"meta.user":"first","meta.user":"second"}`,
	`{"env":{"nested":true},"matched":["a","b"],"request_method":"G\u0045T"}`,
}

func deepJSON(n int) string {
	return `{"a":` + strings.Repeat("[", n-1) + strings.Repeat("]", n-1) + `}`
}

func differentialInputs(t testing.TB) [][]byte {
	in := allSampleLines(t)
	for _, s := range jsonEdgeCases {
		in = append(in, []byte(s))
	}
	// encoding/json allows 10000 levels of nesting and no more.
	in = append(in, []byte(deepJSON(10000)), []byte(deepJSON(10001)))
	return in
}

// TestDifferential compares the Audit, Application and Auth parsers with a
// reference built on encoding/json and on goccy/go-json: any line the
// library accepts must give the same columns, any line it rejects an *Error.
func TestDifferential(t *testing.T) {
	for _, lib := range []jsonLib{stdLib, goccyLib} {
		t.Run(strings.ReplaceAll(lib.name, "/", "_"), func(t *testing.T) {
			for _, line := range differentialInputs(t) {
				if i := skipWS(line, 0); i >= len(line) || line[i] != '{' {
					// Text lines are not JSON; only the Audit parser must
					// reject them.
					checkDifferential(t, lib, TypeAudit, new(Audit), line)
					continue
				}
				if lib.name == goccyLib.name && stdLib.valid(line) != goccyLib.valid(line) {
					t.Logf("goccy/go-json and encoding/json disagree on validity of %.80q; skipped", line)
					continue
				}
				checkDifferential(t, lib, TypeAudit, new(Audit), line)
				checkDifferential(t, lib, TypeApplication, new(Application), line)
				checkDifferential(t, lib, TypeAuth, new(Auth), line)
			}
		})
	}
}

// TestMessagePatterns compares the message matcher with the regular
// expressions of the reference on the text samples.
func TestMessagePatterns(t *testing.T) {
	for _, line := range readLines(t, "application.log") {
		var r Record
		if err := new(Application).Parse(line, &r); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		msg, _ := r.Get(ColMessage)
		want := refMessage(string(msg))
		got := recordCols(&r)
		i := 0
		for i < len(got) && got[i].name != ColEventKind {
			i++
		}
		if formatCols(got[i:]) != formatCols(want) {
			t.Errorf("%q:\ngot\n%swant\n%s", line, formatCols(got[i:]), formatCols(want))
		}
	}
}
