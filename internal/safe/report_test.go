package safe_test

import (
	"testing"

	"go.opentelemetry.io/otel"
	"go.uber.org/goleak"

	"github.com/shadowread/shadowread/internal/safe"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type handlerFunc func(error)

func (f handlerFunc) Handle(err error) { f(err) }

func TestReport(t *testing.T) {
	var got []string
	otel.SetErrorHandler(handlerFunc(func(err error) { got = append(got, err.Error()) }))
	t.Cleanup(func() { otel.SetErrorHandler(handlerFunc(func(error) {})) })

	func() {
		defer safe.Report("shadowread: recorder")
		panic("boom")
	}()
	func() {
		defer safe.Report("shadowread: quiet")
	}()

	want := []string{"shadowread: recorder panicked: boom"}
	if len(got) != len(want) || got[0] != want[0] {
		t.Errorf("otel.Handle got %q, want %q: a panic is reported once with its prefix, no panic reports nothing", got, want)
	}
}
