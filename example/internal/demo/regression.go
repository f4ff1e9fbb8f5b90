package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"hash/crc32"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
)

// RegressionSuffix is what the injected regression appends to the names
// DynamoDB returns.
const RegressionSuffix = " (regressed)"

// Regression is a fault of DynamoDB on one route only: while it is on,
// DynamoDB's answers to the reads of the product page (GET
// /products/{productID}) come back with every name changed, as a bad
// release of a DynamoDB read path would return them. Customers served by
// DynamoDB see the wrong names, so the comparisons of that route fail, in
// both directions; other routes, and writes, are untouched, and nothing is
// stored wrong, so turning it off ends it at once.
//
// It sits between the service's DynamoDB client and the server, as the
// client's HTTP transport (app.Config.DynamoDBHTTPClient), and knows the
// request it serves by the path [TagRequests] put in the context.
type Regression struct {
	next      *http.Transport
	on        atomic.Bool
	regressed atomic.Uint64
}

// NewRegression returns a regression, off, over the AWS SDK's default
// transport.
func NewRegression() *Regression {
	return &Regression{next: awshttp.NewBuildableClient().GetTransport()}
}

// Client returns the HTTP client for the service's DynamoDB calls. Like the
// SDK's own, it returns redirects to the SDK instead of following them.
func (g *Regression) Client() *http.Client {
	return &http.Client{Transport: g, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// Close closes the idle connections of the transport.
func (g *Regression) Close() { g.next.CloseIdleConnections() }

// Inject turns the regression on, Fix turns it off.
func (g *Regression) Inject() { g.on.Store(true) }

// Fix turns the regression off.
func (g *Regression) Fix() { g.on.Store(false) }

// Regressed returns the number of DynamoDB answers the regression changed.
func (g *Regression) Regressed() uint64 { return g.regressed.Load() }

// RoundTrip sends req and, while the regression is on and req is a Query
// of a product page's read, changes the names in the answer. The answer's
// CRC32, which the SDK checks, is computed again.
func (g *Regression) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := g.next.RoundTrip(req)
	if err != nil || !g.on.Load() || resp.StatusCode != http.StatusOK ||
		req.Header.Get("X-Amz-Target") != "DynamoDB_20120810.Query" || !productPage(req.Context()) {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if changed, ok := regressNames(body); ok {
		body = changed
		g.regressed.Add(1)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
	resp.Header.Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(body)), 10))
	return resp, nil
}

// productPage reports whether ctx is that of a read of the product page.
func productPage(ctx context.Context) bool {
	path, _ := ctx.Value(pathKey{}).(string)
	id, ok := strings.CutPrefix(path, "/products/")
	if !ok || id == "" {
		return false
	}
	_, err := strconv.ParseInt(id, 10, 64)
	return err == nil
}

// regressNames appends RegressionSuffix to every string attribute "name"
// of the items of a Query answer.
func regressNames(body []byte) ([]byte, bool) {
	var answer map[string]json.RawMessage
	if json.Unmarshal(body, &answer) != nil {
		return nil, false
	}
	var items []map[string]map[string]any
	if json.Unmarshal(answer["Items"], &items) != nil {
		return nil, false
	}
	changed := false
	for _, item := range items {
		if name, ok := item["name"]["S"].(string); ok {
			item["name"]["S"] = name + RegressionSuffix
			changed = true
		}
	}
	if !changed {
		return nil, false
	}
	raw, err := json.Marshal(items)
	if err != nil {
		return nil, false
	}
	answer["Items"] = raw
	out, err := json.Marshal(answer)
	return out, err == nil
}
