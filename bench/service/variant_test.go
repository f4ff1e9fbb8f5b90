package main

import (
	"context"
	"errors"
	"testing"
)

func TestNewVariantRejectsMisuse(t *testing.T) {
	tests := []struct {
		name   string
		reason string
		mode   string
		sample float64
		guard  float64
	}{
		{name: "unknown mode", reason: "a typo must not silently benchmark nothing", mode: "shdow"},
		{name: "sample above 100", reason: "a percentage", mode: modeShadow, sample: 150},
		{name: "sample below 0", reason: "a percentage", mode: modeShadow, sample: -1},
		{name: "sample without shadow", reason: "-sample would be ignored", mode: modeExperiment, sample: 10},
		{name: "guard without shadow", reason: "-guard would be ignored", mode: modeNone, guard: 1.2},
		{name: "guard at 1", reason: "a tolerance of 1 backs off on any noise", mode: modeShadow, sample: 100, guard: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := newVariant(context.Background(), tt.mode, tt.sample, tt.guard)
			var usage usageError
			if !errors.As(err, &usage) {
				t.Errorf("newVariant(%q, %v, %v) = %v, want a usage error (%s)", tt.mode, tt.sample, tt.guard, err, tt.reason)
			}
		})
	}
}
