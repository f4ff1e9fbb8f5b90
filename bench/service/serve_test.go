package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shadowread/shadowread/internal/testenv"
)

// lineWriter hands each line the command prints to the test.
type lineWriter chan string

func (w lineWriter) Write(p []byte) (int, error) {
	w <- strings.TrimSpace(string(p))
	return len(p), nil
}

// TestServeModes seeds a small shop on the real servers and serves it
// in every mode: each must answer the same products, and the modes that
// compare must report every request as a match.
func TestServeModes(t *testing.T) {
	ctx := context.Background()
	pgURL, ddbURL := testenv.NewDatabase(t), testenv.DynamoDBEndpoint(t)
	table := testenv.UniqueName(t, "bench")
	common := []string{"-pg", pgURL, "-ddb", ddbURL, "-table", table}

	out := make(lineWriter, 1)
	seedArgs := append([]string{"seed", "-products", "12", "-customers", "3", "-orders", "20"}, common...)
	if err := run(ctx, seedArgs, out); err != nil {
		t.Fatalf("seed: %v", err)
	}
	// 12 product items, and each of the 20 orders by id and in its
	// customer's list.
	if got, want := <-out, "products=12 customers=3 orders=20 items=52"; got != want {
		t.Errorf("seed printed %q, want %q", got, want)
	}

	if err := run(ctx, []string{"probe", "-ddb", ddbURL, "-table", table, "-products", "12", "-reads", "20"}, out); err != nil {
		t.Fatalf("probe: %v", err)
	}
	if line := <-out; !strings.HasPrefix(line, "p50_ns=") || !strings.HasSuffix(line, " reads=20") {
		t.Errorf("probe printed %q, want p50_ns=N reads=20", line)
	}

	// Product 10's first variant costs 8.70: PostgreSQL's NUMERIC says
	// 8.70, DynamoDB 8.7, which tells the store that served a read.
	tests := []struct {
		name    string
		reason  string
		args    []string
		compare bool // every read is compared
		price   string
	}{
		{name: "none", reason: "PostgreSQL alone", args: []string{"-mode", "none"}, price: `"price":8.70,`},
		{name: "shadow", reason: "every customer sampled, PostgreSQL answers", args: []string{"-mode", "shadow", "-sample", "100"}, compare: true, price: `"price":8.70,`},
		{name: "experiment", reason: "both read before PostgreSQL answers", args: []string{"-mode", "experiment"}, compare: true, price: `"price":8.70,`},
		{name: "dynamodb", reason: "DynamoDB answers", args: []string{"-mode", "dynamodb"}, price: `"price":8.7,`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr, debug := startServe(t, append(append([]string{"serve"}, common...), tt.args...))
			if body := get(t, "http://"+addr+"/products/10", http.StatusOK); !strings.Contains(body, tt.price) {
				t.Errorf("GET /products/10 = %s, want %s (%s)", body, tt.price, tt.reason)
			}
			get(t, "http://"+addr+"/orders/2", http.StatusOK)
			get(t, "http://"+addr+"/customers/3/orders?limit=2", http.StatusOK)
			get(t, "http://"+addr+"/products/999", http.StatusNotFound)

			if n, err := strconv.Atoi(strings.TrimSpace(get(t, "http://"+debug+"/debug/goroutines", http.StatusOK))); err != nil || n < 1 {
				t.Errorf("/debug/goroutines = %d, %v; want a positive count", n, err)
			}
			var rt runtimeStats
			if err := json.Unmarshal([]byte(get(t, "http://"+debug+"/debug/runtime", http.StatusOK)), &rt); err != nil ||
				rt.TotalCPUSeconds <= 0 || len(rt.SchedBuckets) != len(rt.SchedCounts)+1 {
				t.Errorf("/debug/runtime = %+v, %v; want CPU time and a scheduling-delay histogram", rt, err)
			}
			if tt.name == "shadow" {
				// A profile is gzipped protobuf: it starts with gzip's magic bytes.
				if prof := get(t, "http://"+debug+"/debug/pprof/profile?seconds=1", http.StatusOK); !strings.HasPrefix(prof, "\x1f\x8b") {
					t.Errorf("/debug/pprof/profile gave %d bytes that are not gzipped; want a CPU profile", len(prof))
				}
			}
			want := map[string]uint64{}
			if tt.compare {
				want["match"] = 4 // three reads and a product neither store has
			}
			// Shadows finish after the response; wait for their outcomes.
			var outcomes map[string]uint64
			for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
				outcomes = map[string]uint64{}
				if err := json.Unmarshal([]byte(get(t, "http://"+debug+"/debug/outcomes", http.StatusOK)), &outcomes); err != nil {
					t.Fatal(err)
				}
				if outcomes["match"] >= want["match"] || time.Now().After(deadline) {
					break
				}
			}
			if fmt.Sprint(outcomes) != fmt.Sprint(want) {
				t.Errorf("outcomes %v, want %v (%s)", outcomes, want, tt.reason)
			}
		})
	}
}

// startServe runs serve until the test ends and returns its addresses.
func startServe(t *testing.T, args []string) (addr, debug string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := make(lineWriter, 1)
	done := make(chan error, 1)
	go func() { done <- run(ctx, args, out) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve returned %v after the stop, want a clean shutdown", err)
		}
	})
	select {
	case line := <-out:
		if _, err := fmt.Sscanf(line, "addr=%s debug=%s", &addr, &debug); err != nil {
			t.Fatalf("serve printed %q: %v", line, err)
		}
		return addr, debug
	case err := <-done:
		t.Fatalf("serve returned before listening: %v", err)
	}
	return "", ""
}

func get(t *testing.T, url string, wantStatus int) string {
	t.Helper()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Customer-Id", "2")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != wantStatus {
		t.Fatalf("GET %s = %d %s, want %d", url, resp.StatusCode, body, wantStatus)
	}
	return string(body)
}
