package comparator

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"unsafe"

	"github.com/shadowread/shadowread/comparator/internal/jsontree"
)

// MaxDepth is how deeply arrays and objects may nest in a body compared as
// JSON. A deeper body is compared as bytes ([FallbackTooDeep]), which bounds
// the recursion of every pass over the tree, go-cmp's included.
const MaxDepth = 64

// ErrPanic is wrapped by [Result.Err] when a comparison panicked: in a
// [Normalize] function, in a go-cmp option, or in go-cmp itself.
var ErrPanic = errors.New("comparator: panic during comparison")

// JSON returns a [Comparator] for JSON APIs. It compares status codes,
// then the headers that options name and those that carry data (Location
// of a redirect), then the bodies as decoded JSON
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
	// rules holds the path rules that normalise a document; keys those
	// that decide which member names diff paths show.
	rules, keys matcher
	// keyNames are the member names of the KeyedArrays rules (Node.Keyed
	// indexes them); anyKey is that of KeyedArrays("**", key), which
	// applies to every array no other rule names.
	keyNames []string
	anyKey   string
	// pools keep decoding buffers (*buffers) between comparisons, one pool
	// per size class of their node arena, so that a matching pair
	// allocates nothing, large bodies included, and a small body does not
	// take (and pin) a large arena.
	pools [len(poolClasses)]sync.Pool
	// decode says how bodies are decoded: within MaxDepth, and leaving
	// out the members that count as absent when no path rule has to see
	// them first.
	decode jsontree.Options
	// noScan turns scanEqual off, for tests that compare it with the full
	// comparison.
	noScan bool
}

// poolClasses are the node capacities of the arenas each pool keeps: a
// factor four apart, up to 2^20 nodes (about 30 MB, for bodies of several
// megabytes). A larger arena is not kept.
var poolClasses = [...]int{1 << 10, 1 << 12, 1 << 14, 1 << 16, 1 << 18, 1 << 20}

func newJSONComparator(cfg config) *jsonComparator {
	slices.Sort(cfg.compareHeaders)
	cfg.compareHeaders = slices.Compact(cfg.compareHeaders)
	c := &jsonComparator{config: cfg, decode: jsontree.Options{MaxDepth: MaxDepth}}
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
	for _, k := range cfg.keyed {
		segs, _ := parsePattern(k.path)
		if len(segs) == 1 && segs[0].kind == segAnyDepth {
			// Every array: decided per array when compared, which spares
			// the normalisation pass a rule that matches every value.
			c.anyKey = k.key
			continue
		}
		if len(c.keyNames) == math.MaxUint8 {
			panic(fmt.Sprintf("comparator: more than %d KeyedArrays paths: name arrays with fewer, wider paths (such as items[*].lines)", math.MaxUint8))
		}
		c.keyNames = append(c.keyNames, k.key)
		c.rules.rules = append(c.rules.rules, pathRule{pattern: k.path, segs: segs, action: actKeyed, keyed: uint8(len(c.keyNames))})
	}
	for _, p := range cfg.mapPaths {
		segs, _ := parsePattern(p)
		c.keys.rules = append(c.keys.rules, pathRule{pattern: p, segs: segs, action: actMapKeys})
	}
	for _, p := range cfg.showKeys {
		segs, _ := parsePattern(p)
		c.keys.rules = append(c.keys.rules, pathRule{pattern: p, segs: segs, action: actShowKeys})
	}
	if len(c.rules.rules) == 0 {
		c.decode.DropNull, c.decode.DropEmpty = cfg.nullEqualsMissing, cfg.emptyEqualsMissing
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
			Field:   "$status",
			Kind:    StatusChanged,
			Primary: strconv.Itoa(primary.Status),
			Shadow:  strconv.Itoa(shadow.Status),
			Hint:    statusHint(primary.Status, shadow.Status),
		}}}
	}
	out := diffList{limit: c.maxDiffs}
	c.diffHeaders(primary.Header, shadow.Header, &out)
	c.diffLocations(primary, shadow, &out)
	if c.comparesBody(primary.Status) && !bytes.Equal(primary.Body, shadow.Body) {
		res.Fallback, res.Err = c.diffBodies(primary.Body, shadow.Body, &out)
	}
	res.Diffs, res.Truncated = out.diffs, out.truncated
	res.Equal = len(res.Diffs) == 0 && res.Err == nil
	res.ValuesShown = c.showValues && len(res.Diffs) > 0
	return res
}

// comparesBody reports whether bodies of responses with this (shared)
// status are compared.
func (c *jsonComparator) comparesBody(status int) bool {
	return c.compareErrorBodies || (status >= 200 && status <= 299)
}

// diffBodies adds the differences between two bodies with different bytes.
// The primary is decoded first, and the shadow checked against it as it is
// read; only when that finds no proof of equality is the shadow decoded
// too, for the comparison that explains.
func (c *jsonComparator) diffBodies(primary, shadow []byte, out *diffList) (Fallback, error) {
	nx := jsontree.EstimateNodes(primary)
	bx := c.getBuffers(nx)
	defer c.putBuffers(bx)
	x, fx := bx.decode(primary, nx, c.decode)
	normalized := false
	if fx == "" && c.scans() {
		// Without Normalize functions normalising cannot fail.
		if err := c.normalize(x); err != nil {
			return "", err
		}
		normalized = true
		if c.scanEqual(x, shadow, bx) {
			return "", nil
		}
		if bx.read {
			// The shadow differs only in scalars, all read: its tree is
			// the primary's with them rewritten, no need to decode it.
			c.explainPair(docPair{c: c, x: x, y: bx.twinTree(x), scratch: bx, dirty: bx.dirtyBits}, out)
			return "", nil
		}
	}
	ny := jsontree.EstimateNodes(shadow)
	by := c.getBuffers(ny)
	defer c.putBuffers(by)
	y, fy := by.decode(shadow, ny, c.decode)
	if fallback := firstNonEmpty(fx, fy); fallback != "" {
		out.add(Diff{Path: "$body", Kind: ValueChanged, Primary: c.describeBytes(primary), Shadow: c.describeBytes(shadow)})
		return fallback, nil
	}
	if !normalized {
		if err := c.normalize(x); err != nil {
			return "", err
		}
	}
	if err := c.normalize(y); err != nil {
		return "", err
	}
	c.explainPair(docPair{c: c, x: x, y: y, scratch: bx}, out)
	return "", nil
}

// explainPair adds the differences between p's normalised documents to
// out; p.scratch holds the primary's buffers.
func (c *jsonComparator) explainPair(p docPair, out *diffList) {
	bx := p.scratch
	prune := len(c.cmpOpts) == 0 // else go-cmp's options decide, on whole values
	bx.found, bx.room = 0, -1
	if prune {
		bx.room = out.limit - len(out.diffs)
	}
	ax, ay, equal := p.pair(p.x.Root(), p.y.Root(), prune)
	if equal && prune {
		return
	}
	ends := p.explain(ax, ay, out)
	if bx.room >= 0 && bx.found > bx.room {
		out.truncated = true
	}
	if !out.truncated {
		// Balance is only known from all the differences.
		balanceKeyed(out.diffs, ends)
	}
}

// getBuffers returns buffers for decoding a body of about need nodes, from
// the pool of the smallest class that holds them.
func (c *jsonComparator) getBuffers(need int) *buffers {
	for i, size := range poolClasses {
		if need > size {
			continue
		}
		if b, ok := c.pools[i].Get().(*buffers); ok {
			return b
		}
		b := new(buffers)
		b.dec.Reserve(size)
		return b
	}
	return new(buffers) // too large to pool
}

// putBuffers keeps b in the pool of the largest class its arena holds.
func (c *jsonComparator) putBuffers(b *buffers) {
	b.release()
	for i := len(poolClasses) - 1; i >= 0; i-- {
		if n := b.dec.Cap(); n >= poolClasses[i] {
			if n <= 2*poolClasses[len(poolClasses)-1] {
				c.pools[i].Put(b)
			}
			return
		}
	}
}

// buffers hold what a comparison needs beside the documents, so that a
// comparator can keep them in a pool between comparisons: the decoder, with
// its node arena, and the scratch of pairing. They hold no pointers into
// any body once released.
type buffers struct {
	dec jsontree.Decoder
	// notes holds the hints for arrays of the last comparison that
	// explained a mismatch (see docPair.noteArray).
	notes map[unsafe.Pointer]Hint
	// keyIndex and keySeen are keyMatch's indexes, kept for reuse.
	keyIndex map[keyID]int
	keySeen  map[keyID]bool
	// found counts the differences pair found, of which room are
	// explained; room < 0: all of them.
	found, room int
	// reader, seen and absent are scanEqual's, kept for reuse.
	reader jsontree.Reader
	seen   []uint64
	absent []string
	// subst and dirty are plainScan's notes of where the shadow is written
	// otherwise and where it differs; read says it read the whole shadow
	// and found it differs only in scalars. twin and dirtyBits are what
	// twinTree makes of them.
	subst     []scalarSubst
	dirty     []*jsontree.Node
	read      bool
	twin      jsontree.Tree
	dirtyBits []uint64
}

// twinTree returns the shadow's normalised tree, after a scan that read
// it all (b.read): x, the primary's, with the scalars the scan noted
// rewritten, which is what decoding and normalising the shadow would
// give, as far as pairing can tell: the same members, sorted alike, and
// the same scalars. It marks in b.dirtyBits the nodes where the two
// differ (see docPair.dirty).
func (b *buffers) twinTree(x *jsontree.Tree) *jsontree.Tree {
	t := &b.twin
	x.CopyTo(t)
	for _, s := range b.subst {
		t.SetScalar(x.Index(s.node), s.typ, s.text)
	}
	words := (len(t.Nodes) + 63) / 64
	b.dirtyBits = slices.Grow(b.dirtyBits[:0], words)[:words]
	clear(b.dirtyBits)
	for _, n := range b.dirty {
		i := x.Index(n)
		b.dirtyBits[i/64] |= 1 << (i % 64)
	}
	return t
}

// decode decodes body, of about nodes nodes ([jsontree.EstimateNodes]),
// into b's tree, which stays valid until b is released. It returns the
// reason to compare as bytes instead when body is not a document the
// comparator can decode.
func (b *buffers) decode(body []byte, nodes int, opts jsontree.Options) (*jsontree.Tree, Fallback) {
	t, err := b.dec.Decode(body, nodes, opts)
	switch err {
	case nil:
		return t, ""
	case jsontree.ErrInvalidUTF8:
		return nil, FallbackInvalidUTF8
	case jsontree.ErrDuplicateKey:
		return nil, FallbackDuplicateKey
	case jsontree.ErrTooDeep:
		return nil, FallbackTooDeep
	case jsontree.ErrTooLarge:
		return nil, FallbackTooLarge
	}
	return nil, FallbackNotJSON
}

// release forgets the body b last decoded.
func (b *buffers) release() {
	b.dec.Release()
	b.reader.Release()
	b.twin.Forget()
	clear(b.subst)
	b.subst, b.dirty, b.read = b.subst[:0], b.dirty[:0], false
	clear(b.absent[:cap(b.absent)])
	clear(b.notes)
	clear(b.keyIndex)
	clear(b.keySeen)
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
	if d.Field == "" {
		d.Field = d.Path // $status, $header.Name, $body: no elements in them
	}
	if d.Hint.Triage == "" {
		d.Hint.Triage = TriageUnknown
	}
	l.diffs = append(l.diffs, d)
}

func firstNonEmpty(a, b Fallback) Fallback {
	if a != "" {
		return a
	}
	return b
}
