package chaos

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"time"
)

// copyTruncateGap is the pause between the end of the copy and the
// truncation in copyTruncateCompress.
const copyTruncateGap = 20 * time.Millisecond

// kinds are the three GitLab logs, in a fixed order.
var kinds = [numKinds]string{"audit", "application", "access"}

// numKinds is the number of logs a scenario writes.
const numKinds = 3

// line returns the deterministic line number seq of a log kind, shaped like
// the real log, with "chaos-<kind>-<seq>" embedded once so the collector can
// tell which line a message is.
func line(kind string, seq int) []byte {
	s := fmt.Sprintf("%08d", seq)
	ts := time.Date(2026, 11, 22, 2, 0, 0, 0, time.UTC).Add(time.Duration(seq) * time.Millisecond)
	switch kind {
	case "audit":
		return []byte(`{"severity":"INFO","time":"` + ts.Format("2006-01-02T15:04:05.000Z") + `","correlation_id":"chaos-audit-` + s +
			`","meta.caller_id":"SessionsController#create","meta.remote_ip":"203.0.113.7","author_id":1,"author_name":"Administrator",` +
			`"entity_id":1,"entity_type":"User","created_at":"` + ts.Format("2006-01-02T15:04:05.000Z") +
			`","with":"standard","target_id":1,"target_type":"User","target_details":"Administrator","ip_address":"203.0.113.7"}`)
	case "application":
		return []byte(`{"severity":"INFO","time":"` + ts.Format("2006-01-02T15:04:05.000Z") + `","correlation_id":"chaos-application-` + s +
			`","meta.caller_id":"SessionsController#create","message":"Successful Login: username=root ip=203.0.113.7 method=standard admin=true"}`)
	default:
		return []byte(`203.0.113.7 - - [` + ts.Format("02/Jan/2006:15:04:05 -0700") + `] "GET /group/project/-/merge_requests?chaos-access-` + s +
			` HTTP/1.1" 200 4512 "https://gitlab.example.com/" "Mozilla/5.0 (X11; Linux x86_64)" -`)
	}
}

// parseSeq finds "chaos-<kind>-<8 digits>" in msg.
func parseSeq(msg []byte) (kind int, seq int, ok bool) {
	marker := []byte("chaos-")
	for i := bytes.Index(msg, marker); i >= 0; {
		rest := msg[i+len(marker):]
		for k, name := range kinds {
			if len(rest) >= len(name)+9 && string(rest[:len(name)]) == name && rest[len(name)] == '-' {
				n, err := strconv.Atoi(string(rest[len(name)+1 : len(name)+9]))
				if err != nil {
					return 0, 0, false
				}
				return k, n, true
			}
		}
		j := bytes.Index(rest, marker)
		if j < 0 {
			break
		}
		i += len(marker) + j
	}
	return 0, 0, false
}

// linePos is where a line was written: the truncation generation of the
// file and its byte range in that generation.
type linePos struct {
	gen        int32
	start, end int64
}

// window is the byte range of one generation that a copytruncate rotation
// did not copy: [copied, truncatedAt) is in neither the copy nor the new file.
type window struct {
	gen                 int32
	copied, truncatedAt int64
}

// logFile is one log being written: a single writer appends whole lines, a
// rotator renames or copies and truncates it.
type logFile struct {
	kind string
	path string

	rotMu sync.Mutex // one rotation at a time, as logrotate does

	mu       sync.Mutex
	f        *os.File
	old      *os.File  // rename rotation: the renamed file, still written to
	reopenAt time.Time // when the writer moves from old to the new file
	gen      int32
	off      int64
	seq      int
	pos      []linePos
	windows  []window
	buf      []byte
}

func openLog(kind, path string) (*logFile, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	return &logFile{kind: kind, path: path, f: f}, nil
}

// write appends n lines, one write(2) each, as an application does.
func (l *logFile) write(n int) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.old != nil && !time.Now().Before(l.reopenAt) {
		l.old.Close()
		l.old = nil
	}
	f := l.f
	if l.old != nil {
		f = l.old // late writes to the renamed file
	}
	for range n {
		l.buf = append(append(l.buf[:0], line(l.kind, l.seq)...), '\n')
		if _, err := f.Write(l.buf); err != nil {
			return fmt.Errorf("write %s: %w", l.path, err)
		}
		l.pos = append(l.pos, linePos{gen: l.gen, start: l.off, end: l.off + int64(len(l.buf))})
		l.off += int64(len(l.buf))
		l.seq++
	}
	return nil
}

// renameRotate moves path to path.1 (older files shift up) and opens a new
// path at once; the writer keeps writing to the renamed file for lateFor, as
// an application does until it is told to reopen its log.
func (l *logFile) renameRotate(lateFor time.Duration) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	shift(l.path, "")
	if err := os.Rename(l.path, l.path+".1"); err != nil {
		return err
	}
	nf, err := os.OpenFile(l.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	if l.old != nil {
		l.old.Close()
	}
	l.old, l.f = l.f, nf
	l.reopenAt = time.Now().Add(lateFor)
	return nil
}

// copyTruncateCompress does what Omnibus GitLab's logrotate does (copytruncate,
// compress, no delaycompress): copy path to path.1 while the writer goes on,
// truncate path, then gzip path.1 to path.1.gz. It records the window of
// bytes written between the end of the copy and the truncation.
func (l *logFile) copyTruncateCompress() error {
	l.rotMu.Lock()
	defer l.rotMu.Unlock()
	shift(l.path, ".gz")
	l.mu.Lock()
	gen := l.gen
	l.mu.Unlock()
	src, err := os.Open(l.path)
	if err != nil {
		return err
	}
	dst, err := os.Create(l.path + ".1")
	if err != nil {
		src.Close()
		return err
	}
	copied, err := io.Copy(dst, src)
	src.Close()
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	// logrotate closes the copy, fsyncs, then truncates; lines written in
	// that gap are in neither file. Widen it so the window check has lines
	// to look at.
	time.Sleep(copyTruncateGap)
	l.mu.Lock()
	truncatedAt := l.off
	err = os.Truncate(l.path, 0)
	l.windows = append(l.windows, window{gen: gen, copied: copied, truncatedAt: truncatedAt})
	l.gen++
	l.off = 0
	l.mu.Unlock()
	if err != nil {
		return err
	}
	// Like logrotate's compress: gzip writes path.1.gz in place (a reader
	// may see it incomplete) and removes path.1 when done.
	if out, err := exec.Command("gzip", "-1", "-f", l.path+".1").CombinedOutput(); err != nil {
		return fmt.Errorf("gzip %s.1: %v: %s", l.path, err, out)
	}
	return nil
}

// shift renames path.N<ext> to path.N+1<ext>, oldest first.
func shift(path, ext string) {
	for i := 30; i >= 1; i-- {
		os.Rename(path+"."+strconv.Itoa(i)+ext, path+"."+strconv.Itoa(i+1)+ext)
	}
}

func (l *logFile) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.old != nil {
		l.old.Close()
		l.old = nil
	}
	l.f.Close()
}
