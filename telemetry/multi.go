package telemetry

import "context"

// Multi returns a Recorder that hands every event to each of recorders, in
// order. StartShadow threads the context through them, so the context the
// shadow receives, and later Record, carries what each of them added. Nil
// recorders are left out; without any, Multi returns [Nop].
func Multi(recorders ...Recorder) Recorder {
	var rs multi
	for _, r := range recorders {
		if r != nil {
			rs = append(rs, r)
		}
	}
	switch len(rs) {
	case 0:
		return Nop{}
	case 1:
		return rs[0]
	}
	return rs
}

type multi []Recorder

func (m multi) StartShadow(ctx context.Context, e Event) context.Context {
	for _, r := range m {
		ctx = r.StartShadow(ctx, e)
	}
	return ctx
}

func (m multi) Record(ctx context.Context, e Event) {
	for _, r := range m {
		r.Record(ctx, e)
	}
}

// AddProblemSource hands f to each recorder that shows problems.
func (m multi) AddProblemSource(f func() error) {
	for _, r := range m {
		if p, ok := r.(interface{ AddProblemSource(func() error) }); ok {
			p.AddProblemSource(f)
		}
	}
}
