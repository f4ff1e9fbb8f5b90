package demo

import (
	"bytes"
	"testing"
	"time"
)

func TestPrinterProgress(t *testing.T) {
	tests := []struct {
		name   string
		tty    bool
		want   string
		reason string
	}{
		{"terminal", true, "\r1\x1b[K\r2\x1b[K\ndone\n", "progress rewrites one line in place; the next line starts below it"},
		{"log", false, "1\n2\ndone\n", "without a terminal every update is a line of its own"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			p := &Printer{w: &buf, tty: tt.tty}
			p.Progress("1")
			p.Progress("2")
			p.Printf("done\n")
			if buf.String() != tt.want {
				t.Errorf("wrote %q, want %q (%s)", buf.String(), tt.want, tt.reason)
			}
		})
	}
}

func TestFormats(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{Count(0), "0"},
		{Count(999), "999"},
		{Count(1000), "1,000"},
		{Count(int64(-1234567)), "-1,234,567"},
		{Bar(1, 4, 8), "[##......]"},
		{Bar(5, 4, 4), "[####]"},
		{Bar(0, 0, 4), "[####]"},
		{Seconds(3140 * time.Millisecond), "3.1s"},
		{Seconds(65 * time.Second), "1m05s"},
		{Millis(420 * time.Microsecond), "0.42 ms"},
		{Millis(12345 * time.Microsecond), "12.3 ms"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func TestThroughFloat32(t *testing.T) {
	tests := []struct {
		price, want, reason string
	}{
		{"49.99", "49.9900016784668", "most cents have no exact float32"},
		{"12.50", "", "halves are exact: no drift to inject"},
		{"0.25", "", "quarters are exact"},
		{"not a price", "", "nothing to convert"},
	}
	for _, tt := range tests {
		if got := throughFloat32(tt.price); got != tt.want {
			t.Errorf("throughFloat32(%s) = %q, want %q (%s)", tt.price, got, tt.want, tt.reason)
		}
	}
}
