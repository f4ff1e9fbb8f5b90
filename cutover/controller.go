package cutover

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// ErrNotLeader is returned by [Controller.Tick] while another controller
// holds the lease: this one reads nothing and changes nothing.
var ErrNotLeader = errors.New("cutover: another controller holds the lease")

// Actuator is where the primary share of each route is kept: the flag
// source. [FlagFile] keeps them in a flagd flag file.
type Actuator interface {
	// Shares returns the current share of each of routes, in percent.
	Shares(ctx context.Context, routes []string) (map[string]float64, error)
	// SetShares sets the share of each route in shares and leaves every
	// other route and flag as it is.
	SetShares(ctx context.Context, shares map[string]float64) error
}

// Lease makes one controller the one that acts. Hold acquires the lease or
// renews it and reports whether this controller holds it now.
// [PostgresLease] keeps it in a PostgreSQL table.
type Lease interface {
	Hold(ctx context.Context) (bool, error)
}

// Controller moves the primary share of each route through the plan while
// its gates pass, and back when one fails. Routes advance independently.
// Create it with [New]; it is safe for concurrent use.
type Controller struct {
	routes   []string
	evidence Evidence
	actuator Actuator
	lease    Lease
	cfg      config
	obs      observer

	mu     sync.Mutex // serialises Tick, guards leader and status
	leader bool
	status map[string]RouteStatus
}

// New returns a controller of routes (route patterns, as the middleware
// names them) that reads evidence, writes the shares through actuator and
// acts only while it holds lease.
func New(routes []string, evidence Evidence, actuator Actuator, lease Lease, opts ...Option) *Controller {
	switch {
	case len(routes) == 0:
		panic("cutover: New needs at least one route, e.g. cutover.New([]string{\"/products/{id}\"}, ...)")
	case evidence == nil || actuator == nil || lease == nil:
		panic("cutover: New needs an Evidence (cutover.NewLocal or a Prometheus source), an Actuator (cutover.NewFlagFile) and a Lease (cutover.NewPostgresLease, or cutover.SoleController() for a single one)")
	}
	cfg := newConfig(opts)
	return &Controller{
		routes:   slices.Clone(routes),
		evidence: evidence,
		actuator: actuator,
		lease:    lease,
		cfg:      cfg,
		obs:      newObserver(cfg),
		status:   make(map[string]RouteStatus),
	}
}

// Plan returns the shares of the steps, in percent.
func (c *Controller) Plan() []float64 { return slices.Clone(c.cfg.plan) }

// Run calls Tick every interval until ctx ends. A tick without the lease or
// with a failing source or flag writer is logged and the next one tries
// again. Run returns ctx's error.
func (c *Controller) Run(ctx context.Context) error {
	t := time.NewTicker(c.cfg.interval)
	defer t.Stop()
	for {
		if err := c.Tick(ctx); err != nil {
			c.cfg.logger.WarnContext(ctx, "cutover: tick", "error", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// Tick evaluates every route once: it renews the lease, recovers the state
// from the flag values when it has just acquired the lease, checks each
// route's gates and writes the shares that changed. Without the lease it
// returns [ErrNotLeader] and does nothing else.
func (c *Controller) Tick(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	held, err := c.lease.Hold(ctx)
	if err != nil || !held {
		c.leader = false
		if err != nil {
			return fmt.Errorf("cutover: lease: %w", err)
		}
		return ErrNotLeader
	}
	now := c.cfg.now()
	if !c.leader {
		// Another controller may have acted since this one last held the
		// lease: the flags are the truth.
		if err := c.recover(ctx, now); err != nil {
			return err
		}
		c.leader = true
	}
	next := make(map[string]RouteStatus, len(c.routes))
	changed := make(map[string]float64)
	for _, route := range c.routes {
		st := c.evaluate(ctx, c.status[route], now)
		next[route] = st
		if st.Share != c.status[route].Share {
			changed[route] = st.Share
		}
	}
	if len(changed) > 0 {
		if err := c.actuator.SetShares(ctx, changed); err != nil {
			// Nothing moved: keep the state that matches the flags.
			return fmt.Errorf("cutover: writing the shares: %w", err)
		}
	}
	for _, route := range c.routes {
		c.status[route] = next[route]
		c.obs.decided(ctx, next[route])
	}
	return nil
}

// recover rebuilds each route's state from its share: the step is the
// highest whose share it has reached, the step before it counts as good
// (the controller promoted past it) and the hold starts again.
func (c *Controller) recover(ctx context.Context, now time.Time) error {
	shares, err := c.actuator.Shares(ctx, c.routes)
	if err != nil {
		return fmt.Errorf("cutover: reading the shares: %w", err)
	}
	for _, route := range c.routes {
		share := shares[route]
		step := stepOf(c.cfg.plan, share)
		st := RouteStatus{Route: route, Share: share, Step: step, Good: max(step-1, -1), Since: now,
			Action: ActionResume, Why: fmt.Sprintf("resumed at %g%% from the flag values", share)}
		c.status[route] = st
		c.obs.decided(ctx, st)
	}
	return nil
}

// evaluate judges one route and returns its next state.
func (c *Controller) evaluate(ctx context.Context, st RouteStatus, now time.Time) RouteStatus {
	ev, err := c.evidence.Route(ctx, st.Route)
	if err != nil {
		st.Results = []Result{{Gate: "evidence", Verdict: Wait, Reason: err.Error()}}
		return holdAt(st, "no evidence: "+err.Error())
	}
	gates := c.cfg.steps
	if st.Step < 0 {
		gates = c.cfg.start
	}
	results, verdict := judge(ctx, append(slices.Clone(gates), c.cfg.user...), st.Route, ev)
	return c.decide(st, results, verdict, now)
}

// Status returns where each route stands, in the order of New's routes;
// empty before the first Tick with the lease.
func (c *Controller) Status() []RouteStatus {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []RouteStatus
	for _, route := range c.routes {
		if st, ok := c.status[route]; ok {
			st.Results = slices.Clone(st.Results)
			out = append(out, st)
		}
	}
	return out
}

// SoleController is a [Lease] that is always held, for a service with one
// controller by construction (one replica, or a test).
func SoleController() Lease { return sole{} }

type sole struct{}

func (sole) Hold(context.Context) (bool, error) { return true, nil }
