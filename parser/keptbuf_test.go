package parser

import (
	"strings"
	"testing"
)

// TestHugeLineBuffersDropped: after a line whose object value and key
// grew the parser's scratch buffers past maxKeptBuf, the next line leaves
// them dropped (trial 254: an Audit parser held 50 MB after one line).
func TestHugeLineBuffersDropped(t *testing.T) {
	big := strings.Repeat(`{"a":1},`, 300_000) // 2.4 MB of compacted array
	key := strings.Repeat(`\u0061`, 1_100_000) // an escaped key, 1.1 MB unescaped
	line := `{"author_id":1,"entity_id":1,"entity_type":"User","custom_message":[` + big + `{}],"` + key + `":1}`
	p := new(Audit)
	var r Record
	if err := p.Parse([]byte(line), &r); err != nil {
		t.Fatal(err)
	}
	if err := p.Parse([]byte(`{"author_id":1,"entity_id":1,"entity_type":"User","custom_message":{"a":1}}`), &r); err != nil {
		t.Fatal(err)
	}
	if c := p.obj.cbuf.Cap(); c > maxKeptBuf {
		t.Errorf("compacted-value buffer kept %d bytes", c)
	}
	if c := cap(p.obj.kbuf); c > maxKeptBuf {
		t.Errorf("key buffer kept %d bytes", c)
	}
}
