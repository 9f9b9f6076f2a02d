package detect

import (
	"bytes"
	"fmt"
	"strings"
)

// utf16Encoding returns "UTF-16LE" or "UTF-16BE" when b starts with that
// encoding's byte order mark (FF FE or FE FF), as Windows tools write a
// text file (PowerShell's Out-File and > redirection, Notepad's
// "Unicode"), or "" for other data. The indicator file must be UTF-8: in
// UTF-16 every line has NUL bytes between its characters and none is an
// address.
func utf16Encoding(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte{0xff, 0xfe}):
		return "UTF-16LE"
	case bytes.HasPrefix(b, []byte{0xfe, 0xff}):
		return "UTF-16BE"
	}
	return ""
}

// utf16Fix says how to convert the UTF-16 indicator file at path to
// UTF-8: an iconv command (its -f UTF-16 reads the byte order mark, so it
// is the same for both byte orders) that replaces the file.
func utf16Fix(path string) string {
	utf8 := shellArg(path + ".utf8")
	return fmt.Sprintf("convert it with iconv -f UTF-16 -t UTF-8 %s > %s && mv %s %s", shellArg(path), utf8, utf8, shellArg(path))
}

// shellArg returns path quoted as one POSIX shell word that no command
// takes for an option ("./" before a relative path starting with "-").
func shellArg(path string) string {
	if strings.HasPrefix(path, "-") {
		path = "./" + path
	}
	return "'" + strings.ReplaceAll(path, "'", `'\''`) + "'"
}
