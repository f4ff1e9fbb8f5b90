package demo

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/example/internal/catalog"
	"github.com/shadowread/shadowread/example/internal/dualwrite"
	"github.com/shadowread/shadowread/example/internal/flagfile"
)

// flagState is what the flag file says.
type flagState struct {
	mode      dualwrite.WriteMode
	shadowing bool
	dynamo    int // percent of customers with DynamoDB as primary
}

// setFlags writes the flag file and waits until the service sees it.
func (d *demoRun) setFlags(s flagState) error {
	data := flagfile.Default
	var err error
	if s.dynamo > 0 {
		if data, err = flagfile.SplitPrimary(data, s.dynamo, readRoutes...); err != nil {
			return err
		}
	}
	if data, err = primaryShareFlag(data); err != nil {
		return err
	}
	if data, err = flagfile.SetWriteMode(data, s.mode); err != nil {
		return err
	}
	if data, err = flagfile.SetShadowing(data, s.shadowing); err != nil {
		return err
	}
	if err := flagfile.Write(d.flagPath, data); err != nil {
		return err
	}
	if d.app == nil {
		return nil
	}
	deadline := time.Now().Add(10 * time.Second)
	for !d.flagsSeen(s) {
		if time.Now().After(deadline) {
			return fmt.Errorf("the service did not pick up the flag file within 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	return nil
}

// flagsSeen reports whether the service's flags are s: the write mode, and
// for every read customer the primary that the split gives.
func (d *demoRun) flagsSeen(s flagState) bool {
	if d.app.WriteModes.WriteMode(context.Background()) != s.mode {
		return false
	}
	customers := []int64{1}
	if d.keys != nil {
		customers = d.keys.ReaderCustomers
	}
	dynamo := 0
	for _, c := range customers {
		if d.decide(catalog.RouteProduct, c).Primary == backends.DynamoDB {
			dynamo++
		}
	}
	share := 100 * dynamo / len(customers)
	switch {
	case s.dynamo == 0 || s.dynamo == 100:
		return share == s.dynamo
	default:
		return share > 0 && share < 100
	}
}

func (d *demoRun) decide(route string, customer int64) (dec struct {
	Primary backends.Name
	Sampled bool
}) {
	r, _ := http.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set(catalog.HeaderCustomerID, strconv.FormatInt(customer, 10))
	got := d.app.Flags.Decide(r, route)
	dec.Primary, dec.Sampled = got.Primary, got.Sampled
	return dec
}

func (d *demoRun) sampled(route string, customer int64) bool {
	return d.decide(route, customer).Sampled
}
