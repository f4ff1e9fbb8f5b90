package app_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/shadowread/shadowread/example/internal/app"
	"github.com/shadowread/shadowread/telemetry"
)

// reasons is a recorder wrapper that keeps the outcome and reason of each
// recorded event.
type reasons struct {
	telemetry.Recorder
	mu  sync.Mutex
	got []telemetry.Event
}

func (r *reasons) Record(ctx context.Context, e telemetry.Event) {
	r.mu.Lock()
	r.got = append(r.got, e)
	r.mu.Unlock()
	r.Recorder.Record(ctx, e)
}

func (r *reasons) events() []telemetry.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]telemetry.Event(nil), r.got...)
}

// TestShadowOfAPendingRepairIsBehind: a product whose write still waits in
// DynamoDB's repair log is not compared; its sample is skipped as
// shadow_behind, and a product with no pending entry is compared.
func TestShadowOfAPendingRepairIsBehind(t *testing.T) {
	rec := &reasons{}
	a, srv, _ := service(t, func(c *app.Config) {
		c.NoiseBaseline = -1
		c.WrapRecorder = func(r telemetry.Recorder) telemetry.Recorder { rec.Recorder = r; return rec }
	})
	if _, err := a.Postgres.Pool().Exec(context.Background(),
		`INSERT INTO dynamodb_outbox (entity, entity_id) VALUES ('product', 5)`); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path       string
		wantReason telemetry.Reason
		reason     string
	}{
		{"/products/5", telemetry.ReasonShadowBehind, "the product waits in DynamoDB's repair log"},
		{"/products/6", "", "nothing waits for this one: compared"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			before := len(rec.events())
			if status, _ := get(t, srv.URL+tt.path); status != http.StatusOK {
				t.Fatalf("status %d", status)
			}
			deadline := time.Now().Add(10 * time.Second)
			for len(rec.events()) == before && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			events := rec.events()
			if len(events) == before {
				t.Fatal("no sample recorded")
			}
			e := events[before]
			if e.Reason != tt.wantReason {
				t.Errorf("outcome %s, reason %q; want reason %q (%s)", e.Outcome, e.Reason, tt.wantReason, tt.reason)
			}
		})
	}
}
