package streaming

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// oneEvent is what every refusal of a body that is not one JSON object,
// nor a JSON array of them, says GitLab sends.
const oneEvent = "GitLab sends one JSON event object per request, or a JSON array of them"

// invalidBody says in plain words why body, which is not exactly one JSON
// object nor one JSON array, is refused: empty, not JSON (naming its first
// character), JSON with a syntax error (at which byte), more than one
// value, or one value of another kind (a string, a number, ...). It is the
// 400 answer's text.
// Byte offsets count from 0.
func invalidBody(body []byte) error {
	trimmed := bytes.TrimLeft(body, " \t\r\n") // JSON's white space
	if len(bytes.TrimRight(trimmed, " \t\r\n")) == 0 {
		return errors.New("the body is empty; " + oneEvent)
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	var v json.RawMessage
	if err := dec.Decode(&v); err != nil {
		return notJSON(trimmed, len(body)-len(trimmed), err)
	}
	if rest := bytes.TrimLeft(trimmed[dec.InputOffset():], " \t\r\n"); len(rest) > 0 {
		return fmt.Errorf("the body holds more than one JSON value (something follows the first, at byte %d); %s",
			len(body)-len(rest), oneEvent)
	}
	kind := jsonKind(trimmed)
	if kind == "" || kind == "a JSON array" { // not reached: normalize or normalizeBatch accepts it
		return errors.New("the body is not one JSON object; " + oneEvent)
	}
	return fmt.Errorf("the body is %s, not an event object; %s", kind, oneEvent)
}

// notJSON says why trimmed, the body without its lead bytes of leading
// white space, is not JSON: err is the decoder's error for it. Byte
// offsets count from 0, in the body.
func notJSON(trimmed []byte, lead int, err error) error {
	if c := trimmed[0]; c != '{' && c != '[' {
		r, _ := utf8.DecodeRune(trimmed)
		if r == '\uFEFF' {
			return errors.New("the body is not JSON: it starts with a byte order mark (EF BB BF); " + oneEvent)
		}
		return fmt.Errorf("the body is not JSON (it starts with %q); %s", r, oneEvent)
	}
	var se *json.SyntaxError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("the body is JSON cut off before its end (%d bytes); %s", len(trimmed), oneEvent)
	case errors.As(err, &se):
		return fmt.Errorf("the body is not valid JSON: %v, at byte %d; %s", se, int64(lead)+se.Offset-1, oneEvent)
	}
	return fmt.Errorf("the body is not valid JSON: %v; %s", err, oneEvent)
}
