//go:build unix

package detect

import (
	"io/fs"
	"os"
	"syscall"
)

// openTIFile opens the indicator file path, whose mode is mode, for
// reading. A named pipe is opened without waiting for a writer
// (O_NONBLOCK): with none, its reads end at once with no data, where a
// plain open would wait forever (run and check read the file more than
// once); with one, they wait for its data as usual.
func openTIFile(path string, mode fs.FileMode) (*os.File, error) {
	flag := os.O_RDONLY
	if mode&fs.ModeNamedPipe != 0 {
		flag |= syscall.O_NONBLOCK
	}
	return os.OpenFile(path, flag, 0)
}
