//go:build !unix

package detect

import (
	"io/fs"
	"os"
)

// openTIFile opens the indicator file path for reading; mode is not
// used here (see the unix version).
func openTIFile(path string, _ fs.FileMode) (*os.File, error) {
	return os.Open(path)
}
