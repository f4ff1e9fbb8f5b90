package middleware

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/telemetry"
)

func TestVerdict(t *testing.T) {
	panicked := newPanicError("boom")
	ok := comparator.Response{Status: 200}
	tests := []struct {
		name       string
		primary    primaryResult
		shadow     shadowResult
		want       telemetry.Outcome
		wantReason telemetry.Reason
		wantErr    error
		reason     string
	}{
		{"both fine", primaryResult{resp: ok}, shadowResult{resp: ok}, "", "", nil, "comparable: the comparator decides"},
		{"client gone", primaryResult{skip: telemetry.ReasonClientGone, err: context.Canceled}, shadowResult{resp: ok},
			telemetry.Skipped, telemetry.ReasonClientGone, context.Canceled, "a primary cut short is never judged"},
		{"primary skip beats shadow failure", primaryResult{skip: telemetry.ReasonPrimaryFailed}, shadowResult{err: panicked},
			telemetry.Skipped, telemetry.ReasonPrimaryFailed, nil, "nothing to compare against, whatever the shadow did"},
		{"primary unfinished", primaryResult{unfinished: true}, shadowResult{resp: ok},
			telemetry.Skipped, telemetry.ReasonPrimaryOutlived, context.DeadlineExceeded, "a primary that outlived the shadow's timeout is no verdict on the shadow"},
		{"shadow timed out", primaryResult{resp: ok}, shadowResult{timedOut: true, err: panicked},
			telemetry.Timeout, "", context.DeadlineExceeded, "a timeout explains what followed it"},
		{"shadow panicked", primaryResult{resp: ok}, shadowResult{err: panicked},
			telemetry.ShadowError, telemetry.ReasonPanic, panicked, "the panic is the shadow's error"},
		{"shadow exited", primaryResult{resp: ok}, shadowResult{err: errShadowExited},
			telemetry.ShadowError, telemetry.ReasonPanic, errShadowExited, "runtime.Goexit counts as a panic"},
		{"shadow 5xx", primaryResult{resp: ok}, shadowResult{resp: comparator.Response{Status: 503}},
			telemetry.ShadowError, telemetry.ReasonStatus5xx, nil, "a failing shadow store"},
		{"shadow body too large", primaryResult{resp: ok}, shadowResult{resp: ok, overflow: true},
			telemetry.Mismatch, "", nil, "a shadow body over the cap beside a primary body under it differs, at least in size"},
		{"shadow behind", primaryResult{resp: ok}, shadowResult{resp: ok, behind: true},
			telemetry.Skipped, telemetry.ReasonShadowBehind, nil, "the shadow's handler knew its store had not caught up: no verdict"},
		{"primary body too large", primaryResult{resp: ok, skip: telemetry.ReasonBodyTooLarge}, shadowResult{resp: ok, overflow: true},
			telemetry.Skipped, telemetry.ReasonBodyTooLarge, nil, "two bodies over the cap cannot be compared"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, reason, err := verdict(tt.primary, tt.shadow, time.Second)
			if got != tt.want || reason != tt.wantReason {
				t.Errorf("verdict = %s/%s, want %s/%s (%s)", got, reason, tt.want, tt.wantReason, tt.reason)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if (err != nil) != (tt.wantErr != nil || tt.want == telemetry.ShadowError) {
				t.Errorf("err = %v for outcome %s", err, got)
			}
		})
	}
}

func TestCompareOutcome(t *testing.T) {
	failed := errors.New("not JSON")
	tests := []struct {
		name       string
		res        comparator.Result
		want       telemetry.Outcome
		wantReason telemetry.Reason
		reason     string
	}{
		{"equal", comparator.Result{Equal: true}, telemetry.Match, "", "the two responses agree"},
		{"different", comparator.Result{Diffs: []comparator.Diff{{Path: "$.price"}}}, telemetry.Mismatch, "", "a difference found"},
		{"error", comparator.Result{Err: failed}, telemetry.Skipped, telemetry.ReasonCompareFailed, "the comparator could not decide"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, reason, err := compareOutcome(tt.res)
			if got != tt.want || reason != tt.wantReason || (err != nil) != (tt.res.Err != nil) {
				t.Errorf("compareOutcome = %s/%s/%v, want %s/%s (%s)", got, reason, err, tt.want, tt.wantReason, tt.reason)
			}
		})
	}
}
