package config

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/gitlab-syslog/gitlab-syslog/internal/sniff"
)

// magics are the first bytes of the binary files most often given as a
// configuration by mistake, with what to do about each ({file}: the file,
// {out}: where to write it decompressed).
var magics = []struct {
	prefix, what, todo string
}{
	{"\x1f\x8b", "gzip-compressed data", "decompress it (gzip -dc {file} > {out}) and give that file"},
	{"BZh", "bzip2-compressed data", "decompress it (bzip2 -dc {file} > {out}) and give that file"},
	{"\xfd7zXZ\x00", "xz-compressed data", "decompress it (xz -dc {file} > {out}) and give that file"},
	{"\x28\xb5\x2f\xfd", "zstd-compressed data", "decompress it (zstd -dc {file} > {out}) and give that file"},
	{"PK\x03\x04", "a zip archive", "extract the configuration from it and give that file"},
	{"\x7fELF", "an executable (ELF)", "is this the config file? --config takes the YAML configuration, e.g. examples/config.yaml"},
}

// textError returns an error when data is not text YAML can read, nil
// otherwise. YAML (1.2 §5.1) is Unicode text: data that holds a NUL or
// another control character than tab, LF and CR, or is not valid UTF-8,
// cannot be read. The error names file, the line and column (in bytes,
// from 1) of the first such byte, the cause and what to do: a file with a
// NUL byte is binary, given by mistake (a compressed file or an archive is
// named as such); one in another encoding (Latin-1) is to be converted to
// UTF-8; a stray control character is to be removed. UTF-16 and UTF-32
// text, with a byte order mark or without (ASCII in UTF-16, every other
// byte NUL), is named as such, with the iconv command that converts it
// (encodingError): the YAML decoder read the text after a byte order mark
// but the hints about its mistakes, which read the bytes, did not.
func textError(file string, data []byte) error {
	if err := encodingError(file, data); err != nil {
		return err
	}
	off := firstNonText(data)
	if off < 0 {
		return nil
	}
	for _, m := range magics {
		if bytes.HasPrefix(data, []byte(m.prefix)) {
			out := "config-decompressed.yaml"
			if ext := compressedExt(file); ext != "" {
				out = strings.TrimSuffix(file, ext)
			}
			return lineErrorf(file, 1, "", "this is %s, not a YAML configuration: %s", m.what, strings.NewReplacer("{file}", file, "{out}", out).Replace(m.todo))
		}
	}
	if nul := bytes.IndexByte(data, 0); nul >= 0 {
		off = nul
	}
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	col := off - bytes.LastIndexByte(data[:off], '\n')
	at := fmt.Sprintf("%s:%d:%d: byte 0x%02x (offset %d)", file, line, col, data[off], off)
	switch r, _ := utf8.DecodeRune(data[off:]); {
	case data[off] == 0:
		return fmt.Errorf("%s: a NUL byte: this is a binary file, not text; is this the config file? "+
			"--config takes the YAML configuration, e.g. examples/config.yaml", at)
	case r == utf8.RuneError:
		return fmt.Errorf("%s: not UTF-8: YAML is UTF-8 text; convert the file "+
			"(e.g. iconv -f latin1 -t utf-8 %s > config-utf8.yaml), or is this the config file?", at, file)
	}
	return fmt.Errorf("%s: a control character, which YAML text cannot hold: remove it "+
		"(a tab, LF and CR are the only ones allowed)", at)
}

// boms are the byte order marks of the Unicode encodings other than UTF-8,
// with the name iconv takes for each, UTF-32LE's before UTF-16LE's, which
// it begins with.
var boms = []struct{ prefix, name string }{
	{"\xff\xfe\x00\x00", "UTF-32LE"},
	{"\x00\x00\xfe\xff", "UTF-32BE"},
	{"\xff\xfe", "UTF-16LE"},
	{"\xfe\xff", "UTF-16BE"},
}

// encodingError returns an error about file when data is UTF-16 or UTF-32
// text, which starts with its byte order mark, or ASCII text in UTF-16
// without one (sniff.UTF16NoBOM), as Windows tools write it; nil
// otherwise. It names the encoding and the iconv command that writes the
// file in UTF-8.
func encodingError(file string, data []byte) error {
	name, how, from := "", "", ""
	for _, b := range boms {
		if bytes.HasPrefix(data, []byte(b.prefix)) {
			name, how = b.name, "it starts with its byte order mark"
			from = b.name[:len("UTF-16")] // iconv reads the mark and drops it
			break
		}
	}
	if name == "" {
		if name = sniff.UTF16NoBOM(data); name == "" {
			return nil
		}
		how, from = "every other byte is NUL, with no byte order mark", name
	}
	return lineErrorf(file, 1, "", "this is %s text (%s), not UTF-8, the encoding of YAML configuration: "+
		"convert it (iconv -f %s -t UTF-8 %s > %s.utf8) and give that file, or move it over this one", name, how, from, file, file)
}

// firstNonText returns the offset of the first byte of data that YAML text
// cannot hold (a control character other than tab, LF and CR; DEL; bytes
// that are not UTF-8), or -1.
func firstNonText(data []byte) int {
	for i := 0; i < len(data); {
		c := data[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f {
				return i
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return -1
}
