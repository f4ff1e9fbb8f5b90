package verify

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/shadowread/shadowread/comparator"
)

// Problems a [Finding] names.
const (
	// The source has the entity, the target's read path does not.
	ProblemMissing = "missing_in_target"
	// The target's read path serves an entity the source does not have.
	ProblemExtra = "extra_in_target"
	// Both have it and the comparator finds them different.
	ProblemChanged = "changed"
	// Both have it, the bytes differ, the comparator finds them equal: a
	// representation difference its options absorb. Not a difference.
	ProblemAbsorbed = "absorbed"
	// The items' keys or index attributes differ from what the source
	// implies (another partition, a wrong index key, an item lacking).
	ProblemKeys = "keys"
	// The target holds the entity more than once.
	ProblemDuplicate = "duplicate"
	// Items in the target that hold no entity of the source, or that
	// belong to no kind at all.
	ProblemOrphan = "orphan"
	// An item or row that cannot be read or decoded (an attribute of the
	// wrong type); Reason says why.
	ProblemUnreadable = "unreadable"
)

// Finding is one problem of one entity.
type Finding struct {
	Kind    string `json:"kind"`
	ID      int64  `json:"id"`
	Problem string `json:"problem"`
	// Signature is the comparator's signature of the difference: for a
	// body, the one the shadow middleware gives the read endpoint's two
	// responses; for keys, that of the two key sets.
	Signature string `json:"signature,omitempty"`
	// Triage is the comparator's triage of the difference: data_loss,
	// representation, or empty (none).
	Triage comparator.Triage `json:"triage,omitempty"`
	// Fields are the index-free fields that differ.
	Fields []string `json:"fields,omitempty"`
	// Keys are the target items involved, for a person to look at.
	Keys []string `json:"keys,omitempty"`
	// Reason says in words what is wrong (for unreadable items, why).
	Reason string `json:"reason,omitempty"`
}

// Counts are what one side holds.
type Counts struct {
	Entities int64 `json:"entities"`
	Items    int64 `json:"items"`
}

// Report is the result of a run.
type Report struct {
	Run   int64  `json:"run"`
	Phase string `json:"phase"`
	// Ranges are the key ranges the source was counted in; Differing the
	// ranges whose counts or checksums differed, compared one by one.
	Ranges    int           `json:"ranges"`
	Differing int           `json:"differing"`
	Source    Counts        `json:"source"`
	Target    Counts        `json:"target"`
	Findings  []Finding     `json:"findings"`
	Elapsed   time.Duration `json:"elapsed_ns"`
}

// Differences returns the findings that are real differences: all but
// the absorbed ones.
func (r Report) Differences() []Finding {
	var out []Finding
	for _, f := range r.Findings {
		if f.Problem != ProblemAbsorbed {
			out = append(out, f)
		}
	}
	return out
}

// OK reports whether the run finished and found no difference: what a
// cutover gate asks.
func (r Report) OK() bool { return r.Phase == PhaseDone && len(r.Differences()) == 0 }

// Group is the findings of one kind, problem, signature and triage.
type Group struct {
	Kind      string            `json:"kind"`
	Problem   string            `json:"problem"`
	Signature string            `json:"signature,omitempty"`
	Triage    comparator.Triage `json:"triage,omitempty"`
	Fields    []string          `json:"fields,omitempty"`
	Count     int               `json:"count"`
	// IDs are the first few entities, for a person to look at.
	IDs []int64 `json:"ids"`
}

// maxGroupIDs bounds the ids a group shows.
const maxGroupIDs = 5

// Groups returns the findings grouped by kind, problem, signature and
// triage, the largest group first.
func (r Report) Groups() []Group {
	var out []Group
	for _, f := range r.Findings {
		i := slices.IndexFunc(out, func(g Group) bool {
			return g.Kind == f.Kind && g.Problem == f.Problem && g.Signature == f.Signature && g.Triage == f.Triage
		})
		if i < 0 {
			out = append(out, Group{Kind: f.Kind, Problem: f.Problem, Signature: f.Signature, Triage: f.Triage, Fields: f.Fields})
			i = len(out) - 1
		}
		out[i].Count++
		if len(out[i].IDs) < maxGroupIDs {
			out[i].IDs = append(out[i].IDs, f.ID)
		}
	}
	slices.SortStableFunc(out, func(a, b Group) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Problem, b.Problem))
	})
	return out
}

// ByTriage counts the findings per triage ("none" for findings without
// one), absorbed ones apart.
func (r Report) ByTriage() map[string]int {
	out := map[string]int{}
	for _, f := range r.Findings {
		t := string(f.Triage)
		switch {
		case f.Problem == ProblemAbsorbed:
			t = ProblemAbsorbed
		case t == "":
			t = "none"
		}
		out[t]++
	}
	return out
}

// jsonReport is the machine-readable form: the report, its verdict and
// its groups.
type jsonReport struct {
	Report
	OK       bool           `json:"ok"`
	Groups   []Group        `json:"groups"`
	ByTriage map[string]int `json:"by_triage"`
}

// WriteJSON writes the report as JSON, with ok (the gate's verdict), the
// groups and the counts per triage, for a CI job or a cutover gate.
func (r Report) WriteJSON(w io.Writer) error {
	if r.Findings == nil {
		r.Findings = []Finding{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(jsonReport{Report: r, OK: r.OK(), Groups: r.Groups(), ByTriage: r.ByTriage()})
}

// WriteText writes a short summary for people: the counts, then one line
// per group of findings.
func (r Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "run %d %s: %d ranges, %d compared one by one; source %d entities (%d items), target %d entities (%d items)\n",
		r.Run, r.Phase, r.Ranges, r.Differing, r.Source.Entities, r.Source.Items, r.Target.Entities, r.Target.Items)
	for _, g := range r.Groups() {
		triage := string(g.Triage)
		if triage == "" {
			triage = "-"
		}
		what := strings.Join(slices.DeleteFunc([]string{g.Signature, strings.Join(g.Fields, ",")}, func(s string) bool { return s == "" }), " ")
		fmt.Fprintf(&b, "  %-8s %-18s %4d  triage %-14s %s ids %v\n", g.Kind, g.Problem, g.Count, triage, what, g.IDs)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Result returns the report of a run, finished or not.
func (v *Verifier) Result(ctx context.Context, run int64) (Report, error) {
	r := Report{Run: run}
	var created time.Time
	var finished *time.Time
	err := v.db.QueryRow(ctx, `SELECT r.phase, r.created_at, r.finished_at,
	(SELECT count(*) FROM shadowread_verify_units WHERE run_id = r.id AND unit = 'source'),
	(SELECT count(*) FROM shadowread_verify_units WHERE run_id = r.id AND unit = 'compare'),
	(SELECT coalesce(sum(entities) FILTER (WHERE segment < 0), 0) FROM shadowread_verify_sums WHERE run_id = r.id),
	(SELECT coalesce(sum(items) FILTER (WHERE segment < 0), 0) FROM shadowread_verify_sums WHERE run_id = r.id),
	(SELECT coalesce(sum(entities) FILTER (WHERE segment >= 0), 0) FROM shadowread_verify_sums WHERE run_id = r.id),
	(SELECT coalesce(sum(items) FILTER (WHERE segment >= 0), 0) FROM shadowread_verify_sums WHERE run_id = r.id)
FROM shadowread_verify_runs r WHERE r.id = $1`, run).Scan(&r.Phase, &created, &finished, &r.Ranges, &r.Differing,
		&r.Source.Entities, &r.Source.Items, &r.Target.Entities, &r.Target.Items)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, fmt.Errorf("%w: %d", ErrNoRun, run)
	}
	if err != nil {
		return r, fmt.Errorf("verify: result of run %d: %w", run, err)
	}
	if finished != nil {
		r.Elapsed = finished.Sub(created)
	}
	rows, err := v.db.Query(ctx, `SELECT kind, entity_id, problem, signature, triage, fields, keys, reason
FROM shadowread_verify_findings WHERE run_id = $1 ORDER BY kind, entity_id, problem, seq`, run)
	if err != nil {
		return r, fmt.Errorf("verify: findings of run %d: %w", run, err)
	}
	r.Findings, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (Finding, error) {
		var f Finding
		var triage string
		err := row.Scan(&f.Kind, &f.ID, &f.Problem, &f.Signature, &triage, &f.Fields, &f.Keys, &f.Reason)
		f.Triage = comparator.Triage(triage)
		if len(f.Fields) == 0 {
			f.Fields = nil
		}
		if len(f.Keys) == 0 {
			f.Keys = nil
		}
		return f, err
	})
	return r, err
}

// saveFindings records findings in the unit's transaction.
func saveFindings(ctx context.Context, tx pgx.Tx, run int64, fs []Finding) error {
	for _, f := range fs {
		if _, err := tx.Exec(ctx, `INSERT INTO shadowread_verify_findings (run_id, kind, entity_id, problem, signature, triage, fields, keys, reason)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, run, f.Kind, f.ID, f.Problem, f.Signature, string(f.Triage),
			nonNil(f.Fields), nonNil(f.Keys), f.Reason); err != nil {
			return err
		}
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
