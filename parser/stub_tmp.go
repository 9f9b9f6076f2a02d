package parser

// Temporary stubs; replaced by audit.go, application.go, access.go.

// Audit parses audit_json.log lines.
type Audit struct{}

// Parse implements Parser.
func (p *Audit) Parse(line []byte, r *Record) error {
	return &Error{Type: TypeAudit, Offset: -1, Reason: "not built"}
}

// Application parses application logs.
type Application struct{}

// Parse implements Parser.
func (p *Application) Parse(line []byte, r *Record) error {
	return &Error{Type: TypeApplication, Offset: -1, Reason: "not built"}
}

// Access parses NGINX access logs.
type Access struct{}

// Parse implements Parser.
func (p *Access) Parse(line []byte, r *Record) error {
	return &Error{Type: TypeAccess, Offset: -1, Reason: "not built"}
}
