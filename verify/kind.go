package verify

import (
	"context"

	"github.com/shadowread/shadowread/comparator"
)

// Key is one stored item's key and index attributes by name, such as
// PK, SK, GSI1PK and GSI1SK of a single-table DynamoDB design. A key or
// index attribute that differs between what the source implies and what
// the target holds is a finding even when the entity's body is equal.
type Key map[string]string

// Entity is one entity as a store holds it.
type Entity struct {
	// Kind is the entity kind's [Kind.Name]; ID its key, the one key
	// ranges are over. A [Scan] leaves Kind empty for items it cannot
	// attribute to any entity; they are findings of their own.
	Kind string
	ID   int64
	// Response is the entity as the read path serves it (status, headers,
	// body). From the source it is the response the service gives; from a
	// [Scan], a zero Status says the items hold no readable entity (a
	// variant item without its product).
	Response comparator.Response
	// Items are the keys of the items that hold the entity in the target:
	// from the source, the keys the items should have; from the target,
	// the keys they do have.
	Items []Key
	// Err says why the entity could not be read or decoded (an attribute
	// of the wrong type). It is a finding with the entity's keys and this
	// reason; the run goes on.
	Err error
}

// Kind describes one entity kind to verify.
type Kind struct {
	// Name names the kind in findings and reports: "order".
	Name string
	// MaxID returns the largest id of the kind in the source; ids 1 to it
	// are verified, and the target's ids outside are found too.
	MaxID func(ctx context.Context) (int64, error)
	// Source lists the kind's entities with ids in [lo, hi) from the
	// source store, each rendered as the read path serves it and with the
	// keys its items should have in the target. An error stops the unit,
	// which is retried; report a bad row as [Entity.Err] instead.
	Source func(ctx context.Context, lo, hi int64) ([]Entity, error)
	// Target reads one entity from the target store through the read path
	// the service serves (a 404 Response when it has none). An error stops
	// the unit; report a bad item as [Entity.Err] instead.
	Target func(ctx context.Context, id int64) (Entity, error)
}

// Scan visits one segment of the target store (segment of segments, as a
// DynamoDB parallel scan) and emits every entity it meets, with the keys
// of the items that hold it. Items of one entity must be emitted as one
// [Entity]; an entity met in two segments, or twice, is a duplicate. emit
// waits for the run's read rate and returns an error only when ctx ends.
type Scan func(ctx context.Context, segment, segments int, emit func(Entity) error) error
