package comparator

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Most headers are set by servers and proxies, but a redirect (3xx) or a
// created resource (201) names a resource in Location and
// Content-Location, and that name comes from the store: an id, a slug. So
// those two are compared by default, as URLs, for those statuses.

// urlHeaders are the headers that carry a URL from the store, sorted.
var urlHeaders = [...]string{"Content-Location", "Location"}

// carriesURL reports whether responses of status name a resource in
// their urlHeaders.
func carriesURL(status int) bool {
	return status == http.StatusCreated || status >= 300 && status <= 399
}

// diffLocations adds the differences between the urlHeaders of two
// responses with the same status, where that status carries them and no
// option names the header ([CompareHeaders] compares it as text instead,
// [IgnoreHeaders] not at all).
func (c *jsonComparator) diffLocations(primary, shadow Response, out *diffList) {
	if !carriesURL(primary.Status) {
		return
	}
	for _, name := range urlHeaders {
		if c.compareAllHeaders || slices.Contains(c.compareHeaders, name) || slices.Contains(c.ignoreHeaders, name) {
			continue
		}
		pv, sv := primary.Header.Values(name), shadow.Header.Values(name)
		d := Diff{Path: "$header." + name}
		switch {
		case len(pv) == 0 && len(sv) == 0:
			continue
		case len(sv) == 0:
			d.Kind, d.Primary = MissingInShadow, c.describeHeader(pv)
			d.Hint = Hint{Triage: TriageUnknown, Note: "the shadow names no resource"}
		case len(pv) == 0:
			d.Kind, d.Shadow = ExtraInShadow, c.describeHeader(sv)
			d.Hint = Hint{Triage: TriageUnknown, Note: "the primary names no resource"}
		default:
			parts := urlsDiffer(pv, sv)
			if len(parts) == 0 {
				continue
			}
			d.Kind, d.Primary, d.Shadow = ValueChanged, c.describeHeader(pv), c.describeHeader(sv)
			d.Hint = Hint{Triage: TriageUnknown, Note: "the URLs differ in " + strings.Join(parts, ", ")}
		}
		out.add(d)
	}
}

// urlsDiffer returns the parts in which the URLs of two header values
// differ: "scheme", "host", "path", "query", "count" (another number of
// values) or "text" (a value that is no URL and another text); none when
// they name the same resource.
func urlsDiffer(pv, sv []string) []string {
	if len(pv) != len(sv) {
		return []string{"count"}
	}
	var parts []string
	for i := range pv {
		for _, p := range urlDiff(pv[i], sv[i]) {
			if !slices.Contains(parts, p) {
				parts = append(parts, p)
			}
		}
	}
	return parts
}

// urlDiff compares two URLs by scheme and host (without case; the scheme
// only where both have a host), path (percent-decoded) and query (as
// parameters, in any order of names). Fragment and user information are
// not compared. A relative URL has no host, so it equals an absolute one
// only when that has none either.
func urlDiff(a, b string) []string {
	ua, errA := url.Parse(strings.TrimSpace(a))
	ub, errB := url.Parse(strings.TrimSpace(b))
	if errA != nil || errB != nil {
		if a != b {
			return []string{"text"}
		}
		return nil
	}
	var parts []string
	if ua.Host != "" && ub.Host != "" && !strings.EqualFold(ua.Scheme, ub.Scheme) {
		parts = append(parts, "scheme")
	}
	if !strings.EqualFold(ua.Host, ub.Host) {
		parts = append(parts, "host")
	}
	if ua.Path != ub.Path {
		parts = append(parts, "path")
	}
	if !sameQuery(ua.RawQuery, ub.RawQuery) {
		parts = append(parts, "query")
	}
	return parts
}

// sameQuery compares two query strings as parameters; one that does not
// parse is compared as text.
func sameQuery(a, b string) bool {
	qa, errA := url.ParseQuery(a)
	qb, errB := url.ParseQuery(b)
	if errA != nil || errB != nil {
		return a == b
	}
	return qa.Encode() == qb.Encode()
}
