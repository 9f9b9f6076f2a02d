package tailer

// Batch is a run of consecutive complete lines read from one file.
// Batches come from Tailer.Batches; give each back with Tailer.Release once
// done (after Tailer.Commit).
type Batch struct {
	// File identifies the file the lines were read from.
	File FileID
	// Name is the file's name when it was read: the configured path, or a
	// rotated sibling such as "audit_json.log.1.gz" (full path).
	Name string
	// Data holds the lines back to back, without "\n" and a trailing "\r".
	Data []byte
	// Ends[i] is the end of line i in Data; line i starts at Ends[i-1] (0 for i = 0).
	Ends []int
	// Offsets[i] is the file offset just after line i and its newline.
	// For a .gz sibling it is the offset in the decompressed stream.
	Offsets []int64

	seq uint64
}

// Len returns the number of lines in b.
func (b *Batch) Len() int { return len(b.Ends) }

// Line returns line i. The slice aliases b.Data: copy it to keep it after Release.
func (b *Batch) Line(i int) []byte {
	start := 0
	if i > 0 {
		start = b.Ends[i-1]
	}
	return b.Data[start:b.Ends[i]:b.Ends[i]]
}

func (b *Batch) reset() {
	b.File = FileID{}
	b.Name = ""
	b.Data = b.Data[:0]
	b.Ends = b.Ends[:0]
	b.Offsets = b.Offsets[:0]
	b.seq = 0
}

// truncate keeps the first n lines of b.
func (b *Batch) truncate(n int) {
	end := 0
	if n > 0 {
		end = b.Ends[n-1]
	}
	b.Data, b.Ends, b.Offsets = b.Data[:end], b.Ends[:n], b.Offsets[:n]
}
