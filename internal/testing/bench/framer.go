package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
)

// FrameFile is the baseline shipper: it reads the file at path and writes
// each complete non-empty line, unparsed and without a syslog header, as an RFC 6587
// octet-counted frame to the TCP address addr, as fast as it can. It returns
// the number of lines and line bytes sent. ctx cancels it between writes.
func FrameFile(ctx context.Context, path, addr string) (lines, bytes int64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, fmt.Errorf("bench: framer: %w", err)
	}
	defer f.Close()
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return 0, 0, fmt.Errorf("bench: framer: connect to %s: %w", addr, err)
	}
	defer c.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	w := bufio.NewWriterSize(c, 256<<10)
	var prefix []byte
	var long []byte // a line longer than r's buffer, pieced together
	for {
		line, rerr := r.ReadSlice('\n')
		if errors.Is(rerr, bufio.ErrBufferFull) {
			long = append(long, line...)
			continue
		}
		if rerr != nil {
			if rerr == io.EOF {
				break // a last line without "\n" is not complete: leave it
			}
			return lines, bytes, fmt.Errorf("bench: framer: read %s after %d lines: %w", path, lines, rerr)
		}
		if len(long) > 0 {
			line = append(long, line...)
			long = long[:0]
		}
		line = line[:len(line)-1]
		if len(line) == 0 {
			continue // RFC 6587 has no empty frame
		}
		prefix = strconv.AppendInt(prefix[:0], int64(len(line)), 10)
		prefix = append(prefix, ' ')
		w.Write(prefix)
		if _, err := w.Write(line); err != nil {
			return lines, bytes, fmt.Errorf("bench: framer: send to %s after %d lines: %w", addr, lines, err)
		}
		lines++
		bytes += int64(len(line))
		if lines%65536 == 0 && ctx.Err() != nil {
			return lines, bytes, fmt.Errorf("bench: framer: %w", ctx.Err())
		}
	}
	if err := w.Flush(); err != nil {
		return lines, bytes, fmt.Errorf("bench: framer: send to %s after %d lines: %w", addr, lines, err)
	}
	return lines, bytes, nil
}
