package streaming

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
)

// postBatch POSTs body as GitLab's batched delivery does: with the token,
// and without the X-Gitlab-Audit-Event-Type header.
func (tr *testReceiver) postBatch(t testing.TB, body string) (int, string) {
	t.Helper()
	code, answer, _ := tr.postJSON(t, body)
	return code, answer
}

// postJSON POSTs body with the token and a JSON Content-Type, without the
// X-Gitlab-Audit-Event-Type header, adding the headers given as name,
// value pairs (a name given twice has both values), and returns the
// answer's status code, body and header.
func (tr *testReceiver) postJSON(t testing.TB, body string, header ...string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, tr.url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set(TokenHeader, tokenA)
	req.Header.Set("Content-Type", jsonType)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	resp, err := tr.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(answer), resp.Header
}

func readSpool(t testing.TB, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(data)
}

// TestBatch: a JSON array of events (GitLab's batched delivery, without the
// event type header) is answered 200 and spools the same lines, in array
// order, as the same events posted one by one.
func TestBatch(t *testing.T) {
	events := []string{payloadMR88509, payloadDocs, payloadFalco}
	single := start(t, Config{})
	for _, e := range events {
		if code := single.post(t, tokenA, jsonType, e); code != http.StatusOK {
			t.Fatalf("single post: status %d", code)
		}
	}
	want := readSpool(t, single.SpoolPath())

	batch := start(t, Config{})
	code, answer := batch.postBatch(t, "["+strings.Join(events, ",")+"]")
	if code != http.StatusOK || answer != "ok: 3 spooled, 0 duplicate\n" {
		t.Fatalf("batch: %d %q, want 200", code, answer)
	}
	if got := readSpool(t, batch.SpoolPath()); got != want {
		t.Errorf("batch spooled\n%s\nwant, as three single posts spool,\n%s", got, want)
	}
	if n := strings.Count(want, "\n"); n != 3 {
		t.Errorf("single posts spooled %d lines", n)
	}
	if s := batch.Stats(); s.Accepted != 3 || s.Batches != 1 || s.Duplicates != 0 || s.Invalid != 0 {
		t.Errorf("stats %+v, want 3 accepted in 1 batch", s)
	}
}

// TestBatchPretty: a pretty-printed array, with white space and newlines
// around and between its elements and inside them, spools one compact line
// per element, as single posts of the elements do.
func TestBatchPretty(t *testing.T) {
	elems := []string{payloadFalco, "{\n  \"id\": 5,\n  \"details\": {\"custom_message\": \"two\\nlines\"}\n}"}
	single := start(t, Config{})
	for _, e := range elems {
		if code := single.post(t, tokenA, jsonType, e); code != http.StatusOK {
			t.Fatalf("single post: status %d", code)
		}
	}
	want := readSpool(t, single.SpoolPath())

	batch := start(t, Config{})
	body := " \r\n[\n  " + strings.ReplaceAll(elems[0], "\n", "\n  ") + "\t,\r\n\n" + elems[1] + "\n]\n"
	if code, answer := batch.postBatch(t, body); code != http.StatusOK {
		t.Fatalf("batch: %d %q, want 200", code, answer)
	}
	got := readSpool(t, batch.SpoolPath())
	if got != want {
		t.Errorf("batch spooled\n%s\nwant\n%s", got, want)
	}
	if lines := spoolLines(t, batch.SpoolPath()); len(lines) != 2 {
		t.Errorf("%d spool lines, want 2: %q", len(lines), lines)
	}
}

// TestBatchDedupe: each element of a batch is deduplicated as a single
// event is: against the events spooled before (by a single post or an
// earlier batch) and the elements before it in the array; an element
// without an id is never a repeat.
func TestBatchDedupe(t *testing.T) {
	dir := t.TempDir()
	tr := start(t, Config{SpoolDir: dir})
	if code := tr.post(t, tokenA, jsonType, payloadMR88509); code != http.StatusOK {
		t.Fatalf("single post: status %d", code)
	}
	noID := `{"event_type":"no id"}`
	body := "[" + strings.Join([]string{payloadDocs, payloadMR88509, compact(t, payloadDocs), noID, noID}, ",") + "]"
	code, answer := tr.postBatch(t, body)
	if code != http.StatusOK || answer != "ok: 3 spooled, 2 duplicate\n" {
		t.Fatalf("batch: %d %q", code, answer)
	}
	want := []string{compact(t, payloadMR88509), compact(t, payloadDocs), noID, noID}
	lines := spoolLines(t, tr.SpoolPath())
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("spool\n%q\nwant\n%q", lines, want)
	}
	if s := tr.Stats(); s.Accepted != 4 || s.Duplicates != 2 || s.NoID != 2 || s.Batches != 1 {
		t.Errorf("stats %+v, want 4 accepted, 2 duplicates, 2 without id", s)
	}
	// The same batch again: only the events without an id are spooled.
	if code, answer := tr.postBatch(t, body); code != http.StatusOK || answer != "ok: 2 spooled, 3 duplicate\n" {
		t.Fatalf("batch again: %d %q", code, answer)
	}
	// A single post of an event a batch spooled is a repeat.
	if code, answer := tr.postAnswer(t, tokenA, jsonType, payloadDocs); code != http.StatusOK || answer != "duplicate\n" {
		t.Errorf("single post after the batch: %d %q, want 200 duplicate", code, answer)
	}
	if n := len(spoolLines(t, tr.SpoolPath())); n != 6 {
		t.Errorf("%d spool lines, want 6", n)
	}
	tr.stop()

	// The batch's keys are in the dedupe log: a restart remembers them.
	tr2 := start(t, Config{SpoolDir: dir})
	if code, answer := tr2.postBatch(t, "["+payloadDocs+","+payloadMR88509+"]"); code != http.StatusOK || answer != "ok: 0 spooled, 2 duplicate\n" {
		t.Errorf("after restart: %d %q", code, answer)
	}
}

// TestBatchEmpty: an empty array is answered 200 and spools nothing.
func TestBatchEmpty(t *testing.T) {
	tr := start(t, Config{})
	for _, body := range []string{"[]", " [ \n ] \n"} {
		if code, answer := tr.postBatch(t, body); code != http.StatusOK || answer != "ok: 0 spooled, 0 duplicate\n" {
			t.Errorf("%q: %d %q, want 200", body, code, answer)
		}
	}
	if got := readSpool(t, tr.SpoolPath()); got != "" {
		t.Errorf("spool: %q", got)
	}
	if s := tr.Stats(); s.Batches != 2 || s.Accepted != 0 || s.Invalid != 0 || s.Syncs != 0 {
		t.Errorf("stats %+v, want 2 batches, nothing accepted nor synced", s)
	}
}

// TestBatchNotObject: an array with an element that is not an object is
// refused with 400 naming the element and what it is, and none of its
// elements, not even the valid ones before it, is spooled.
func TestBatchNotObject(t *testing.T) {
	tr := start(t, Config{})
	const one = ", not an event object; GitLab sends one JSON event object per request, or a JSON array of them\n"
	cases := []struct{ body, answer string }{
		{`[{"id":1},2]`, "element 1 of the array (counting from 0) is a JSON number" + one},
		{`[{"id":1}, {"id":2}, "x"]`, "element 2 of the array (counting from 0) is a JSON string" + one},
		{`[{"id":1},[{"id":2}]]`, "element 1 of the array (counting from 0) is a JSON array" + one},
		{`[null,{"id":1}]`, "element 0 of the array (counting from 0) is JSON null" + one},
		{"[{\"id\":1},\n  true\n]", "element 1 of the array (counting from 0) is JSON true or false" + one},
	}
	for _, tc := range cases {
		code, answer := tr.postBatch(t, tc.body)
		if code != http.StatusBadRequest || answer != tc.answer {
			t.Errorf("%q: %d %q, want 400 %q", tc.body, code, answer, tc.answer)
		}
	}
	if got := readSpool(t, tr.SpoolPath()); got != "" {
		t.Errorf("spool: %q", got)
	}
	if s := tr.Stats(); s.Invalid != uint64(len(cases)) || s.Accepted != 0 || s.Batches != 0 {
		t.Errorf("stats %+v, want %d invalid", s, len(cases))
	}
	// The refused events were not remembered as spooled.
	if code, answer := tr.postBatch(t, `[{"id":1},{"id":2}]`); code != http.StatusOK || answer != "ok: 2 spooled, 0 duplicate\n" {
		t.Errorf("valid batch after: %d %q", code, answer)
	}
}

// TestBatchOversize: max_body applies to the whole batch: 413, and nothing
// spooled, even though each element would fit alone.
func TestBatchOversize(t *testing.T) {
	tr := start(t, Config{MaxBody: 1024})
	ev := func(id int) string {
		return `{"id":` + string(rune('0'+id)) + `,"p":"` + strings.Repeat("x", 600) + `"}`
	}
	code, _ := tr.postBatch(t, "["+ev(1)+","+ev(2)+"]")
	if code != http.StatusRequestEntityTooLarge {
		t.Errorf("batch of 2x600 bytes: status %d, want 413", code)
	}
	if got := readSpool(t, tr.SpoolPath()); got != "" {
		t.Errorf("spool after 413: %q", got)
	}
	if code, _ := tr.postBatch(t, "["+ev(1)+"]"); code != http.StatusOK {
		t.Errorf("batch of one 600-byte event: status %d, want 200", code)
	}
	if s := tr.Stats(); s.TooLarge != 1 || s.Accepted != 1 {
		t.Errorf("stats %+v", s)
	}
}

// TestBatchConcurrent: concurrent batches sharing events, in different
// orders, and single posts of the same events all get 200 (none waits on
// another forever), and each event is spooled once.
func TestBatchConcurrent(t *testing.T) {
	tr := start(t, Config{})
	orders := [][]int{{1, 2, 3, 4, 5}, {5, 4, 3, 2, 1}, {3, 1, 5, 2, 4}, {2, 5, 1, 4, 3}}
	errs := make(chan string, 64)
	var wg sync.WaitGroup
	for round := 0; round < 4; round++ {
		for _, o := range orders {
			wg.Add(1)
			go func() {
				defer wg.Done()
				elems := make([]string, len(o))
				for i, id := range o {
					elems[i] = fmt.Sprintf(`{"id":%d,"event_type":"x","created_at":"2026-12-01T00:00:0%dZ"}`, id, id)
				}
				if code, answer := tr.postBatch(t, "["+strings.Join(elems, ",")+"]"); code != http.StatusOK {
					errs <- fmt.Sprintf("batch %v: %d %q", o, code, answer)
				}
			}()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if code := tr.post(t, tokenA, jsonType, `{"id":3,"event_type":"x","created_at":"2026-12-01T00:00:03Z"}`); code != http.StatusOK {
				errs <- fmt.Sprintf("single: %d", code)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if n := len(spoolLines(t, tr.SpoolPath())); n != 5 {
		t.Errorf("%d spool lines, want 5", n)
	}
	if s := tr.Stats(); s.Accepted != 5 || s.Duplicates != 4*4*5+4-5 {
		t.Errorf("stats %+v, want 5 accepted and %d duplicates", s, 4*4*5+4-5)
	}
}
