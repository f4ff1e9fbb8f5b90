package verify

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// rangeLo is the first id of the range that holds id: ranges start at 1
// and hold size ids; ids below 1 fall in ranges of their own.
func rangeLo(id, size int64) int64 {
	q := (id - 1) / size
	if (id-1)%size < 0 {
		q-- // floor, not truncation, for ids below 1
	}
	return q*size + 1
}

// sums are the counts and checksum of one side of a range.
type sums struct{ entities, items, checksum int64 }

func (s *sums) add(e Entity, hash int64) {
	if e.Err != nil || e.Response.Status != 0 {
		s.entities++
	}
	s.items += int64(len(e.Items))
	s.checksum += hash // wraps: compared modulo 2^64
}

// hashed is an entity a scan met, with its hash.
type hashed struct {
	Entity
	hash int64
}

// countSource hashes one key range of the source.
func (w *worker) countSource(ctx context.Context, u unit) error {
	k, ok := w.v.kind(u.kind)
	if !ok {
		return fmt.Errorf("verify: run %d has kind %q, which this worker does not know: give every worker the same kinds", w.run, u.kind)
	}
	if err := w.v.wait(ctx, int(u.hi-u.lo)); err != nil {
		return err
	}
	entities, err := k.Source(ctx, u.lo, u.hi)
	if err != nil {
		return fmt.Errorf("verify: %s source [%d, %d): %w", k.Name, u.lo, u.hi, err)
	}
	var s sums
	for _, e := range entities {
		s.add(e, entityHash(e))
	}
	return w.v.finish(ctx, w.run, u, int64(len(entities)), func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO shadowread_verify_sums (run_id, kind, range_lo, segment, entities, items, checksum)
VALUES ($1, $2, $3, -1, $4, $5, $6)`, w.run, k.Name, u.lo, s.entities, s.items, s.checksum)
		return err
	})
}

// countTarget scans one segment of the target, sums what it met per kind
// and range, and keeps every entity's hash and keys for the comparison.
// Items that belong to no kind are findings at once.
func (w *worker) countTarget(ctx context.Context, u unit) error {
	type rangeKey struct {
		kind string
		lo   int64
	}
	byRange := map[rangeKey]*sums{}
	var met []hashed
	var orphans []Finding
	emit := func(e Entity) error {
		if err := w.v.wait(ctx, 1); err != nil {
			return err
		}
		if _, ok := w.v.kind(e.Kind); !ok {
			orphans = append(orphans, orphanItems(e))
			return nil
		}
		k := rangeKey{e.Kind, rangeLo(e.ID, w.rangeSize)}
		s := byRange[k]
		if s == nil {
			s = &sums{}
			byRange[k] = s
		}
		h := entityHash(e)
		s.add(e, h)
		met = append(met, hashed{e, h})
		return nil
	}
	if err := w.v.scan(ctx, int(u.lo), w.segments, emit); err != nil {
		return fmt.Errorf("verify: target scan segment %d of %d: %w", u.lo, w.segments, err)
	}
	return w.v.finish(ctx, w.run, u, int64(len(met)+len(orphans)), func(tx pgx.Tx) error {
		for k, s := range byRange {
			if _, err := tx.Exec(ctx, `INSERT INTO shadowread_verify_sums (run_id, kind, range_lo, segment, entities, items, checksum)
VALUES ($1, $2, $3, $4, $5, $6, $7)`, w.run, k.kind, k.lo, u.lo, s.entities, s.items, s.checksum); err != nil {
				return err
			}
		}
		if err := w.saveScanned(ctx, tx, int(u.lo), met); err != nil {
			return err
		}
		return saveFindings(ctx, tx, w.run, orphans)
	})
}

// saveScanned keeps the entities a segment met, with one COPY.
func (w *worker) saveScanned(ctx context.Context, tx pgx.Tx, segment int, met []hashed) error {
	rows := make([][]any, len(met))
	for i, e := range met {
		reason := ""
		if e.Err != nil {
			reason = e.Err.Error()
		}
		rows[i] = []any{w.run, segment, i, e.Kind, e.ID, e.hash, e.Err == nil && e.Response.Status != 0, keyStrings(e.Items), reason}
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"shadowread_verify_scanned"},
		[]string{"run_id", "segment", "ord", "kind", "entity_id", "hash", "readable", "keys", "reason"}, pgx.CopyFromRows(rows))
	return err
}

func keyStrings(keys []Key) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = keyString(k)
	}
	return out
}
