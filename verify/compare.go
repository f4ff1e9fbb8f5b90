package verify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/shadowread/shadowread/comparator"
)

// scannedRow is one entity the target's scan met, as the count kept it.
type scannedRow struct {
	hash     int64
	readable bool
	keys     []string
	reason   string
}

// compare compares a range whose sums differ entity by entity: the ids
// whose hashes differ, that one side lacks or that the target holds more
// than once.
func (w *worker) compare(ctx context.Context, u unit) error {
	k, ok := w.v.kind(u.kind)
	if !ok {
		return fmt.Errorf("verify: run %d has kind %q, which this worker does not know: give every worker the same kinds", w.run, u.kind)
	}
	if err := w.v.wait(ctx, int(u.hi-u.lo)); err != nil {
		return err
	}
	list, err := k.Source(ctx, u.lo, u.hi)
	if err != nil {
		return fmt.Errorf("verify: %s source [%d, %d): %w", k.Name, u.lo, u.hi, err)
	}
	source := make(map[int64]Entity, len(list))
	for _, e := range list {
		source[e.ID] = e
	}
	target, err := w.scanned(ctx, k.Name, u.lo, u.hi)
	if err != nil {
		return err
	}
	var findings []Finding
	for _, id := range suspects(source, target) {
		f, err := w.compareEntity(ctx, k, id, source, target[id])
		if err != nil {
			return err
		}
		findings = append(findings, f...)
	}
	return w.v.finish(ctx, w.run, u, int64(len(list)), func(tx pgx.Tx) error {
		return saveFindings(ctx, tx, w.run, findings)
	})
}

func (w *worker) scanned(ctx context.Context, kind string, lo, hi int64) (map[int64][]scannedRow, error) {
	rows, err := w.v.db.Query(ctx, `SELECT entity_id, hash, readable, keys, reason FROM shadowread_verify_scanned
WHERE run_id = $1 AND kind = $2 AND entity_id >= $3 AND entity_id < $4 ORDER BY segment, ord`, w.run, kind, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("verify: scanned %s [%d, %d): %w", kind, lo, hi, err)
	}
	out := map[int64][]scannedRow{}
	var id int64
	var r scannedRow
	_, err = pgx.ForEachRow(rows, []any{&id, &r.hash, &r.readable, &r.keys, &r.reason}, func() error {
		out[id] = append(out[id], r)
		r = scannedRow{}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("verify: scanned %s [%d, %d): %w", kind, lo, hi, err)
	}
	return out, nil
}

// suspects are the ids whose two sides' hashes differ, in order.
func suspects(source map[int64]Entity, target map[int64][]scannedRow) []int64 {
	var ids []int64
	for id, e := range source {
		recs := target[id]
		var sum int64
		for _, r := range recs {
			sum += r.hash
		}
		if len(recs) != 1 || sum != entityHash(e) {
			ids = append(ids, id)
		}
	}
	for id := range target {
		if _, ok := source[id]; !ok {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// compareEntity finds the problems of one suspect entity: a bad item, a
// body that differs on the read path, duplicates, keys that differ,
// orphan items.
func (w *worker) compareEntity(ctx context.Context, k Kind, id int64, source map[int64]Entity, recs []scannedRow) ([]Finding, error) {
	src, inSource := source[id]
	var keys []string
	readable := 0
	for _, r := range recs {
		keys = append(keys, r.keys...)
		if r.readable {
			readable++
		}
	}
	base := Finding{Kind: k.Name, ID: id, Keys: keys}
	if inSource && src.Err != nil {
		return []Finding{with(base, ProblemUnreadable, "source: "+src.Err.Error())}, nil
	}
	for _, r := range recs {
		if r.reason != "" {
			return []Finding{with(base, ProblemUnreadable, r.reason)}, nil
		}
	}
	if err := w.v.wait(ctx, 1); err != nil {
		return nil, err
	}
	tgt, err := k.Target(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("verify: read %s %d from the target: %w", k.Name, id, err)
	}
	if tgt.Err != nil {
		return []Finding{with(base, ProblemUnreadable, tgt.Err.Error())}, nil
	}
	primary := src.Response
	if !inSource {
		primary = comparator.Response{Status: http.StatusNotFound}
	}
	var out []Finding
	if f, ok := w.compareBodies(base, primary, tgt.Response, len(recs) > 0); ok {
		out = append(out, f)
	}
	switch {
	case readable > 1:
		out = append(out, with(base, ProblemDuplicate, fmt.Sprintf("the target holds it %d times", readable)))
	case inSource && len(recs) > 0:
		if f, ok := compareKeys(base, src.Items, keys); ok {
			out = append(out, f)
		}
	}
	return out, nil
}

func with(f Finding, problem, reason string) Finding {
	f.Problem, f.Reason = problem, reason
	return f
}

func ok2xx(status int) bool { return status >= 200 && status < 300 }

// compareBodies compares the two read-path responses as the middleware
// does. Items the target holds for an id neither side serves are orphans.
func (w *worker) compareBodies(base Finding, primary, shadow comparator.Response, hasItems bool) (Finding, bool) {
	if !ok2xx(primary.Status) && !ok2xx(shadow.Status) {
		if hasItems {
			return with(base, ProblemOrphan, "items in the target that no read serves and the source does not have"), true
		}
		return Finding{}, false
	}
	res := w.v.cfg.comparator.Compare(primary, shadow)
	f := base
	f.Signature, f.Triage, f.Fields = res.Signature(), triageOf(res), fieldsOf(res)
	switch {
	case !res.Equal && ok2xx(primary.Status) && !ok2xx(shadow.Status):
		f.Problem, f.Reason = ProblemMissing, fmt.Sprintf("the target's read path answers %d", shadow.Status)
	case !res.Equal && !ok2xx(primary.Status):
		f.Problem, f.Reason = ProblemExtra, "the target serves what the source does not have"
	case !res.Equal:
		f.Problem = ProblemChanged
		if res.Err != nil {
			f.Reason = res.Err.Error()
		}
	case !bytes.Equal(canonicalJSON(primary.Body), canonicalJSON(shadow.Body)):
		f.Problem, f.Reason = ProblemAbsorbed, "equal for the comparator's options"
	default:
		return Finding{}, false
	}
	return f, true
}

// triageOf is the gravest triage of a result's differences: data loss
// when any difference is, representation only when every one is, unknown
// otherwise, as the report page judges a signature.
func triageOf(res comparator.Result) comparator.Triage {
	if len(res.Diffs) == 0 {
		return comparator.TriageNone
	}
	t := comparator.TriageRepresentation
	for _, d := range res.Diffs {
		switch d.Hint.Triage {
		case comparator.TriageDataLoss:
			return comparator.TriageDataLoss
		case comparator.TriageRepresentation:
		default:
			t = comparator.TriageUnknown
		}
	}
	return t
}

func fieldsOf(res comparator.Result) []string {
	var out []string
	for _, d := range res.Diffs {
		if !slices.Contains(out, d.Field) {
			out = append(out, d.Field)
		}
	}
	return out
}

// keysComparator compares key documents; values stay redacted.
var keysComparator = comparator.JSON()

// compareKeys compares the keys the source implies with the keys the
// target's items have, as documents of attribute name to the sorted
// values, so the signature names the attribute (PK[], GSI1PK[]).
func compareKeys(base Finding, want []Key, got []string) (Finding, bool) {
	wantStrs := keyStrings(want)
	slices.Sort(wantStrs)
	gotSorted := slices.Sorted(slices.Values(got))
	if slices.Equal(wantStrs, gotSorted) {
		return Finding{}, false
	}
	res := keysComparator.Compare(keysResponse(wantStrs), keysResponse(gotSorted))
	f := with(base, ProblemKeys, "the items' keys or index attributes differ from what the source implies")
	f.Signature, f.Fields = res.Signature(), fieldsOf(res)
	if res.Equal { // the same values, other items: how they pair up differs
		f.Fields = []string{"items"}
	}
	return f, true
}

// keysResponse renders keys as {"PK": [values], ...}.
func keysResponse(keys []string) comparator.Response {
	doc := map[string][]string{}
	for _, k := range keys {
		for name, value := range parseKeyString(k) {
			doc[name] = append(doc[name], value)
		}
	}
	for _, vs := range doc {
		slices.Sort(vs)
	}
	body, _ := json.Marshal(doc)
	return comparator.Response{Status: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}}, Body: body}
}

// parseKeyString reverses keyString.
func parseKeyString(s string) map[string]string {
	out := map[string]string{}
	_ = json.Unmarshal([]byte(s), &out)
	return out
}

// orphanItems is the finding for items a scan could attribute to no kind.
func orphanItems(e Entity) Finding {
	reason := "items of no kind the verification knows"
	if e.Err != nil {
		reason += ": " + e.Err.Error()
	}
	return Finding{Kind: e.Kind, ID: e.ID, Problem: ProblemOrphan, Keys: keyStrings(e.Items), Reason: reason}
}
