package postgres_test

import (
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/shadowread/shadowread/backends/postgres"
	"github.com/shadowread/shadowread/internal/testenv"
)

func TestPoolSettings(t *testing.T) {
	defaultMax := int32(max(8, 2*runtime.NumCPU()))
	tests := []struct {
		name       string
		params     string // appended to the URL's query
		opts       []postgres.Option
		wantMax    int32
		wantIdle   time.Duration
		wantHealth time.Duration
		wantDial   time.Duration
		reason     string
	}{
		{"defaults", "", nil, defaultMax, 5 * time.Minute, 30 * time.Second, 5 * time.Second,
			"read-path defaults over pgx's"},
		{"url parameters", "&pool_max_conns=3&pool_max_conn_idle_time=1m&pool_health_check_period=10s&connect_timeout=2", nil,
			3, time.Minute, 10 * time.Second, 2 * time.Second, "the URL's own settings win over the defaults"},
		{"WithMaxConns", "&pool_max_conns=3", []postgres.Option{postgres.WithMaxConns(5)},
			5, 5 * time.Minute, 30 * time.Second, 5 * time.Second, "an option wins over the URL"},
		{"WithConfig", "", []postgres.Option{
			postgres.WithMaxConns(5),
			postgres.WithConfig(func(c *pgxpool.Config) { c.MaxConns = 6; c.MaxConnIdleTime = time.Second }),
		}, 6, time.Second, 30 * time.Second, 5 * time.Second, "WithConfig runs last"},
		{"nil options and arguments", "", []postgres.Option{nil, postgres.WithConfig(nil), postgres.WithTracerProvider(nil)},
			defaultMax, 5 * time.Minute, 30 * time.Second, 5 * time.Second,
			"a nil Option is ignored and a nil argument means the default"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pool, err := postgres.Open(t.Context(), testenv.PostgresURL(t)+tt.params, tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			defer pool.Close()
			c := pool.Config()
			got := []any{c.MaxConns, c.MinConns, c.MaxConnIdleTime, c.HealthCheckPeriod, c.ConnConfig.ConnectTimeout}
			want := []any{tt.wantMax, int32(0), tt.wantIdle, tt.wantHealth, tt.wantDial}
			for i, name := range []string{"MaxConns", "MinConns", "MaxConnIdleTime", "HealthCheckPeriod", "ConnectTimeout"} {
				if got[i] != want[i] {
					t.Errorf("%s = %v, want %v (%s)", name, got[i], want[i], tt.reason)
				}
			}
		})
	}
}

func TestOptionMisusePanics(t *testing.T) {
	tests := []struct {
		name    string
		option  func()
		wantMsg string
	}{
		{"no connections", func() { postgres.WithMaxConns(0) }, "WithMaxConns(0)"},
		{"negative timeout", func() { postgres.WithQueryTimeout(-time.Second) }, "WithQueryTimeout(-1s)"},
		{"no back-off", func() { postgres.WithDialBackoff(0, time.Second) }, "WithDialBackoff(0s, 1s)"},
		{"back-off bounds swapped", func() { postgres.WithDialBackoff(time.Second, time.Millisecond) }, "want 0 < min <= max"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				msg, _ := recover().(string)
				if !strings.HasPrefix(msg, "postgres: ") || !strings.Contains(msg, tt.wantMsg) {
					t.Errorf("panic = %q, want a postgres: panic mentioning %q", msg, tt.wantMsg)
				}
			}()
			tt.option()
		})
	}
}
