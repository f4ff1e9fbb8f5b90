package comparator

import (
	"bytes"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
)

// ErrPanic is wrapped by [Result.Err] when a comparison panicked: in a
// [Normalize] function, in a go-cmp option, or in go-cmp itself.
var ErrPanic = errors.New("comparator: panic during comparison")

// JSON returns a [Comparator] for JSON APIs. It compares status codes,
// then the headers that options name, then the bodies as decoded JSON
// documents (as bytes when a body is not JSON), and reports the paths
// where they differ. See the package documentation for the rules and
// every option. The comparator is immutable and safe for concurrent use.
// Invalid options panic here, with the fix in the message.
func JSON(opts ...Option) Comparator {
	cfg := newConfig()
	Options(opts).apply(&cfg)
	return newJSONComparator(cfg)
}

// jsonComparator is what [JSON] builds: the options' values, with the
// path options compiled.
type jsonComparator struct {
	config
	rules matcher
	// buffers pools decoding buffers (*buffers) between comparisons: a
	// matching pair then allocates little more than copies of its bodies.
	buffers sync.Pool
}

func newJSONComparator(cfg config) *jsonComparator {
	slices.Sort(cfg.compareHeaders)
	cfg.compareHeaders = slices.Compact(cfg.compareHeaders)
	c := &jsonComparator{config: cfg}
	// Rules keep the order the options gave, so Normalize functions on the
	// same path run in that order.
	addRules := func(paths []string, a ruleAction) {
		for _, p := range paths {
			segs, _ := parsePattern(p) // validated by the option
			c.rules.rules = append(c.rules.rules, pathRule{pattern: p, segs: segs, action: a})
		}
	}
	addRules(cfg.ignore, actIgnore)
	addRules(cfg.unordered, actUnordered)
	for _, n := range cfg.normalizers {
		segs, _ := parsePattern(n.path)
		c.rules.rules = append(c.rules.rules, pathRule{pattern: n.path, segs: segs, action: actNormalize, fn: n.fn})
	}
	return c
}

// Compare implements [Comparator].
func (c *jsonComparator) Compare(primary, shadow Response) (res Result) {
	defer func() {
		if p := recover(); p != nil {
			res = Result{Err: fmt.Errorf("%w: %v\n\n%s", ErrPanic, p, debug.Stack())}
		}
	}()
	if primary.Status != shadow.Status {
		// Bodies of different statuses differ by nature (an error message
		// against a resource); the status says it all.
		return Result{Diffs: []Diff{{
			Path:    "$status",
			Kind:    StatusChanged,
			Primary: strconv.Itoa(primary.Status),
			Shadow:  strconv.Itoa(shadow.Status),
		}}}
	}
	out := diffList{limit: c.maxDiffs}
	c.diffHeaders(primary.Header, shadow.Header, &out)
	if c.comparesBody(primary.Status) && !bytes.Equal(primary.Body, shadow.Body) {
		res.Fallback, res.Err = c.diffBodies(primary.Body, shadow.Body, &out)
	}
	res.Diffs, res.Truncated = out.diffs, out.truncated
	res.Equal = len(res.Diffs) == 0 && res.Err == nil
	return res
}

// comparesBody reports whether bodies of responses with this (shared)
// status are compared.
func (c *jsonComparator) comparesBody(status int) bool {
	return c.compareErrorBodies || (status >= 200 && status <= 299)
}

// diffBodies adds the differences between two bodies with different bytes.
func (c *jsonComparator) diffBodies(primary, shadow []byte, out *diffList) (Fallback, error) {
	bx, by := c.getBuffers(), c.getBuffers()
	defer c.putBuffers(bx)
	defer c.putBuffers(by)
	x, fx := bx.decode(primary)
	y, fy := by.decode(shadow)
	if fallback := firstNonEmpty(fx, fy); fallback != "" {
		out.add(Diff{Path: "$body", Kind: ValueChanged, Primary: c.describeBytes(primary), Shadow: c.describeBytes(shadow)})
		return fallback, nil
	}
	if err := c.normalize(x); err != nil {
		return "", err
	}
	if err := c.normalize(y); err != nil {
		return "", err
	}
	p := docPair{c: c, x: x, y: y}
	if len(c.cmpOpts) == 0 && p.equal(x.root(), y.root()) {
		return "", nil
	}
	p.explain(out)
	return "", nil
}

func (c *jsonComparator) getBuffers() *buffers {
	if b, ok := c.buffers.Get().(*buffers); ok {
		return b
	}
	return new(buffers)
}

func (c *jsonComparator) putBuffers(b *buffers) {
	if b.release() {
		c.buffers.Put(b)
	}
}

// diffList collects differences up to a limit.
type diffList struct {
	diffs     []Diff
	limit     int
	truncated bool
}

func (l *diffList) add(d Diff) {
	if len(l.diffs) >= l.limit {
		l.truncated = true
		return
	}
	l.diffs = append(l.diffs, d)
}

func firstNonEmpty(a, b Fallback) Fallback {
	if a != "" {
		return a
	}
	return b
}
