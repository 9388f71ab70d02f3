// Package jsonerr words encoding/json's errors for the person whose file
// it is: the field and what it should hold, not Go's type names.
package jsonerr

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
)

// Explain says what was wrong with a line of JSON in a person's terms:
// encoding/json's own messages name Go types ("uint64") and internal ones.
// prefixes are Go names to drop from a field's path ("snapshotAlias.").
func Explain(err error, prefixes ...string) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := te.Field
		for _, p := range prefixes {
			field = strings.TrimPrefix(field, p)
		}
		return fmt.Errorf("field %q: expected %s, got JSON %s", field, jsonWant(te.Type), te.Value)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("not JSON (at byte %d: %s)", se.Offset, strings.TrimPrefix(se.Error(), "json: "))
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return errors.New("not JSON (it ends too soon)")
	}
	// "json: unknown field \"x\"", from a decoder that disallows them.
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return fmt.Errorf("unknown field %s", f)
	}
	return err
}

// jsonWant names what a field of type t holds, for a person.
func jsonWant(t reflect.Type) string {
	if t == nil {
		return "another type"
	}
	switch t.Kind() {
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number, 0 or more"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "a whole number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Pointer:
		return jsonWant(t.Elem())
	}
	return "another type"
}
