package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

type errorBody struct {
	Error string `json:"error"`
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, errorBody{msg})
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	data, err := json.Marshal(body)
	if err != nil {
		status, data = http.StatusInternalServerError, []byte(`{"error":"encode response"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)+1))
	w.WriteHeader(status)
	_, _ = w.Write(append(data, '\n'))
}

// notFound answers paths the API does not have in JSON, like every other error.
func notFound(w http.ResponseWriter, r *http.Request) {
	writeError(w, http.StatusNotFound, "no such path "+strconv.Quote(r.URL.Path)+
		"; the API has POST /v1/classify, POST /v1/reload, GET /healthz, GET /readyz, GET /metrics")
}

func allowMethod(w http.ResponseWriter, r *http.Request, method string) bool {
	if r.Method == method || (method == http.MethodGet && r.Method == http.MethodHead) {
		return true
	}
	w.Header().Set("Allow", method)
	writeError(w, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed; use "+method)
	return false
}

// decodeJSON reads a size-limited application/json body into v, refusing
// invalid UTF-8 (encoding/json would silently replace it), unknown fields and
// trailing data. It returns 0 when v was filled, else a 4xx and a message;
// fields describes the object the endpoint takes, for the message.
func decodeJSON(w http.ResponseWriter, r *http.Request, limit int64, v any, fields string) (int, string) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return http.StatusUnsupportedMediaType, "Content-Type must be application/json"
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return http.StatusRequestEntityTooLarge, "request body over " + strconv.FormatInt(limit, 10) + " bytes"
		}
		return http.StatusBadRequest, "read request body: " + err.Error()
	}
	if !utf8.Valid(data) {
		return http.StatusBadRequest, "request body is not valid UTF-8"
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return http.StatusBadRequest, describeJSONError(data, err, fields)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return http.StatusBadRequest, "the request body has more after its JSON object (at byte " +
			strconv.FormatInt(dec.InputOffset(), 10) + "); send exactly one object"
	}
	return 0, ""
}

// describeJSONError says what is wrong with a body in a client developer's
// words (where, what was expected) rather than encoding/json's internals (Go
// type names). fields describes the object the endpoint takes.
func describeJSONError(data []byte, err error, fields string) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case len(bytes.TrimSpace(data)) == 0:
		return "the request body is empty; send a JSON object: " + fields
	case errors.As(err, &syntax):
		return "the request body is not valid JSON: " + syntaxProblem(syntax) + " at " + position(data, syntax.Offset) +
			"; send a JSON object: " + fields
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the request body ends before its JSON is complete (a missing } or \"?); send a JSON object: " + fields
	case errors.As(err, &typ) && typ.Field == "":
		return "the request body is a JSON " + typ.Value + ", not an object; send a JSON object: " + fields
	case errors.As(err, &typ):
		return "field " + strconv.Quote(typ.Field) + " is a JSON " + typ.Value + ", which it cannot be; the body takes " + fields
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ") + "; the body takes " + fields
	default:
		return "the request body is not a valid request: " + err.Error() + "; send a JSON object: " + fields
	}
}

// syntaxProblem turns encoding/json's "invalid character 'x' looking for
// beginning of value" into "unexpected 'x'".
func syntaxProblem(e *json.SyntaxError) string {
	msg := e.Error()
	if rest, ok := strings.CutPrefix(msg, "invalid character "); ok {
		char, context, _ := strings.Cut(rest, " ")
		switch {
		case strings.Contains(context, "after object key"):
			return "unexpected " + char + " after a field name (a missing colon?)"
		case strings.Contains(context, "after object key:value pair"), strings.Contains(context, "after array element"):
			return "unexpected " + char + " (a missing comma?)"
		case strings.Contains(context, "in string"):
			return "a control character or bad escape " + char + " inside a string (escape it)"
		case strings.Contains(context, "looking for beginning of object key string"):
			return "unexpected " + char + " where a field name in double quotes should be"
		default:
			return "unexpected " + char
		}
	}
	return msg
}

// position renders a byte offset as line and column (1-based) for a client
// looking at its own request.
func position(data []byte, offset int64) string {
	offset = min(max(offset-1, 0), int64(len(data)))
	line := 1 + bytes.Count(data[:offset], []byte("\n"))
	col := offset - int64(bytes.LastIndexByte(data[:offset], '\n'))
	return "line " + strconv.Itoa(line) + ", column " + strconv.FormatInt(col, 10)
}
