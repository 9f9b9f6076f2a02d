package detect

import (
	"reflect"
	"testing"
	"time"
	"unsafe"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// fillNonZero sets every field of v (settable), nested ones and unexported
// ones included, to a value other than its zero.
func fillNonZero(t *testing.T, v reflect.Value) {
	t.Helper()
	v = reflect.NewAt(v.Type(), unsafe.Pointer(v.UnsafeAddr())).Elem()
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			fillNonZero(t, v.Field(i))
		}
	case reflect.Array:
		for i := range v.Len() {
			fillNonZero(t, v.Index(i))
		}
	case reflect.String:
		v.SetString("x")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(1)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		v.SetUint(1)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
	default:
		t.Fatalf("fillNonZero: no value for a %s", v.Type())
	}
}

// TestEventInitClearsAll checks that Event.init, which the arena makes
// its Events with in the storage of an earlier batch's, writes every
// field of an Event, however deep: what it leaves is what assigning
// the literal Event{Type, Time, Raw} leaves.
func TestEventInitClearsAll(t *testing.T) {
	var e Event
	fillNonZero(t, reflect.ValueOf(&e).Elem())
	if reflect.ValueOf(e.cols).IsZero() || reflect.ValueOf(e.Rules).IsZero() {
		t.Fatal("fillNonZero left a field zero")
	}
	at := time.Unix(1700000000, 5).UTC()
	e.init(parser.TypeAudit, at, "line")
	if want := (Event{Type: parser.TypeAudit, Time: at, Raw: "line"}); !reflect.DeepEqual(e, want) {
		t.Errorf("init left %+v, want %+v", e, want)
	}
}
