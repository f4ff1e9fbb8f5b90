//go:build soak

package soak

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/backends/dynamodb"
	"github.com/shadowread/shadowread/backends/postgres"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/example/catalog"
	"github.com/shadowread/shadowread/example/dualwrite"
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
// acknowledged order is in both stores and that every product and order
// reads the same from both, with the comparator the shadows use.
func verifyStores(t *testing.T, pgURL, endpoint string, acked []int64) []string {
	t.Helper()
	ctx := context.Background()
	pool, err := postgres.Open(ctx, pgURL)
	if err != nil {
		return []string{fmt.Sprintf("verify: %v", err)}
	}
	defer pool.Close()
	client, err := dynamodb.New(ctx, dynamodb.WithEndpoint(endpoint))
	if err != nil {
		return []string{fmt.Sprintf("verify: %v", err)}
	}
	defer client.Close()
	pg, ddb := catalog.NewPostgresStore(pool), catalog.NewDynamoDBStore(client.Client, "catalog")

	deadline := time.Now().Add(2 * time.Minute)
	for {
		n, err := dualwrite.NewRepairLogs(pg, ddb).RepairLogSize(ctx)
		if err == nil && n == 0 {
			break
		}
		if time.Now().After(deadline) {
			return []string{fmt.Sprintf("the repair log did not drain within 2 minutes after the run: %d entries, %v", n, err)}
		}
		time.Sleep(time.Second)
	}

	var out []string
	for _, id := range acked {
		if _, err := pg.Order(ctx, id); err != nil {
			out = append(out, fmt.Sprintf("write lost: order %d, acknowledged, not in PostgreSQL: %v", id, err))
		}
		if _, err := ddb.Order(ctx, id); err != nil {
			out = append(out, fmt.Sprintf("write lost: order %d, acknowledged, not in DynamoDB: %v", id, err))
		}
	}
	var maxOrder int64
	if err := pool.QueryRow(ctx, `SELECT coalesce(max(id), 0) FROM orders`).Scan(&maxOrder); err != nil {
		return append(out, fmt.Sprintf("verify: %v", err))
	}
	cmp := comparator.JSON(comparator.PostgresDynamoDB())
	differ := 0
	compare := func(what string, a, b any, errA, errB error) {
		if errors.Is(errA, backends.ErrNotFound) && errors.Is(errB, backends.ErrNotFound) {
			return
		}
		if errA != nil || errB != nil {
			differ++
			if differ <= 10 {
				out = append(out, fmt.Sprintf("stores differ: %s: postgres %v, dynamodb %v", what, errA, errB))
			}
			return
		}
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if r := cmp.Compare(comparator.Response{Status: 200, Body: ja}, comparator.Response{Status: 200, Body: jb}); !r.Equal {
			differ++
			if differ <= 10 {
				out = append(out, fmt.Sprintf("stores differ: %s: %v", what, r.Diffs))
			}
		}
	}
	for id := int64(1); id <= products; id++ {
		a, errA := pg.Product(ctx, id)
		b, errB := ddb.Product(ctx, id)
		compare(fmt.Sprintf("product %d", id), a, b, errA, errB)
	}
	for id := int64(1); id <= maxOrder; id++ {
		a, errA := pg.Order(ctx, id)
		b, errB := ddb.Order(ctx, id)
		compare(fmt.Sprintf("order %d", id), a, b, errA, errB)
	}
	if differ > 10 {
		out = append(out, fmt.Sprintf("... %d entities differ in all", differ))
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
