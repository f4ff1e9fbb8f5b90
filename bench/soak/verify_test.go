//go:build soak

package soak

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shadowread/shadowread/verify"
)

// variant is a product's variant, for the writes.
type variant struct {
	product int64
	sku     string
}

func variantSKUs(t *testing.T, pgURL string) []variant {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), pgURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(context.Background(), `SELECT product_id, sku FROM variants ORDER BY sku`)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (variant, error) {
		var v variant
		return v, r.Scan(&v.product, &v.sku)
	})
	if err != nil || len(out) == 0 {
		t.Fatalf("variants: %d, %v", len(out), err)
	}
	return out
}

// verifyStores waits for the repair log to drain, then checks that every
// acknowledged order is in PostgreSQL and runs the catalog's own full
// verification (catalog verify): every customer, product and order must
// read the same from both stores, with the comparator the shadows use, and
// DynamoDB may hold nothing PostgreSQL lacks. An acknowledged order missing
// in DynamoDB is one of its findings.
func verifyStores(t *testing.T, bin, pgURL, endpoint string, acked []int64) []string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgURL)
	if err != nil {
		return []string{fmt.Sprintf("verify: %v", err)}
	}
	defer conn.Close(ctx)

	deadline := time.Now().Add(2 * time.Minute)
	for {
		var n int
		err := conn.QueryRow(ctx, `SELECT count(*) FROM dynamodb_outbox`).Scan(&n)
		if err == nil && n == 0 {
			break
		}
		if time.Now().After(deadline) {
			return []string{fmt.Sprintf("the repair log did not drain within 2 minutes after the run: %d entries, %v", n, err)}
		}
		time.Sleep(time.Second)
	}

	var out []string
	var found []int64
	if err := conn.QueryRow(ctx, `SELECT coalesce(array_agg(id), '{}') FROM orders WHERE id = ANY($1)`, acked).Scan(&found); err != nil {
		return []string{fmt.Sprintf("verify: %v", err)}
	}
	for _, id := range acked {
		if !slices.Contains(found, id) {
			out = append(out, fmt.Sprintf("write lost: order %d, acknowledged, not in PostgreSQL", id))
		}
	}
	return append(out, verifyRun(t, bin, pgURL, endpoint)...)
}

// verifyRun runs catalog verify and returns its differences, at most ten.
func verifyRun(t *testing.T, bin, pgURL, endpoint string) []string {
	t.Helper()
	report := filepath.Join(t.TempDir(), "verify.json")
	cmd := exec.Command(bin, "verify", "-new", "-pg", pgURL, "-dynamodb", endpoint, "-json", report)
	output, runErr := cmd.CombinedOutput()
	data, err := os.ReadFile(report)
	if err != nil {
		return []string{fmt.Sprintf("verify: no report (%v, %v):\n%s", err, runErr, output)}
	}
	var r verify.Report
	if err := json.Unmarshal(data, &r); err != nil {
		return []string{fmt.Sprintf("verify: %v", err)}
	}
	var out []string
	diffs := r.Differences()
	for i, f := range diffs {
		if i == 10 {
			out = append(out, fmt.Sprintf("... %d entities differ in all", len(diffs)))
			break
		}
		out = append(out, fmt.Sprintf("stores differ: %s %d: %s %s", f.Kind, f.ID, f.Problem, strings.Join(f.Fields, ", ")))
	}
	if len(diffs) == 0 && runErr != nil {
		out = append(out, fmt.Sprintf("verify: %v\n%s", runErr, output))
	}
	return out
}

// summary is the run's verdict in a few lines.
func summary(g *generator, failures []string) string {
	g.mu.Lock()
	reads, writes, acked := g.reads, g.writes, len(g.acked)
	g.mu.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, "\n%d reads, %d writes (%d orders acknowledged)\n", reads, writes, acked)
	if len(failures) == 0 {
		b.WriteString("PASS: no healthy primary's read failed, no write lost, the stores are equal, every level returned to its plateau\n")
		return b.String()
	}
	fmt.Fprintf(&b, "FAIL: %d problems\n", len(failures))
	for _, f := range failures {
		b.WriteString("  " + f + "\n")
	}
	return b.String()
}

// freePort returns a free loopback port below the ephemeral range.
func freePort(t *testing.T) int {
	t.Helper()
	for range 100 {
		port := 20000 + rand.IntN(12000)
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err == nil {
			ln.Close()
			return port
		}
	}
	t.Fatal("no free port in 20000-31999")
	return 0
}

func portOf(t *testing.T, endpoint string) int {
	t.Helper()
	u, err := url.Parse(endpoint)
	if err != nil {
		t.Fatal(err)
	}
	port, err := strconv.Atoi(u.Port())
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// listenerPID returns the process that listens on the loopback TCP port,
// from /proc: the socket's inode in /proc/net/tcp, then the process that
// holds a descriptor of it.
func listenerPID(t *testing.T, port int) int {
	t.Helper()
	b, err := os.ReadFile("/proc/net/tcp")
	if err != nil {
		t.Fatalf("no /proc/net/tcp: %v", err)
	}
	want, inode := fmt.Sprintf(":%04X", port), ""
	for _, line := range strings.Split(string(b), "\n") {
		fields := strings.Fields(line)
		if len(fields) > 9 && strings.HasSuffix(fields[1], want) && fields[3] == "0A" {
			inode = fields[9]
			break
		}
	}
	if inode == "" {
		t.Fatalf("no process listens on port %d", port)
	}
	fds, _ := filepath.Glob("/proc/[0-9]*/fd/*")
	for _, fd := range fds {
		if link, err := os.Readlink(fd); err == nil && link == "socket:["+inode+"]" {
			pid, _ := strconv.Atoi(strings.Split(fd, "/")[2])
			return pid
		}
	}
	t.Fatalf("no process holds the socket of port %d", port)
	return 0
}
