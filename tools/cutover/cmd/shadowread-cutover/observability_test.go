package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestExampleCutoverRules checks the example's cutover alerts with promtool
// (their own unit tests included) and that the cutover dashboard queries
// the gauges this command serves.
func TestExampleCutoverRules(t *testing.T) {
	dir, err := filepath.Abs("../../../../example/observability")
	if err != nil {
		t.Fatal(err)
	}
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Fatalf("promtool not found (%v): apt-get install prometheus", err)
	}
	for _, args := range [][]string{{"check", "rules", "cutover.alerts.yml"}, {"test", "rules", "cutover.alerts.test.yml"}} {
		cmd := exec.Command(promtool, args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, "cutover.dashboard.json"))
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(data, &dash); err != nil {
		t.Fatalf("cutover.dashboard.json: %v", err)
	}
	var exprs []string
	for _, p := range dash.Panels {
		for _, target := range p.Targets {
			exprs = append(exprs, target.Expr)
		}
	}
	for _, gauge := range []string{"shadowread_cutover_share_percent", "shadowread_cutover_step", "shadowread_cutover_gate"} {
		if !strings.Contains(strings.Join(exprs, "\n"), gauge) {
			t.Errorf("the dashboard shows no %s", gauge)
		}
	}
}
