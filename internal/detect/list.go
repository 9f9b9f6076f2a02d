package detect

import (
	"encoding/csv"
	"strings"
)

// joinList returns vals as one comma-separated column value, a record of
// RFC 4180 CSV: a value holding a comma, a double quote or a line break
// (or beginning with a space) is enclosed in double quotes, its quotes
// doubled, so that a user name typed with a comma in it (`u1,u2`) is one
// item, not two. Values without those characters come out as
// strings.Join(vals, ",") would give them, a lone empty value as "".
// KQL's parse_csv() and any CSV reader split it back. It allocates; it
// runs per alert, not per line.
func joinList(vals []string) string {
	if len(vals) == 1 && vals[0] == "" {
		return "" // csv writes a lone empty field as ""
	}
	var b strings.Builder
	w := csv.NewWriter(&b)
	if err := w.Write(vals); err != nil { // a strings.Builder does not fail
		return strings.Join(vals, ",")
	}
	w.Flush()
	return strings.TrimSuffix(b.String(), "\n")
}
