package comparator

import (
	"maps"
	"net/http"
	"slices"
)

// diffHeaders adds the differences between the headers the options name.
func (c *jsonComparator) diffHeaders(primary, shadow http.Header, out *diffList) {
	if !c.compareAllHeaders && len(c.compareHeaders) == 0 {
		return
	}
	for _, name := range c.headerNames(primary, shadow) {
		pv, sv := primary.Values(name), shadow.Values(name)
		d := Diff{Path: "$header." + name}
		switch {
		case slices.Equal(pv, sv):
			continue
		case len(sv) == 0:
			d.Kind, d.Primary = MissingInShadow, c.describeHeader(pv)
		case len(pv) == 0:
			d.Kind, d.Shadow = ExtraInShadow, c.describeHeader(sv)
		default:
			d.Kind, d.Primary, d.Shadow = ValueChanged, c.describeHeader(pv), c.describeHeader(sv)
		}
		out.add(d)
	}
}

// headerNames returns the canonical names of the headers to compare, sorted.
func (c *jsonComparator) headerNames(primary, shadow http.Header) []string {
	names := c.compareHeaders
	if c.compareAllHeaders {
		set := make(map[string]bool, len(primary)+len(shadow)+len(names))
		for _, n := range names {
			set[n] = true
		}
		for n := range primary {
			set[http.CanonicalHeaderKey(n)] = true
		}
		for n := range shadow {
			set[http.CanonicalHeaderKey(n)] = true
		}
		names = slices.Sorted(maps.Keys(set))
	}
	return slices.DeleteFunc(slices.Clone(names), func(n string) bool {
		return neverCompared(n) || slices.Contains(c.ignoreHeaders, n)
	})
}
