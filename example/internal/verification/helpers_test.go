package verification_test

import "github.com/shadowread/shadowread/example/internal/catalogtest"

// The catalog the tests run on, and the helpers they share.
type (
	env     = catalogtest.Env
	modeVar = catalogtest.ModeVar
)

var (
	newEnv      = catalogtest.NewEnv
	newEnvOn    = catalogtest.NewEnvOn
	newModeVar  = catalogtest.NewModeVar
	at          = catalogtest.At
	serve       = catalogtest.Serve
	fromStore   = catalogtest.FromStore
	request     = catalogtest.Request
	deleteInput = catalogtest.DeleteInput
	decode      = catalogtest.Decode
	waitFor     = catalogtest.WaitFor
)

var (
	assertSame    = catalogtest.AssertSame
	sumCounter    = catalogtest.SumCounter
	writeService  = catalogtest.WriteService
	writes        = catalogtest.Writes
	repairLogSize = catalogtest.RepairLogSize
	equalJSON     = catalogtest.EqualJSON
	sprint        = catalogtest.Sprint
)

func ptr[T any](v T) *T { return catalogtest.Ptr(v) }

var (
	stall       = catalogtest.Stall
	modeService = catalogtest.ModeService
)

var (
	placeAndReprice = catalogtest.PlaceAndReprice
	stored          = catalogtest.Stored
)

var gauge = catalogtest.Gauge
