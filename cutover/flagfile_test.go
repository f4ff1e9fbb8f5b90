package cutover

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFlagFileChangesOnlyItsFlag: the other flags and top-level keys keep
// their values, and the shares read back as written.
func TestFlagFileChangesOnlyItsFlag(t *testing.T) {
	ctx := context.Background()
	f := flagFile(t)
	if err := f.SetShares(ctx, map[string]float64{"/a": 5, "/b": 0.5}); err != nil {
		t.Fatal(err)
	}
	if err := f.SetShares(ctx, map[string]float64{"/b": 25}); err != nil {
		t.Fatal(err)
	}
	got := shares(t, f, "/a", "/b", "/c")
	if got["/a"] != 5 || got["/b"] != 25 || got["/c"] != 0 {
		t.Errorf("shares %v, want /a 5 (kept), /b 25 (changed), /c 0 (no rule)", got)
	}

	var before, after struct {
		Schema string                     `json:"$schema"`
		Flags  map[string]json.RawMessage `json:"flags"`
	}
	data, _ := os.ReadFile(f.path)
	if err := json.Unmarshal([]byte(baseFlags), &before); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &after); err != nil {
		t.Fatalf("the written file is not JSON: %v", err)
	}
	if after.Schema != before.Schema {
		t.Errorf("$schema %q, want %q kept", after.Schema, before.Schema)
	}
	for key, raw := range before.Flags {
		if !equalJSON(t, raw, after.Flags[key]) {
			t.Errorf("flag %s changed from %s to %s", key, raw, after.Flags[key])
		}
	}
	entries, _ := os.ReadDir(filepath.Dir(f.path))
	if len(entries) != 1 {
		t.Errorf("%d files beside the flag file, want none: the temporary file is renamed over it", len(entries)-1)
	}
}

func equalJSON(t *testing.T, a, b json.RawMessage) bool {
	t.Helper()
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	xs, _ := json.Marshal(x)
	ys, _ := json.Marshal(y)
	return string(xs) == string(ys)
}

// TestFlagFileKeepsPermissions: the replacement has the old file's mode.
func TestFlagFileKeepsPermissions(t *testing.T) {
	f := flagFile(t)
	if err := os.Chmod(f.path, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := f.SetShares(context.Background(), map[string]float64{"/a": 1}); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(f.path)
	if err != nil || info.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, %v after the write, want 0640", info.Mode().Perm(), err)
	}
}

// TestFlagFileRefusesForeignShapes: a flag written by hand in another shape
// is not overwritten: the controller could not read its state back.
func TestFlagFileRefusesForeignShapes(t *testing.T) {
	tests := []struct {
		name   string
		flag   string
		reason string
	}{
		{"fractional targeting", `{"state":"ENABLED","variants":{"0":0,"50":50},"defaultVariant":"0","targeting":{"fractional":[["0",50],["50",50]]}}`,
			"a per-user split in flagd is not a share per route"},
		{"condition on another attribute", `{"state":"ENABLED","variants":{"0":0,"5":5},"defaultVariant":"0","targeting":{"if":[{"==":[{"var":"method"},"GET"]},"5","0"]}}`,
			"only the route attribute names a route"},
		{"undefined variant", `{"state":"ENABLED","variants":{"0":0},"defaultVariant":"0","targeting":{"if":[{"==":[{"var":"route"},"/a"]},"5","0"]}}`,
			"a variant without a value has no share"},
		{"default share", `{"state":"ENABLED","variants":{"10":10},"defaultVariant":"10"}`,
			"routes without a rule would move with no controller watching"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "flags.json")
			doc := `{"flags": {"shadowread.primary-percent": ` + tt.flag + `}}`
			if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
				t.Fatal(err)
			}
			err := NewFlagFile(path).SetShares(context.Background(), map[string]float64{"/a": 1})
			if err == nil {
				t.Fatalf("SetShares succeeded, want an error (%s)", tt.reason)
			}
			if data, _ := os.ReadFile(path); string(data) != doc {
				t.Errorf("the file changed although the write was refused")
			}
			if !strings.HasPrefix(err.Error(), "cutover: ") {
				t.Errorf("error %q, want a cutover: prefix", err)
			}
		})
	}
}

func TestFlagFileRejectsSharesOutOfRange(t *testing.T) {
	f := flagFile(t)
	for _, s := range []float64{-1, 101} {
		if err := f.SetShares(context.Background(), map[string]float64{"/a": s}); err == nil {
			t.Errorf("SetShares(%v) succeeded, want an error", s)
		}
	}
}
