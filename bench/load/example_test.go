package load_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/shadowread/shadowread/bench/load"
)

func ExampleHistogram() {
	var h load.Histogram
	for i := 1; i <= 1000; i++ {
		h.Record(time.Duration(i) * time.Millisecond)
	}
	// Quantiles are exact to within 1/64 of the value.
	fmt.Println(h.Count(), h.Quantile(0.5).Round(10*time.Millisecond), h.Quantile(0.99).Round(10*time.Millisecond), h.Max())
	// Output: 1000 500ms 990ms 1s
}

func ExampleSchedule() {
	s := load.NewSchedule(400, 20*time.Second)
	fmt.Println(s.Count(), "requests, one every", s.Due(1))
	// Output: 8000 requests, one every 2.5ms
}

func ExampleMix() {
	mix := load.Mix{
		{Name: "product", Weight: 3, New: func(rng *rand.Rand) load.Request {
			return load.Request{Path: fmt.Sprintf("/products/%d", 1+rng.IntN(1000))}
		}},
		{Name: "order", Weight: 1, New: func(rng *rand.Rand) load.Request {
			return load.Request{Path: fmt.Sprintf("/orders/%d", 1+rng.IntN(3000))}
		}},
	}
	counts := map[string]int{}
	for _, r := range mix.Requests(1, 10_000) {
		counts[r.Route]++
	}
	fmt.Printf("product %.2f, order %.2f\n", float64(counts["product"])/10_000, float64(counts["order"])/10_000)
	// Output: product 0.75, order 0.25
}

func ExampleParseBenchmarks() {
	out := `BenchmarkMiddleware/bare/1KB-2   1000000   610 ns/op   720 B/op   5 allocs/op
BenchmarkMiddleware/bare/1KB-2   1000000   630 ns/op   720 B/op   5 allocs/op
BenchmarkMiddleware/bare/1KB-2   1000000   600 ns/op   720 B/op   5 allocs/op
`
	ms, err := load.ParseBenchmarks(strings.NewReader(out))
	if err != nil {
		panic(err)
	}
	fmt.Println(ms[0].Name, ms[0].Runs, "runs, median", ms[0].Median["ns/op"], "ns/op")
	// Output: Middleware/bare/1KB 3 runs, median 610 ns/op
}

func ExampleGenerator() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"ok":true}`)
	}))
	defer srv.Close()
	transport := &http.Transport{}
	defer transport.CloseIdleConnections()

	g := &load.Generator{Client: &http.Client{Transport: transport, Timeout: 10 * time.Second}, MaxInFlight: 100}
	reqs := load.Mix{{Name: "ping", Weight: 1, New: func(*rand.Rand) load.Request { return load.Request{Path: "/ping"} }}}.Requests(1, 50)
	// 50 requests, one every 2 ms, whether or not earlier ones are answered.
	res := g.Run(context.Background(), srv.URL, load.NewSchedule(500, 100*time.Millisecond), reqs)
	fmt.Println(res.Answered(), "answered, statuses", res.Statuses, "failed", res.Failed())
	// Output: 50 answered, statuses map[200:50] failed 0
}

func ExampleReplayer() {
	// A stand-in for dynalite that counts the requests it answers.
	calls := 0
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		io.WriteString(w, `{"Item":{"pk":{"S":"p1"}}}`)
	}))
	defer upstream.Close()
	rep := load.NewReplayer(upstream.URL, 500*time.Microsecond, nil)
	defer rep.Close()
	srv := httptest.NewServer(rep)
	defer srv.Close()

	getItem := func(body string) string {
		req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(body))
		req.Header.Set("X-Amz-Target", "DynamoDB_20120810.GetItem")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	getItem(`{"TableName":"t","Key":{"pk":{"S":"p1"},"sk":{"S":"a"}}}`) // recorded
	rep.Replay(true)
	// The same request with its key written in the other order: replayed.
	fmt.Println(getItem(`{"Key":{"sk":{"S":"a"},"pk":{"S":"p1"}},"TableName":"t"}`))
	fmt.Printf("%+v, upstream asked %d time(s)\n", rep.Stats(), calls)
	http.DefaultClient.CloseIdleConnections()
	// Output:
	// {"Item":{"pk":{"S":"p1"}}}
	// {Recorded:1 Hits:1 Misses:0}, upstream asked 1 time(s)
}

func ExampleProfileComponents() {
	// Part of `go tool pprof -traces` of a service's CPU profile.
	traces := `Type: cpu
-----------+-------------------------------------------------------
      30ms   crypto/sha256.block
             github.com/aws/aws-sdk-go-v2/aws/signer/v4.(*Signer).SignHTTP
             github.com/shadowread/shadowread/middleware.(*Shadower).runShadow
-----------+-------------------------------------------------------
      10ms   runtime.memmove
             github.com/shadowread/shadowread/comparator.decode
-----------+-------------------------------------------------------
`
	comps, err := load.ProfileComponents(strings.NewReader(traces))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range load.CPUComponents() {
		if d := comps[c]; d > 0 {
			fmt.Println(c+":", d)
		}
	}
	// Output:
	// DynamoDB client (AWS SDK, HTTP client): 30ms
	// shadowread comparator: 10ms
}
