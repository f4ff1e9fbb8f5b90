package catalog

import (
	"context"

	"github.com/shadowread/shadowread/backends"
)

// WithShadowBehind makes a shadow read say when the store it reads is known
// to be behind for the entity: a write of it still waits in that store's
// repair log (after an outage, say). The read calls hook, which is
// middleware.ShadowBehind, so the pair is skipped with that reason instead
// of being counted as a mismatch: it lowers the route's coverage, it is not
// a failure. The evidence is the request's own: the log is read before the
// shadow's read and, unless that found the entity, again after it. A write
// that began during the read, between the two, may have shown the read an
// entity of several items half written (a product's description item
// already new, its variants not yet), which no later write explains. Product
// and order reads ask both logs; the order list asks DynamoDB's, since
// PostgreSQL's names orders and not their customers.
func WithShadowBehind(logs RepairLogs, hook func(context.Context)) Option {
	if logs == nil || hook == nil {
		panic("catalog: WithShadowBehind needs the repair logs and a hook, as in catalog.WithShadowBehind(dualwrite.NewRepairLogs(pg, ddb), middleware.ShadowBehind)")
	}
	return optionFunc(func(c *config) { c.behind = &behindCheck{logs: logs, hook: hook} })
}

// RepairLogs says whether a write still waits in a store's repair log. The
// dual writer keeps the logs (dualwrite.RepairLogs).
type RepairLogs interface {
	// Pending reports whether a write of the entity waits to reach store.
	Pending(ctx context.Context, store backends.Name, e Entity, id int64) (bool, error)
	// PendingCustomerOrders reports whether a write of one of the
	// customer's orders waits to reach DynamoDB.
	PendingCustomerOrders(ctx context.Context, customerID int64) (bool, error)
}

// behindCheck asks the repair logs whether a shadow read's entity waits in
// them.
type behindCheck struct {
	logs RepairLogs
	hook func(context.Context)
}

// entity runs read, and calls the hook when ctx is a shadow run and the
// store it reads has the entity in its repair log before or after the read.
// A failed lookup says nothing: the pair is compared as it would be without
// the check.
func (b *behindCheck) entity(ctx context.Context, e Entity, id int64, read func()) {
	if b == nil || !backends.IsShadow(ctx) {
		read()
		return
	}
	b.around(ctx, read, func() (bool, error) { return b.logs.Pending(ctx, backends.Target(ctx), e, id) })
}

// customerOrders is entity for a customer's order list: behind when one of
// the customer's orders waits in DynamoDB's repair log.
func (b *behindCheck) customerOrders(ctx context.Context, customerID int64, read func()) {
	if b == nil || !backends.IsShadow(ctx) || backends.Target(ctx) != backends.DynamoDB {
		read()
		return
	}
	b.around(ctx, read, func() (bool, error) { return b.logs.PendingCustomerOrders(ctx, customerID) })
}

// around asks pending before and, unless that found the entity, after read,
// and calls the hook when either found it.
func (b *behindCheck) around(ctx context.Context, read func(), pending func() (bool, error)) {
	before, err := pending()
	read()
	if err == nil && before {
		b.hook(ctx)
		return
	}
	if after, err := pending(); err == nil && after {
		b.hook(ctx)
	}
}
