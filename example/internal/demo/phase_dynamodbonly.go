package demo

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/example/internal/catalog"
	"github.com/shadowread/shadowread/example/internal/dualwrite"
)

// dynamoDBOnly stops writing PostgreSQL: reads from it are refused.
func (d *demoRun) dynamoDBOnly(ctx context.Context) (verdict, error) {
	if err := d.setFlags(flagState{mode: dualwrite.WriteDynamoDB, dynamo: 100}); err != nil {
		return verdict{}, err
	}
	h := catalog.NewRouter(catalog.NewStores(d.app.Postgres, d.app.DynamoDB), nil,
		catalog.WithReadGuard(dualwrite.Guard(d.app.WriteModes)), catalog.WithLogger(slog.New(slog.DiscardHandler)))
	refused := serveOne(ctx, h, backends.Postgres, fmt.Sprintf("/products/%d", d.keys.ReaderProducts[0]))
	var before int64
	if err := d.app.Postgres.Pool().QueryRow(ctx, `SELECT count(*) FROM orders`).Scan(&before); err != nil {
		return verdict{}, err
	}
	firstWrite := len(d.placed)
	v, err := d.cleanLoad(ctx, "dynamodb only", d.cfg.PhaseDuration)
	if err != nil {
		return verdict{}, err
	}
	for _, id := range d.placed[firstWrite:] {
		if r := serveOne(ctx, h, backends.DynamoDB, "/orders/"+strconv.FormatInt(id, 10)); r.Status != http.StatusOK {
			v.check(false, "order %d, acknowledged in write mode dynamodb, reads %d from DynamoDB", id, r.Status)
		}
	}
	var after int64
	if err := d.app.Postgres.Pool().QueryRow(ctx, `SELECT count(*) FROM orders`).Scan(&after); err != nil {
		return verdict{}, err
	}
	v.check(refused.Status == http.StatusServiceUnavailable && strings.Contains(string(refused.Body), dualwrite.FlagWriteMode),
		"a read from PostgreSQL answered %d %s, want 503 naming %s", refused.Status, refused.Body, dualwrite.FlagWriteMode)
	v.check(after == before, "PostgreSQL got %d orders in write mode dynamodb", after-before)
	v.says = fmt.Sprintf("reads from PostgreSQL refused (503), no write reached it; %s", v.says)
	return v, nil
}
