package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRunUsage(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		reason string
	}{
		{"no command", nil, "the usage lists the commands"},
		{"unknown command", []string{"migrate"}, "an unknown command is not guessed at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(context.Background(), tt.args, &out)
			if !errors.Is(err, flag.ErrHelp) {
				t.Errorf("err = %v, want flag.ErrHelp (%s)", err, tt.reason)
			}
			for _, c := range commands {
				if !strings.Contains(out.String(), c.name) {
					t.Errorf("usage lacks %q:\n%s", c.name, out.String())
				}
			}
		})
	}
}

func TestCommandsNeedPostgres(t *testing.T) {
	t.Setenv("SHADOWREAD_PG_URL", "")
	for _, c := range commands {
		t.Run(c.name, func(t *testing.T) {
			err := run(context.Background(), []string{c.name, "-dynamodb", "http://127.0.0.1:1"}, nil)
			if err == nil || !strings.Contains(err.Error(), "SHADOWREAD_PG_URL") {
				t.Errorf("err = %v, want one that says how to name PostgreSQL", err)
			}
		})
	}
}
