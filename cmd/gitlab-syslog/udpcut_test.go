package main

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRunUDPCutKeepsLine: over udp:// with the default max_message_bytes
// (8192), an audit line of about 6 KB, whose columns as STRUCTURED-DATA
// would double the message past the limit, arrives whole as MSG, its
// STRUCTURED-DATA dropped, and run logs the cut once with what to do
// (trial: the line arrived cut, as invalid JSON, with no word of it); a
// line too long even alone is cut, and that is logged once on its own
// (final trial: one warning said "dropped, or cut" for both).
func TestRunUDPCutKeepsLine(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	dir := t.TempDir()
	line := `{"severity":"INFO","time":"2025-03-04T12:00:00.000Z","author_id":1,"author_name":"Administrator","entity_id":1,"entity_type":"User","custom_message":"` +
		strings.Repeat("x", 3000) + `","target_details":"` + strings.Repeat("y", 3000) + `"}`
	long := strings.Replace(line, strings.Repeat("x", 3000), strings.Repeat("x", 9000), 1) // over 8192 alone: MSG cut
	if err := os.WriteFile(filepath.Join(dir, "audit_json.log"), []byte(line+"\n"+long+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runCmd(t, "--log-dir", dir, "--to", "udp://"+pc.LocalAddr().String(), "--once", "--state-dir", t.TempDir())
	if r.err != nil {
		t.Fatalf("run: %v\n%s", r.err, r.stderr)
	}
	buf := make([]byte, 65536)
	_ = pc.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, _, err := pc.ReadFrom(buf)
	if err != nil {
		t.Fatal(err)
	}
	d := string(buf[:n])
	if n > 8192 || !strings.HasSuffix(d, " - "+line) {
		t.Errorf("datagram of %d bytes; want at most 8192 ending in \" - \" and the whole line: %.200q", n, d)
	}
	for _, want := range []string{
		"a message longer than max_message_bytes was cut to fit a datagram: its STRUCTURED-DATA dropped, its MSG (the line) whole",
		"a message longer than max_message_bytes was cut to fit a datagram: its MSG (the line) cut",
	} {
		if n := strings.Count(r.stderr, want); n != 1 {
			t.Errorf("%d warnings %q, want 1:\n%s", n, want, r.stderr)
		}
	}
	if !strings.Contains(r.stderr, "raise max_message_bytes (forward.max_message_bytes or --max-message-bytes, up to 65507)") {
		t.Errorf("the warnings do not say what to do:\n%s", r.stderr)
	}
}

// TestSendMaxMessageBytesFlag: send takes --max-message-bytes, which the
// datagram warning names (fresh-user trial 55: the warning said to raise
// forward.max_message_bytes, which send had no way to set): with 16KiB a
// message of about 9 KB arrives whole in one datagram, over the default
// 8192; a value out of range is refused under the flag's name.
func TestSendMaxMessageBytesFlag(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	line := `{"severity":"INFO","time":"2025-03-04T12:00:00.000Z","author_id":1,"author_name":"Administrator","entity_id":1,"entity_type":"User","custom_message":"` +
		strings.Repeat("x", 9000) + `"}`
	path := filepath.Join(t.TempDir(), "audit_json.log")
	if err := os.WriteFile(path, []byte(line+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := execute(t, "send", "--to", "udp://"+pc.LocalAddr().String(), "--max-message-bytes", "16KiB", path)
	if err != nil {
		t.Fatalf("send: %v\n%s", err, out)
	}
	buf := make([]byte, 65536)
	_ = pc.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, _, err := pc.ReadFrom(buf)
	if err != nil {
		t.Fatal(err)
	}
	if d := string(buf[:n]); n <= 8192 || !strings.HasSuffix(d, " "+line) {
		t.Errorf("datagram of %d bytes; want over the default 8192, ending in the whole line: %.200q", n, d)
	}
	if _, err := execute(t, "send", "--to", "udp://"+pc.LocalAddr().String(), "--max-message-bytes", "100", path); err == nil || !strings.Contains(err.Error(), "--max-message-bytes: 100 is below 480") {
		t.Errorf("--max-message-bytes 100: err %v, want it refused under the flag's name", err)
	}
}

// TestSendUDPCutAtMaxNoRaiseHint: with max_message_bytes already at the
// largest UDP payload (65507), the cut warning does not say to raise it,
// only what else to do (fresh-user trial 88: "raise max_message_bytes
// (... up to 65507)" with max_message_bytes=65507).
func TestSendUDPCutAtMaxNoRaiseHint(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	line := `{"severity":"INFO","time":"2025-03-04T12:00:00.000Z","author_id":1,"author_name":"Administrator","entity_id":1,"entity_type":"User","custom_message":"` +
		strings.Repeat("x", 70000) + `"}`
	path := filepath.Join(t.TempDir(), "audit_json.log")
	if err := os.WriteFile(path, []byte(line+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := execute(t, "send", "--to", "udp://"+pc.LocalAddr().String(), "--max-message-bytes", "65507", path)
	if err != nil {
		t.Fatalf("send: %v\n%s", err, out)
	}
	if !strings.Contains(out, "cut to fit a datagram") || !strings.Contains(out, "or use tcp:// or tls://, which cut nothing") {
		t.Fatalf("no cut warning with what to do:\n%s", out)
	}
	if strings.Contains(out, "raise max_message_bytes") {
		t.Errorf("the warning says to raise max_message_bytes, at its largest already:\n%s", out)
	}
}
