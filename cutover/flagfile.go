package cutover

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"

	"github.com/shadowread/shadowread/flags"
)

// FlagFile keeps the primary share of each route in a flagd flag file, as
// one flag (by default [flags.KeyPrimaryPercent]) whose targeting picks a
// variant by the route attribute:
//
//	"shadowread.primary-percent": {
//	  "state": "ENABLED",
//	  "variants": {"0": 0, "5": 5, "25": 25},
//	  "defaultVariant": "0",
//	  "targeting": {"if": [
//	    {"==": [{"var": "route"}, "/orders"]}, "25",
//	    {"==": [{"var": "route"}, "/products/{id}"]}, "5",
//	    "0"]}
//	}
//
// It changes that flag only: every other flag and top-level key of the file
// stays as it was. It replaces the file atomically (a new file renamed over
// the old), so flagd's file sync, which watches the file, never reads half
// a file. The file is the controller's state: a restarted controller reads
// the shares back from it.
type FlagFile struct {
	path string
	key  string
	mu   sync.Mutex // serialises read-modify-write within the process
}

var _ Actuator = (*FlagFile)(nil)

// FlagFileOption configures [NewFlagFile].
type FlagFileOption func(*FlagFile)

// FlagKey sets the key of the flag the file keeps the shares in; the
// default is [flags.KeyPrimaryPercent]. Use the key given to
// flags.WithPrimaryPercentKey.
func FlagKey(key string) FlagFileOption {
	if key == "" {
		panic("cutover: FlagKey needs a key, e.g. cutover.FlagKey(flags.KeyPrimaryPercent)")
	}
	return func(f *FlagFile) { f.key = key }
}

// NewFlagFile returns the writer of the flagd flag file at path. The file
// must exist when the shares are read or set.
func NewFlagFile(path string, opts ...FlagFileOption) *FlagFile {
	if path == "" {
		panic("cutover: NewFlagFile needs the path of flagd's flag file")
	}
	f := &FlagFile{path: path, key: flags.KeyPrimaryPercent}
	for _, o := range opts {
		o(f)
	}
	return f
}

// Shares returns the share of each of routes, 0 for a route without a rule
// (or without the flag).
func (f *FlagFile) Shares(_ context.Context, routes []string) (map[string]float64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, shares, fallback, err := f.read()
	if err != nil {
		return nil, err
	}
	out := make(map[string]float64, len(routes))
	for _, r := range routes {
		share, ok := shares[r]
		if !ok {
			share = fallback
		}
		out[r] = share
	}
	return out, nil
}

// SetShares sets the share of each route in shares, keeps the other routes'
// and replaces the file.
func (f *FlagFile) SetShares(_ context.Context, shares map[string]float64) error {
	for r, s := range shares {
		if !(s >= 0 && s <= 100) {
			return fmt.Errorf("cutover: share %v of route %q is outside 0 to 100", s, r)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	doc, current, fallback, err := f.read()
	if err != nil {
		return err
	}
	if fallback != 0 {
		return fmt.Errorf("cutover: flag %q in %s has a default share of %v; the controller keeps routes without a rule at 0", f.key, f.path, fallback)
	}
	maps.Copy(current, shares)
	flag, err := json.Marshal(percentFlagOf(current))
	if err != nil {
		return err
	}
	var all map[string]json.RawMessage
	if raw, ok := doc["flags"]; ok {
		if err := json.Unmarshal(raw, &all); err != nil {
			return fmt.Errorf("cutover: %s: flags: %w", f.path, err)
		}
	}
	if all == nil {
		all = make(map[string]json.RawMessage)
	}
	all[f.key] = flag
	if doc["flags"], err = json.Marshal(all); err != nil {
		return err
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	return replaceFile(f.path, append(out, '\n'))
}

// read parses the file: the whole document, the share per route of the
// flag's rules and the share of routes without a rule.
func (f *FlagFile) read() (doc map[string]json.RawMessage, shares map[string]float64, fallback float64, err error) {
	data, err := os.ReadFile(f.path)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("cutover: reading the flag file: %w", err)
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, nil, 0, fmt.Errorf("cutover: %s: %w", f.path, err)
	}
	var all map[string]json.RawMessage
	if raw, ok := doc["flags"]; ok {
		if err := json.Unmarshal(raw, &all); err != nil {
			return nil, nil, 0, fmt.Errorf("cutover: %s: flags: %w", f.path, err)
		}
	}
	shares = make(map[string]float64)
	raw, ok := all[f.key]
	if !ok {
		return doc, shares, 0, nil
	}
	var flag percentFlag
	if err := json.Unmarshal(raw, &flag); err != nil {
		return nil, nil, 0, fmt.Errorf("cutover: %s: flag %q: %w", f.path, f.key, err)
	}
	shares, fallback, err = flag.shares()
	if err != nil {
		return nil, nil, 0, fmt.Errorf("cutover: %s: flag %q: %w", f.path, f.key, err)
	}
	return doc, shares, fallback, nil
}

// percentFlag is the flag as flagd reads it.
type percentFlag struct {
	State          string             `json:"state"`
	Variants       map[string]float64 `json:"variants"`
	DefaultVariant string             `json:"defaultVariant"`
	Targeting      *targeting         `json:"targeting,omitempty"`
}

// targeting is a JSON Logic if-chain: condition, variant, ..., else variant.
type targeting struct {
	If []json.RawMessage `json:"if"`
}

// routeIs is the condition {"==": [{"var": "route"}, route]}.
type routeIs struct {
	Eq []json.RawMessage `json:"=="`
}

var errShape = errors.New("targeting is not the controller's if-chain on the route attribute; remove the flag's targeting, or the flag, and let the controller write it")

func percentFlagOf(shares map[string]float64) percentFlag {
	flag := percentFlag{State: "ENABLED", Variants: map[string]float64{"0": 0}, DefaultVariant: "0"}
	routes := slices.Sorted(maps.Keys(shares))
	var chain []json.RawMessage
	for _, r := range routes {
		if shares[r] == 0 {
			continue
		}
		name := strconv.FormatFloat(shares[r], 'g', -1, 64)
		flag.Variants[name] = shares[r]
		cond, _ := json.Marshal(map[string]any{"==": []any{map[string]string{"var": flags.AttrRoute}, r}})
		variant, _ := json.Marshal(name)
		chain = append(chain, cond, variant)
	}
	if chain != nil {
		flag.Targeting = &targeting{If: append(chain, json.RawMessage(`"0"`))}
	}
	return flag
}

// shares reads the routes' shares back from the flag.
func (p percentFlag) shares() (map[string]float64, float64, error) {
	value := func(name string) (float64, error) {
		v, ok := p.Variants[name]
		if !ok {
			return 0, fmt.Errorf("variant %q is not defined", name)
		}
		return v, nil
	}
	shares := make(map[string]float64)
	fallback, err := value(p.DefaultVariant)
	if err != nil {
		return nil, 0, err
	}
	if p.Targeting == nil {
		return shares, fallback, nil
	}
	chain := p.Targeting.If
	if len(chain)%2 != 1 {
		return nil, 0, errShape
	}
	for i := 0; i+1 < len(chain); i += 2 {
		route, err := routeOf(chain[i])
		if err != nil {
			return nil, 0, err
		}
		var name string
		if err := json.Unmarshal(chain[i+1], &name); err != nil {
			return nil, 0, errShape
		}
		if shares[route], err = value(name); err != nil {
			return nil, 0, err
		}
	}
	var last string
	if err := json.Unmarshal(chain[len(chain)-1], &last); err != nil {
		return nil, 0, errShape
	}
	fallback, err = value(last)
	return shares, fallback, err
}

func routeOf(raw json.RawMessage) (string, error) {
	var cond routeIs
	if err := json.Unmarshal(raw, &cond); err != nil || len(cond.Eq) != 2 {
		return "", errShape
	}
	var v struct {
		Var string `json:"var"`
	}
	var route string
	if json.Unmarshal(cond.Eq[0], &v) != nil || v.Var != flags.AttrRoute || json.Unmarshal(cond.Eq[1], &route) != nil {
		return "", errShape
	}
	return route, nil
}

// replaceFile writes data to a new file beside path and renames it over
// path, keeping path's permissions.
func replaceFile(path string, data []byte) error {
	mode := fs.FileMode(0o644)
	if info, err := os.Stat(path); err == nil {
		mode = info.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("cutover: writing the flag file: %w", err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("cutover: writing the flag file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("cutover: writing the flag file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("cutover: writing the flag file: %w", err)
	}
	if err := os.Chmod(tmp.Name(), mode); err != nil {
		return fmt.Errorf("cutover: writing the flag file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("cutover: replacing the flag file: %w", err)
	}
	return nil
}
