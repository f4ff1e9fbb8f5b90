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
	}{
		{name: "unknown mode", reason: "a typo must not silently benchmark nothing", mode: "shdow"},
		{name: "sample above 100", reason: "a percentage", mode: modeShadow, sample: 150},
		{name: "sample below 0", reason: "a percentage", mode: modeShadow, sample: -1},
		{name: "sample without shadow", reason: "-sample would be ignored", mode: modeExperiment, sample: 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := newVariant(context.Background(), tt.mode, tt.sample)
			var usage usageError
			if !errors.As(err, &usage) {
				t.Errorf("newVariant(%q, %v) = %v, want a usage error (%s)", tt.mode, tt.sample, err, tt.reason)
			}
		})
	}
}
