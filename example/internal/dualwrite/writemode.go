package dualwrite

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/open-feature/go-sdk/openfeature"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/example/internal/catalog"
)

// WriteMode says which stores the write endpoints write, and in which
// order. It is the migration's second flag, beside the primary flag of
// reads: the four values are the steps from PostgreSQL only to DynamoDB
// only.
type WriteMode string

// The write modes, in the order a migration goes through them.
const (
	// WritePostgres writes PostgreSQL only: before the migration.
	WritePostgres WriteMode = "postgres"
	// WriteBoth writes PostgreSQL, the source of truth, then DynamoDB;
	// DynamoDB's failures go to the repair log in PostgreSQL.
	WriteBoth WriteMode = "both"
	// WriteDynamoDBFirst writes DynamoDB, now the source of truth, then
	// PostgreSQL, kept up to date so reads can roll back to it;
	// PostgreSQL's failures go to a repair log in DynamoDB.
	WriteDynamoDBFirst WriteMode = "dynamodb-first"
	// WriteDynamoDB writes DynamoDB only: PostgreSQL can be decommissioned.
	WriteDynamoDB WriteMode = "dynamodb"
)

// FlagWriteMode is the flag key of the write mode, a string flag with one
// of the [WriteMode] values.
const FlagWriteMode = "shadowread.write-mode"

// DefaultWriteMode is the mode when no flag says otherwise: the dual write
// of a migration in progress.
const DefaultWriteMode = WriteBoth

// WriteModes lists the modes in migration order.
func WriteModes() []WriteMode {
	return []WriteMode{WritePostgres, WriteBoth, WriteDynamoDBFirst, WriteDynamoDB}
}

// ParseWriteMode returns the mode named s.
func ParseWriteMode(s string) (WriteMode, error) {
	for _, m := range WriteModes() {
		if string(m) == s {
			return m, nil
		}
	}
	return "", fmt.Errorf("catalog: unknown write mode %q; want postgres, both, dynamodb-first or dynamodb", s)
}

// Writes reports whether the mode writes the store.
func (m WriteMode) Writes(b backends.Name) bool {
	switch b {
	case backends.Postgres:
		return m == WritePostgres || m == WriteBoth || m == WriteDynamoDBFirst
	case backends.DynamoDB:
		return m == WriteBoth || m == WriteDynamoDBFirst || m == WriteDynamoDB
	}
	return false
}

// Truth is the store the mode writes first: the source of truth.
func (m WriteMode) Truth() backends.Name {
	if m == WriteDynamoDBFirst || m == WriteDynamoDB {
		return backends.DynamoDB
	}
	return backends.Postgres
}

// ErrStoreNotWritten is the error of a read from a store that the write
// mode no longer writes (or does not write yet): its data is stale, and
// serving it would hide every write since.
var ErrStoreNotWritten = errors.New("catalog: the write mode does not write this store")

// CheckRead returns an error that is [ErrStoreNotWritten] when the mode
// does not write the store a read would be served from. Reads call it
// first, so that no combination of the primary flag and the write-mode
// flag serves stale data.
func CheckRead(m WriteMode, b backends.Name) error {
	if m.Writes(b) {
		return nil
	}
	return fmt.Errorf("%w: reads from %s refused in write mode %q; set %s to a mode that writes %s, or the primary to a store it writes",
		ErrStoreNotWritten, b, m, FlagWriteMode, b)
}

// WriteModeSource says the current write mode. It is asked once per
// request, so it must be cheap.
type WriteModeSource interface {
	WriteMode(ctx context.Context) WriteMode
}

// FixedWriteMode is a write mode that never changes.
type FixedWriteMode WriteMode

// WriteMode implements [WriteModeSource].
func (m FixedWriteMode) WriteMode(context.Context) WriteMode { return WriteMode(m) }

// FlagWriteModes reads the write mode from the [FlagWriteMode] flag.
type FlagWriteModes struct {
	client *openfeature.Client
	last   atomic.Value // WriteMode: the last good value
}

// NewFlagWriteModes evaluates the write-mode flag with client. A value the
// flag provider cannot give, or one that is not a write mode, leaves the
// last good value in force; before the first, fallback.
func NewFlagWriteModes(client *openfeature.Client, fallback WriteMode) *FlagWriteModes {
	if client == nil {
		panic("dualwrite: NewFlagWriteModes(nil, ...): pass the service's OpenFeature client")
	}
	if _, err := ParseWriteMode(string(fallback)); err != nil {
		panic(fmt.Sprintf("dualwrite: NewFlagWriteModes fallback: %v", err))
	}
	f := &FlagWriteModes{client: client}
	f.last.Store(fallback)
	return f
}

// WriteMode implements [WriteModeSource].
func (f *FlagWriteModes) WriteMode(ctx context.Context) WriteMode {
	last := f.last.Load().(WriteMode)
	s, err := f.client.StringValue(ctx, FlagWriteMode, string(last), openfeature.EvaluationContext{})
	if err != nil {
		return last
	}
	m, err := ParseWriteMode(s)
	if err != nil {
		return last
	}
	if m != last {
		f.last.Store(m)
	}
	return m
}

// Guard is the read guard of the write mode, for catalog.WithReadGuard: a
// read routed to a store that the mode does not write is refused
// ([CheckRead]).
func Guard(src WriteModeSource) catalog.ReadGuard {
	if src == nil {
		panic("dualwrite: Guard(nil): pass the writer's write-mode source")
	}
	return func(ctx context.Context, store backends.Name) error { return CheckRead(src.WriteMode(ctx), store) }
}
