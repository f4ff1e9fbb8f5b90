// Package flagfile holds the catalog's flagd flag file and the edits the
// demo makes to it while the service runs.
//
// The file (catalog.flagd.json) turns shadow reads on for the three read
// routes, samples 25% of customers on the product route and 50% on the
// order routes (sticky per customer: the flags package hashes the
// X-Customer-Id header), keeps PostgreSQL as the primary and writes both
// stores (shadowread.write-mode "both"). [SplitPrimary]
// rewrites the primary flag so that a share of customers on some routes is
// served by DynamoDB, with flagd's fractional operator, which is sticky per
// customer too; [SetWriteMode] moves the writes through the migration's
// write modes, and [SetShadowing] turns shadow reads on or off.
//
// The flagd provider watches the file: [Write] replaces it atomically
// (a temporary file renamed over it), so the provider never reads half a
// file, and the next request sees the new flags.
package flagfile

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/shadowread/shadowread/example/internal/dualwrite"
	"github.com/shadowread/shadowread/flags"
)

// Default is the flag file shipped with the example.
//
//go:embed catalog.flagd.json
var Default []byte

// SplitPrimary returns the flag file data with the primary flag changed:
// on the given routes, percent of customers (by targeting key) are served
// by DynamoDB, the others by PostgreSQL; other routes stay on PostgreSQL.
func SplitPrimary(data []byte, percent int, routes ...string) ([]byte, error) {
	if percent < 0 || percent > 100 || len(routes) == 0 {
		return nil, fmt.Errorf("flagfile: SplitPrimary(%d%%, %q): need a percentage from 0 to 100 and at least one route", percent, routes)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("flagfile: %w", err)
	}
	all, _ := doc["flags"].(map[string]any)
	primary, _ := all[flags.KeyPrimary].(map[string]any)
	if primary == nil {
		return nil, fmt.Errorf("flagfile: no flag %q to change", flags.KeyPrimary)
	}
	var split []any // flagd wants no variant of weight 0
	for _, v := range []struct {
		name   string
		weight int
	}{{"dynamodb", percent}, {"postgres", 100 - percent}} {
		if v.weight > 0 {
			split = append(split, []any{v.name, v.weight})
		}
	}
	primary["targeting"] = map[string]any{
		"if": []any{
			map[string]any{"in": []any{map[string]any{"var": flags.AttrRoute}, slices.Clone(routes)}},
			map[string]any{"fractional": split},
			"postgres",
		},
	}
	return json.MarshalIndent(doc, "", "  ")
}

// SetWriteMode returns the flag file data with the write-mode flag
// (dualwrite.FlagWriteMode) set to mode for every request.
func SetWriteMode(data []byte, mode dualwrite.WriteMode) ([]byte, error) {
	if _, err := dualwrite.ParseWriteMode(string(mode)); err != nil {
		return nil, fmt.Errorf("flagfile: SetWriteMode: %w", err)
	}
	return editFlag(data, dualwrite.FlagWriteMode, func(f map[string]any) {
		variants, _ := f["variants"].(map[string]any)
		if variants == nil {
			variants = map[string]any{}
			f["variants"] = variants
		}
		variants[string(mode)] = string(mode)
		f["defaultVariant"] = string(mode)
		delete(f, "targeting")
	})
}

// SetShadowing returns the flag file data with shadow reads on (on the
// routes the file names) or off everywhere.
func SetShadowing(data []byte, on bool) ([]byte, error) {
	return editFlag(data, flags.KeyEnabled, func(f map[string]any) {
		if !on {
			f["variants"] = map[string]any{"on": true, "off": false}
			f["defaultVariant"] = "off"
			delete(f, "targeting")
		}
	})
}

// editFlag changes one flag of the file, adding it if missing.
func editFlag(data []byte, key string, edit func(map[string]any)) ([]byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("flagfile: %w", err)
	}
	all, _ := doc["flags"].(map[string]any)
	if all == nil {
		return nil, fmt.Errorf("flagfile: the file has no flags")
	}
	f, _ := all[key].(map[string]any)
	if f == nil {
		f = map[string]any{"state": "ENABLED"}
		all[key] = f
	}
	edit(f)
	return json.MarshalIndent(doc, "", "  ")
}

// Write replaces the file at path with data atomically: it writes a
// temporary file in the same directory and renames it over path.
func Write(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("flagfile: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("flagfile: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("flagfile: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("flagfile: %w", err)
	}
	return nil
}
