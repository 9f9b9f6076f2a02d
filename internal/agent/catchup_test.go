package agent

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/container"
	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
	"github.com/gitlab-syslog/gitlab-syslog/internal/inputs"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/loadgen"
	"github.com/gitlab-syslog/gitlab-syslog/tailer"
	"github.com/gitlab-syslog/gitlab-syslog/tailer/checkpoint"
)

func TestForEachLine(t *testing.T) {
	long := strings.Repeat("x", 70<<10) // longer than the 64 KiB buffer
	tests := []struct {
		name, in string
		off      int64
		want     []string // "line@end"
	}{
		{"plain", "a\nbb\n", 0, []string{"a@2", "bb@5"}},
		{"offset and CRLF", "a\r\nb\n", 100, []string{"a@103", "b@105"}},
		{"partial last line left out", "a\nb", 0, []string{"a@2"}},
		{"long line cut, offsets exact", long + "\nz\n", 0, []string{strings.Repeat("x", 64<<10) + "@" + strconv.Itoa(len(long)+1), "z@" + strconv.Itoa(len(long)+3)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			n, err := forEachLine(strings.NewReader(tt.in), tt.off, func(line []byte, end int64) {
				got = append(got, string(line)+"@"+strconv.Itoa(int(end)))
			})
			if err != nil || n != len(tt.want) {
				t.Fatalf("n=%d err=%v, want %d lines", n, err, len(tt.want))
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("line %d: %.40q, want %.40q", i, got[i], tt.want[i])
				}
			}
		})
	}
}

// TestCatchUpRanges: the catch-up folds the lines after the engine's
// position up to the tailer's checkpoint in the file the engine's position
// is in: the checkpoint's own file, or, while that one was a file renamed
// away and still drained, the newer file whose position the checkpoint
// keeps apart (Next), or a file renamed away between the two (Between);
// then, in order, the files begun since the save (position.Then: created
// or rotated in), from their start, a file drained before the checkpoint
// moved on to its end (trial 37 F3 k2-k4: they were not caught up);
// nothing when the state leads to none of the checkpoint's files.
func TestCatchUpRanges(t *testing.T) {
	ck := &checkpoint.Position{File: "/l/app.log.1", Dev: 1, Ino: 10, Offset: 900,
		Next:    &checkpoint.FilePosition{File: "/l/app.log", Dev: 1, Ino: 20, Offset: 300},
		Between: []checkpoint.FilePosition{{File: "/l/app.log.1", Dev: 1, Ino: 15, Offset: 700}}}
	gone, old, mid, cur := fileKey(tailer.FileID{Dev: 1, Ino: 5}), fileKey(tailer.FileID{Dev: 1, Ino: 10}), fileKey(tailer.FileID{Dev: 1, Ino: 15}), fileKey(tailer.FileID{Dev: 1, Ino: 20})
	noNext := *ck
	noNext.Next = nil
	atCur := &checkpoint.Position{File: "/l/app.log", Dev: 1, Ino: 20, Offset: 300}
	for _, tc := range []struct {
		name   string
		from   position
		ck     *checkpoint.Position
		want   []catchRange
		linked bool
	}{
		{"behind in the checkpoint's file", position{FileID: old, Offset: 100}, ck, []catchRange{{name: "/l/app.log.1", id: old, start: 100, end: 900}}, true},
		{"behind in the newer file", position{FileID: cur, Offset: 100}, ck, []catchRange{{name: "/l/app.log", id: cur, start: 100, end: 300}}, true},
		{"at the newer file's position", position{FileID: cur, Offset: 300}, ck, nil, true},
		{"ahead of the checkpoint", position{FileID: cur, Offset: 400}, ck, nil, true},
		{"behind in a file between", position{FileID: mid, Offset: 100}, ck, []catchRange{{name: "/l/app.log.1", id: mid, start: 100, end: 700}}, true},
		{"in another file", position{FileID: fileKey(tailer.FileID{Dev: 1, Ino: 30})}, ck, nil, false},
		{"newer file without Next (version 1)", position{FileID: cur, Offset: 100}, &noNext, nil, false},
		// k3: rotated after the save, the checkpoint keeps the new file apart.
		{"rotated in after the save", position{FileID: old, Offset: 100, Then: []string{mid, cur}}, ck,
			[]catchRange{{name: "/l/app.log.1", id: old, start: 100, end: 900}, {name: "/l/app.log.1", id: mid, start: 0, end: 700}, {name: "/l/app.log", id: cur, start: 0, end: 300}}, true},
		// k4: the rotated file was drained, the checkpoint is in the new one.
		{"drained and rotated away after the save", position{FileID: gone, Offset: 100, Then: []string{cur}}, atCur,
			[]catchRange{{name: "", id: gone, start: 100, end: -1}, {name: "/l/app.log", id: cur, start: 0, end: 300}}, true},
		// k2: no file when the state was saved.
		{"created after the save", position{Then: []string{cur}}, atCur, []catchRange{{name: "/l/app.log", id: cur, start: 0, end: 300}}, true},
		{"created, rotated and created again", position{Then: []string{gone, cur}}, atCur,
			[]catchRange{{name: "", id: gone, start: 0, end: -1}, {name: "/l/app.log", id: cur, start: 0, end: 300}}, true},
		{"begun, not yet checkpointed", position{FileID: cur, Offset: 100, Then: []string{gone}}, atCur, []catchRange{{name: "/l/app.log", id: cur, start: 100, end: 300}}, true},
		// Detections off meanwhile: the checkpoint moved on into files the
		// state never followed.
		{"state older than the checkpoint's files", position{FileID: gone, Offset: 100}, atCur, nil, false},
		{"no file, none begun", position{}, atCur, nil, false},
	} {
		got, linked := catchUpRanges(tc.from, tc.ck, nil)
		if linked != tc.linked || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: catchUpRanges = %+v, %v; want %+v, %v", tc.name, got, linked, tc.want, tc.linked)
		}
	}
}

// TestOpenFile: the catch-up finds the checkpointed file by device and
// inode when a rotation renamed it away from its path since the
// checkpoint (before, it gave up with "no longer the checkpointed file"
// and the lines after the last detection save were never folded), also
// in the source's olddir and under its logrotate extension's names
// (fresh-user trial 68: not there).
func TestOpenFile(t *testing.T) {
	for _, tc := range []struct {
		name    string
		rename  string        // where the checkpointed file goes; "": it stays
		to      string        // or its new name in the test's directory, which may be in old/
		copies  tailer.Config // the source's olddir and extension (its Path is the source's)
		remove  bool          // the checkpointed file is deleted
		symlink bool          // the source path is a symlink to the file, in another directory (Kubernetes)
		want    string        // the content read; "": an error
	}{
		{name: "renamed into the olddir", to: "old/audit[1]_json.log.1", copies: tailer.Config{OldDir: "old"}, want: "old\n"},
		{name: "renamed with the extension", to: "audit[1]_json.1.log", copies: tailer.Config{Extension: ".log"}, want: "old\n"},
		{name: "renamed into the olddir with the extension", to: "old/audit[1]_json-20261201.log", copies: tailer.Config{OldDir: "old", Extension: ".log"}, want: "old\n"},
		{name: "renamed into a directory not given", to: "old/audit[1]_json.log.1"},
		{name: "still at its path", want: "old\n"},
		{name: "renamed to .1, new file at the path", rename: ".1", want: "old\n"},
		{name: "renamed to a dated name", rename: "-20261129", want: "old\n"},
		{name: "deleted", remove: true},
		{name: "a symlink, still at its target", symlink: true, want: "old\n"},
		{name: "a symlink, its target renamed as the kubelet does", symlink: true, rename: ".20261201-120000", want: "old\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "audit[1]_json.log") // glob characters in the name
			if err := os.WriteFile(path, []byte("old\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			source := path
			if tc.symlink {
				source = filepath.Join(t.TempDir(), "audit_json.log")
				if err := os.Symlink(path, source); err != nil {
					t.Fatal(err)
				}
			}
			id, _, _ := keyOfFile(t, path)
			if err := os.WriteFile(path+".2", []byte("older\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			switch {
			case tc.remove:
				if err := os.Remove(path); err != nil {
					t.Fatal(err)
				}
			case tc.rename != "":
				if err := os.Rename(path, path+tc.rename); err != nil {
					t.Fatal(err)
				}
			case tc.to != "":
				if err := os.MkdirAll(filepath.Join(dir, "old"), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.Rename(path, filepath.Join(dir, tc.to)); err != nil {
					t.Fatal(err)
				}
			}
			if tc.rename != "" || tc.to != "" { // (not after a delete: the new file could get the freed inode)
				if err := os.WriteFile(path, []byte("new\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			copies := tc.copies
			copies.Path = source
			f, err := openFile(source, copies, id)
			if tc.want == "" {
				if err == nil {
					f.Close()
					t.Fatalf("openFile found %s, want an error", f.Name())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			b, err := io.ReadAll(f)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tc.want {
				t.Errorf("read %q from %s, want %q", b, f.Name(), tc.want)
			}
		})
	}
}

// TestCatchUpAlertsNotCounted: the alerts the catch-up raises again are
// dropped (they were delivered before the restart) and are not counted
// in detect_alerts_total, nor in --once's alerts_raised, which count the alerts this process sent
// (before, the metric counted them though none was sent). Alerts sent
// after the catch-up are counted.
func TestCatchUpAlertsNotCounted(t *testing.T) {
	const rule = "falco.pat_created"
	src := filepath.Join("..", "..", "testdata", "detections", rule, "audit_json.log")
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "audit_json.log")
	d, e, from, ck := catchUpScene(t, rule, path, data)
	s := &source{cfg: config.Source{Type: "audit", Path: path}, detPos: new(srcPos)}
	if _, _, err := s.catchUp(d, detectionWorker(t, e), from, ck); err != nil {
		t.Fatal(err)
	}
	raised := e.Stats().Rules[rule].Alerts
	if raised == 0 {
		t.Fatalf("the catch-up of %s raised no %s alert: the test checks nothing", src, rule)
	}
	if got := d.stats().Rules[rule].Alerts; got != 0 {
		t.Errorf("after a catch-up that raised %d alerts and sent none, detect_alerts_total = %d, want 0", raised, got)
	}
	a := &Agent{det: d} // --once's alerts_raised (trial 145: it counted the dropped ones)
	if got := a.alertsRaised(); got != 0 {
		t.Errorf("after a catch-up that raised %d alerts and sent none, alerts_raised = %d, want 0", raised, got)
	}

	// A later line that alerts (another event, ten minutes on) is sent and
	// counted.
	line := bytes.TrimSpace(data)
	line = bytes.Replace(line, []byte("12:10:00.000Z"), []byte("12:20:00.000Z"), 1)
	line = bytes.Replace(line, []byte("01HQ0000000000000000000000"), []byte("01HQ0000000000000000000001"), 1)
	line = bytes.Replace(line, []byte(`"id":5064`), []byte(`"id":5065`), 1) // the event id: another event
	sl := slot{s: s, tb: &tailer.Batch{File: tailer.FileID{Dev: ck.Dev, Ino: ck.Ino}, Data: line, Ends: []int{len(line)}, Offsets: []int64{ck.Offset + int64(len(line)) + 1}}}
	w := detectionWorker(t, e)
	var ar detect.EventArena
	w.arena = &ar
	w.encode(sl.tb, &sl.fb, &sl.events, &container.Carry{})
	if len(sl.events) != 1 {
		t.Fatalf("the live line made %d events, want 1", len(sl.events))
	}
	sent := d.process(&sl)
	if got := d.stats().Rules[rule].Alerts; sent == 0 || got != uint64(sent) {
		t.Errorf("a live batch sent %d alerts; detect_alerts_total = %d, want %d", sent, got, sent)
	}
	if got := a.alertsRaised(); got != uint64(sent) {
		t.Errorf("a live batch sent %d alerts; alerts_raised = %d", sent, got)
	}
}

// TestSrcPosCut: srcPos.set tells a truncation in place (copytruncate)
// from a file begun, whether the tailer drained the rotated copy first
// (a batch of another file starting inside it) or not (the file read
// again from 0), and reports the file's head before the truncation.
func TestSrcPosCut(t *testing.T) {
	live := tailer.FileID{Dev: 1, Ino: 10, FingerprintLen: 40}
	live.Fingerprint[0] = 1
	after := live // the same file, new first bytes
	after.Fingerprint[0], after.FingerprintLen = 2, 20
	cp := tailer.FileID{Dev: 1, Ino: 11, FingerprintLen: 60}
	other := tailer.FileID{Dev: 1, Ino: 12, FingerprintLen: 30}
	older := tailer.FileID{Dev: 1, Ino: 13, FingerprintLen: 40} // as many first bytes as live's, others
	older.Fingerprint[0] = 3
	batch := func(id tailer.FileID, start, end int64) *tailer.Batch {
		return &tailer.Batch{File: id, Start: start, Ends: []int{1}, Offsets: []int64{end}}
	}
	liveKey := fileKey(live)
	wantCut := cutOf(liveKey, live)
	for _, tc := range []struct {
		name    string
		batches []*tailer.Batch
		want    []mark
	}{
		{"read on", []*tailer.Batch{batch(live, 0, 100), batch(live, 100, 200)}, []mark{{}, {}}},
		{"truncated, read again from 0", []*tailer.Batch{batch(live, 0, 100), batch(after, 0, 50), batch(after, 50, 90)},
			[]mark{{}, {cut: wantCut}, {}}},
		{"truncated, copy drained first", []*tailer.Batch{batch(live, 0, 100), batch(cp, 100, 150), batch(after, 0, 50)},
			[]mark{{}, {cut: wantCut}, {began: liveKey}}}, // began: already the position's file
		{"rotated by rename", []*tailer.Batch{batch(live, 0, 100), batch(other, 0, 50), batch(live, 100, 120)},
			[]mark{{}, {began: fileKey(other)}, {began: liveKey}}},
		// A new file with the inode number of one read before and
		// deleted (the oldest copy of rename rotations): begun, no
		// truncation (fresh-user trial 72: 32 truncations reported for a
		// file only renamed).
		{"inode taken by a new file", []*tailer.Batch{batch(live, 0, 100), batch(other, 0, 50), batch(after, 0, 30), batch(after, 30, 60)},
			[]mark{{}, {began: fileKey(other)}, {began: liveKey}, {}}},
		// An older file read again, for late writes, once srcPos.seen no
		// longer holds it: another head than the current file's, so no
		// copy of it, and no truncation.
		{"older file's late lines", []*tailer.Batch{batch(live, 0, 100), batch(older, 500, 600)},
			[]mark{{}, {began: fileKey(older)}}},
		// The current file not read in this run (a restart): no head to
		// record, and the file resumed inside is no copy of it.
		{"another file resumed inside", []*tailer.Batch{batch(cp, 100, 150)}, []mark{{began: fileKey(cp)}}},
	} {
		p := &srcPos{pos: position{FileID: liveKey, Offset: 100}}
		for i, b := range tc.batches {
			want := tc.want[i]
			if want.began != "" {
				want.head = headOf(b.File) // recorded with it (position.Heads)
			}
			if got := p.set(b); !reflect.DeepEqual(got, want) {
				t.Errorf("%s: batch %d: set = %+v, want %+v", tc.name, i, got, want)
			}
		}
	}
}

// TestCatchUpRangesCut: a file truncated in place after the save is
// caught up from the rotated copy of each truncation (the first from the
// state's offset), then from its start to the checkpoint, its restored
// positions dropped (fresh).
func TestCatchUpRangesCut(t *testing.T) {
	cur := fileKey(tailer.FileID{Dev: 1, Ino: 10})
	ck := &checkpoint.Position{File: "/l/app.log", Dev: 1, Ino: 10, Offset: 300}
	c1 := cut{File: cur, Fingerprint: "01", FpLen: 40}
	c2 := cut{File: cur, Fingerprint: "02", FpLen: 40}
	find := func(c cut) (string, string, bool) {
		switch c.Fingerprint {
		case "01":
			return "/l/app.log.2", "1:21", true
		case "02":
			return "/l/app.log.1.gz", "1:22", true
		}
		return "", "", false
	}
	got, linked := catchUpRanges(position{FileID: cur, Offset: 100, Cuts: []cut{c1, c2}}, ck, find)
	want := []catchRange{
		{name: "/l/app.log.2", id: "1:21", start: 100, end: -1, copied: true, cut: cur},
		{name: "/l/app.log.1.gz", id: "1:22", start: 0, end: -1, copied: true, cut: cur},
		{name: "/l/app.log", id: cur, start: 0, end: 300, fresh: true},
	}
	if !linked || !reflect.DeepEqual(got, want) {
		t.Errorf("catchUpRanges = %+v, %v; want %+v, true", got, linked, want)
	}
	// The checkpoint did not pass a truncation (a kill -9 soon after it):
	// its position is in that truncation's copy, and none of the file's
	// lines after the truncation was checkpointed, though the checkpoint
	// keeps the file's device and inode (trial 41 F3: the file's new
	// lines were folded up to the old content's offset, then again when
	// the tailer read them).
	for _, tc := range []struct {
		name string
		in   cut // the content the checkpoint is in
		want []catchRange
	}{
		{"in the last copy", c2, []catchRange{
			{name: "/l/app.log.2", id: "1:21", start: 100, end: -1, copied: true, cut: cur},
			{name: "/l/app.log.1.gz", id: "1:22", start: 0, end: 250, copied: true, cut: cur, held: true},
			{name: "", id: cur, start: 0, end: 0, fresh: true, beyond: true},
		}},
		{"in the first copy", c1, []catchRange{
			{name: "/l/app.log.2", id: "1:21", start: 100, end: 250, copied: true, cut: cur, held: true},
			{name: "", id: cur, start: 0, end: 0, fresh: true, beyond: true},
		}},
	} {
		inOld := &checkpoint.Position{File: "/l/app.log", Dev: 1, Ino: 10, Offset: 250, Fingerprint: tc.in.Fingerprint, FpLen: tc.in.FpLen}
		got, linked := catchUpRanges(position{FileID: cur, Offset: 100, Cuts: []cut{c1, c2}}, inOld, find)
		if !linked || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: catchUpRanges = %+v, %v; want %+v, true", tc.name, got, linked, tc.want)
		}
	}
	// A restart drained the copy from the checkpoint in it, and the
	// running agent recorded the copy as a file begun (Then): a crash
	// before the next save catches up the copy once, to the checkpoint,
	// and none of the file's new lines (trial 42 F1: the copy's range in
	// Then made the file's whole new content fold, before the copy's
	// rest, which the rules then dropped as too late).
	inCopy1 := &checkpoint.Position{File: "/l/app.log.2", Dev: 1, Ino: 21, Offset: 250}
	got, linked = catchUpRanges(position{FileID: cur, Offset: 100, Cuts: []cut{c1}, Then: []string{"1:21"}}, inCopy1, find)
	want = []catchRange{
		{name: "/l/app.log.2", id: "1:21", start: 100, end: 250, copied: true, cut: cur},
		{name: "", id: cur, start: 0, end: 0, fresh: true},
	}
	if !linked || !reflect.DeepEqual(got, want) {
		t.Errorf("copy begun after a restart: catchUpRanges = %+v, %v; want %+v, true", got, linked, want)
	}
	// A copy listed before the file it copies (detector.reorder: a run
	// began the copy, then the file from its start, the copy's first
	// bytes unknown or the positions saved by an older version), its
	// truncation recorded too: the copy is caught up once, in its place.
	got, linked = catchUpRanges(position{FileID: "1:5", Offset: 100, Cuts: []cut{c1}, Then: []string{"1:21", cur}}, ck, find)
	want = []catchRange{
		{id: "1:5", start: 100, end: -1},
		{id: "1:21", start: 0, end: -1},
		{name: "/l/app.log", id: cur, start: 0, end: 300, fresh: true},
	}
	if !linked || !reflect.DeepEqual(got, want) {
		t.Errorf("copy listed before its file: catchUpRanges = %+v, %v; want %+v, true", got, linked, want)
	}
	got, _ = catchUpRanges(position{FileID: cur, Offset: 100, Cuts: []cut{{File: cur, Fingerprint: "ff"}}}, ck, find)
	if len(got) != 2 || !got[0].copied || got[0].id != "" {
		t.Errorf("copy not found: catchUpRanges = %+v; want a copied range without id first (reported as not folded)", got)
	}
}

// TestTruncatedWhileStopped: a file the tailer's checkpoint has a
// position in, other than the one at the path, that was truncated in
// place (copytruncate) while the agent was stopped is one cut with the
// position's first bytes, whether it is the newer file the checkpoint
// keeps apart (Next) or the checkpoint's own file renamed away; a file
// unchanged, grown or gone is not (trial 43 F2: a copytruncate of the
// newer file while stopped was not seen, and its new lines were caught up
// as the old ones the checkpoint passed).
func TestTruncatedWhileStopped(t *testing.T) {
	const own, next = "a1\na2\n", "b1\nb2\nb3\n"
	fp := func(s string) string {
		sum := sha256.Sum256([]byte(s))
		return hex.EncodeToString(sum[:])
	}
	write := func(name, content string) {
		if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	copyTruncateTo := func(name, to, rest string) {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		write(to, string(b))
		if err := os.Truncate(name, 0); err != nil {
			t.Fatal(err)
		}
		appendLines(t, name, []string{rest})
	}
	for _, tc := range []struct {
		name    string
		stopped func(path string) // what happens while stopped
		cut     string            // "own", "next" or "" (none)
	}{
		{"unchanged", func(string) {}, ""},
		{"newer file grown", func(path string) { appendLines(t, path, []string{"b4"}) }, ""},
		{"newer file gone", func(path string) { os.Remove(path) }, ""},
		{"newer file copytruncated", func(path string) {
			if err := os.Rename(path+".1", path+".2"); err != nil {
				t.Fatal(err)
			}
			copyTruncateTo(path, path+".1", "c1")
		}, "next"},
		{"own file, renamed away, copytruncated", func(path string) { copyTruncateTo(path+".1", path+".0", "x") }, "own"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "app.log")
			write(path+".1", own)
			write(path, next)
			ownKey, ownDev, ownIno := keyOfFile(t, path+".1")
			nextKey, nextDev, nextIno := keyOfFile(t, path)
			ck := &checkpoint.Position{Path: path, File: path + ".1", Dev: ownDev, Ino: ownIno, Fingerprint: fp(own), FpLen: len(own), Offset: int64(len(own)),
				Next: &checkpoint.FilePosition{File: path, Dev: nextDev, Ino: nextIno, Fingerprint: fp(next), FpLen: len(next), Offset: int64(len(next))}}
			tc.stopped(path)
			s := &source{cfg: config.Source{Type: "application", Path: path}}
			var want []cut
			switch tc.cut {
			case "own":
				want = []cut{{File: ownKey, Fingerprint: fp(own), FpLen: len(own)}}
			case "next":
				want = []cut{{File: nextKey, Fingerprint: fp(next), FpLen: len(next)}}
			}
			if got := s.truncatedWhileStopped(ck); !reflect.DeepEqual(got, want) {
				t.Errorf("truncatedWhileStopped = %+v, want %+v", got, want)
			}
		})
	}
}

// TestReorderUnrecordedCopy: a run that began, from its start, a copy of
// a file's content that no run recorded as truncated (a copytruncate
// while stopped, after the content the checkpoint is in), then the file
// from its start, records that copy as the file's newest truncation, after
// those recorded already (detector.reorder): the catch-up after a crash
// folds the older copies up to the checkpoint, in one of them, and none
// of the unrecorded copy's lines, which the tailer reads again. The copy
// was listed before the file in the positions' Then, so before the
// file's recorded copies: caught up whole, the checkpoint being in an
// older copy, its lines were folded twice (trial 48 S2: 300 lines of a
// copytruncate folded again, keys with 9 failed logins alerted with
// count 11).
func TestReorderUnrecordedCopy(t *testing.T) {
	const name = "/l/app.log"
	fid := func(ino uint64, fp byte) tailer.FileID {
		id := tailer.FileID{Dev: 1, Ino: ino, FingerprintLen: 1024}
		id.Fingerprint[0] = fp
		return id
	}
	// The file (inode 10) held 4 contents in turn; copytruncate copied
	// the first 3 to inodes 21, 22 and 23.
	cur := fileKey(fid(10, 1))
	copies := []tailer.FileID{fid(21, 1), fid(22, 2), fid(23, 3)}
	names := []string{"/l/app.log.3", "/l/app.log.2", "/l/app.log.1"}
	find := func(c cut) (string, string, bool) {
		for i, id := range copies {
			if h := headOf(id); c.Fingerprint == h.Fingerprint && c.FpLen == h.FpLen {
				return names[i], fileKey(id), true
			}
		}
		return "", "", false
	}
	heads := map[string]head{cur: headOf(fid(10, 1))}
	for _, id := range copies[:2] {
		heads[fileKey(id)] = headOf(id)
	}
	// Saved by the run before: the first copy begun, the file, its two
	// truncations seen, the second copy drained after a restart; the
	// checkpoint is in the second content, at 250.
	d := newDetector(nil, &forwarder.Encoder{}, "", forwarder.RecordOptions{Facility: forwarder.Local7, Hostname: "test"}, slog.New(slog.DiscardHandler))
	d.saved[name] = position{
		Then:  []string{fileKey(copies[0]), cur, fileKey(copies[1])},
		Cuts:  []cut{*cutOf(cur, fid(10, 1)), *cutOf(cur, fid(10, 2))},
		Heads: heads,
	}
	p := &srcPos{name: name, pos: position{FileID: cur, Offset: 250}}
	d.pos[name] = p
	// This run drains the second copy from the checkpoint, then reads the
	// third copy (its truncation came while stopped) and the file from 0.
	for _, b := range []*tailer.Batch{
		{File: copies[1], Start: 250, Ends: []int{1}, Offsets: []int64{300}},
		{File: copies[2], Start: 0, Ends: []int{1}, Offsets: []int64{300}},
		{File: fid(10, 4), Start: 0, Ends: []int{1}, Offsets: []int64{70}},
	} {
		d.noted(name, p.set(b))
	}
	// Killed before the checkpoint moved: it is in the second copy.
	ck := &checkpoint.Position{File: names[1], Dev: 1, Ino: 22, Offset: 250, Fingerprint: heads[fileKey(copies[1])].Fingerprint, FpLen: 1024}
	got, linked := catchUpRanges(d.saved[name], ck, find)
	want := []catchRange{
		{id: fileKey(copies[0]), start: 0, end: -1},
		{name: names[1], id: fileKey(copies[1]), start: 0, end: 250, copied: true, cut: cur},
		{id: cur, start: 0, end: 0, fresh: true},
	}
	if !linked || !reflect.DeepEqual(got, want) {
		t.Errorf("catchUpRanges = %+v, %v; want %+v, true (positions %+v)", got, linked, want, d.saved[name])
	}
}

// TestCompressedCopiesInodeReused: a file compressed and removed since
// the save (gzip writes name.2.gz, another inode, then removes name.2)
// frees its inode number, which a later file may take: here the .gz of
// the next file. compressedCopies found the saved file by its inode
// alone, took that .gz for it, and named the next file by the same .gz:
// the catch-up folded one of the two files, the other's lines never (trial
// 48 S3, lsched.sh LR2 renamez: 28 of 51 alerts). A file found by its
// inode whose first bytes are not those recorded (position.Heads) is
// another file: the saved one is looked for by its first bytes, in its .gz.
func TestCompressedCopiesInodeReused(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "application_json.log")
	first, second, live := "first 1\nfirst 2\n", "second 1\n", "live 1\n"
	for name, content := range map[string]string{path + ".3": first, path + ".2": second, path: live} {
		if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	gzipFile(t, path+".3")
	gzipFile(t, path+".2")
	firstGz, _, _ := keyOfFile(t, path+".3.gz")
	secondGz, _, _ := keyOfFile(t, path+".2.gz")
	liveKey, dev, ino := keyOfFile(t, path)
	// The saved file had the inode the .2.gz has now; the second file's
	// inode is no file's any more.
	secondKey := fileKey(tailer.FileID{Dev: dev, Ino: 1<<40 + 7})
	from := position{FileID: secondGz, Then: []string{secondKey, liveKey}, Heads: map[string]head{
		secondGz:  headOfString(first),
		secondKey: headOfString(second),
		liveKey:   headOfString(live),
	}}
	h := headOfString(live)
	ck := &checkpoint.Position{Path: path, File: path, Dev: dev, Ino: ino, Fingerprint: h.Fingerprint, FpLen: h.FpLen, Offset: int64(len(live))}
	s := &source{cfg: config.Source{Type: "application", Path: path}}

	from, ck = s.compressedCopies(from, ck)
	ranges, linked := catchUpRanges(from, ck, s.rotatedCopy)
	var got []string
	for _, r := range ranges {
		got = append(got, r.id)
	}
	if want := []string{firstGz, secondGz, liveKey}; !linked || !reflect.DeepEqual(got, want) {
		t.Errorf("catch-up files %v (linked %v), want %v (.3.gz, .2.gz, the live file)", got, linked, want)
	}
}

// TestCompressedCopiesTruncatedInPlace: a file truncated in place
// (copytruncate) keeps its device and inode while its first bytes change,
// and its old first bytes begin a plain copy (name.1), not a .gz: when
// no cut of it is recorded yet (reorder or truncatedWhileStopped find
// it later), compressedCopies must leave it as it is, not take it for
// another file that took a freed inode number.
func TestCompressedCopiesTruncatedInPlace(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "application_json.log")
	old, live := "old 1\nold 2\n", "new 1\n"
	for name, content := range map[string]string{path + ".1": old, path: live} {
		if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	liveKey, dev, ino := keyOfFile(t, path)
	from := position{FileID: liveKey, Offset: 6, Heads: map[string]head{liveKey: headOfString(old)}}
	h := headOfString(old)
	ck := &checkpoint.Position{Path: path, File: path, Dev: dev, Ino: ino, Fingerprint: h.Fingerprint, FpLen: h.FpLen, Offset: int64(len(old))}
	s := &source{cfg: config.Source{Type: "application", Path: path}}

	gotFrom, gotCk := s.compressedCopies(from, ck)
	if !reflect.DeepEqual(gotFrom, from) || gotCk != ck {
		t.Errorf("compressedCopies = %+v, %+v; want the position and checkpoint unchanged (%+v, %+v)", gotFrom, gotCk, from, ck)
	}
}

// headOfString is the head (position.Heads) of a file that begins with s
// and is that long.
func headOfString(s string) head {
	sum := sha256.Sum256([]byte(s))
	return head{Fingerprint: hex.EncodeToString(sum[:]), FpLen: len(s)}
}

// keyOfFile returns the fileKey of the file name, with its device and
// inode, failing t when it cannot be stat'ed.
func keyOfFile(t *testing.T, name string) (key string, dev, ino uint64) {
	t.Helper()
	fi, err := os.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	dev, ino = checkpoint.DevIno(fi)
	return fileKey(tailer.FileID{Dev: dev, Ino: ino}), dev, ino
}

// TestCatchUpErrorsOnce: a catch-up whose ranges name one file, or one
// truncation's missing copy, many times (a key several files had in
// turn) says each cause once (fresh-user trial 72: one WARN of 26 KB
// repeated the same two sentences 103 times for one path).
func TestCatchUpErrorsOnce(t *testing.T) {
	var c catchUpReader
	gone := errors.New("x.log is no longer the checkpointed file, and none of its rotated copies is")
	cut := errors.New("x.log was truncated in place (copytruncate), or deleted and its inode taken by a new file, after the last detection save, and no rotated copy begins with its old first bytes; its lines before that are not folded")
	for range 30 {
		c.addErr(gone)
		c.addErr(cut)
		c.addErr(errors.New(gone.Error())) // the same text, made again for another range
	}
	if got, want := errors.Join(c.errs...).Error(), gone.Error()+"\n"+cut.Error(); got != want {
		t.Errorf("catch-up error:\n%s\nwant each cause once:\n%s", got, want)
	}
}

// TestCatchUpInputSpool: the catch-up of an input's spool (an
// aggregator's, after SIGKILL) folds its lines as the live pipeline does,
// each a received syslog message mapped by the source's relay. Before,
// the spool lines were parsed as GitLab lines, none parsed, and an attack
// whose first part an aggregator had received before a kill was never
// alerted (fresh-user trial 99: a brute force split over the kill).
func TestCatchUpInputSpool(t *testing.T) {
	const rule = "sentinel.bruteforce"
	t0 := time.Now().Add(-time.Hour).UTC()
	var spool []byte
	for i := range 11 {
		msg := fmt.Sprintf("<190>1 %s node-1 %s - - - %s", t0.Format(time.RFC3339), config.AppNameApplication,
			loadgen.FailedLogin(t0.Add(time.Duration(i)*time.Second), "victim", "192.0.2.7"))
		spool = inputs.AppendLine(spool, []byte(msg))
	}
	path := filepath.Join(t.TempDir(), "spool.log")
	d, e, from, ck := catchUpScene(t, rule, path, spool)
	w := detectionWorker(t, e)
	w.relay = inputs.NewRelay(nil, forwarder.RecordOptions{Facility: forwarder.Local7, Hostname: "aggregator"}, inputs.OtherForward)
	s := &source{cfg: config.Source{Path: path}, detPos: new(srcPos)}
	n, _, err := s.catchUp(d, w, from, ck)
	if err != nil {
		t.Fatal(err)
	}
	if n != 11 {
		t.Fatalf("caught up %d lines, want 11", n)
	}
	st := e.Stats()
	if st.Events != 11 {
		t.Errorf("the engine got %d events from the 11 spool lines, want 11", st.Events)
	}
	if got := st.Rules[rule].Alerts; got != 1 {
		t.Errorf("%d %s alerts from 11 failed logins of one user and address, want 1", got, rule)
	}
}

// catchUpScene writes data to path and returns a detector whose engine
// runs rule alone, and the catch-up of the whole file: the position before
// its first line (as saved) and the tailer's checkpoint at its end.
func catchUpScene(t *testing.T, rule, path string, data []byte) (*detector, *detect.Engine, position, *checkpoint.Position) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	d := newDetector(nil, &forwarder.Encoder{}, "", forwarder.RecordOptions{Facility: forwarder.Local7, Hostname: "test"}, slog.New(slog.DiscardHandler))
	e, err := detect.New(detect.Config{Only: []string{rule}, Log: slog.New(slog.DiscardHandler), Emit: d.emit, WantFirst: true})
	if err != nil {
		t.Fatal(err)
	}
	d.e = e
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	dev, ino := checkpoint.DevIno(fi)
	ck := &checkpoint.Position{File: path, Dev: dev, Ino: ino, Offset: fi.Size()}
	return d, e, position{FileID: fileKey(tailer.FileID{Dev: dev, Ino: ino})}, ck
}
