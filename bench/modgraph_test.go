package bench

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// What a user of the library pays in dependencies. The library's go.mod is
// the floor of every module that imports it: each module it requires lands
// in the user's module graph, and its versions are minimum versions the
// user cannot go below. Flag providers, gRPC and the like belong to the
// example module, not there.

// maxConsumerModules bounds `go list -m all` of a module that imports every
// library package (it counted 82 while flagd's tests lived in the library).
const maxConsumerModules = 60

// forbiddenModules are module path prefixes no library package may need,
// and that must not appear in a user's module graph at all.
var forbiddenModules = []string{
	"google.golang.org/grpc",
	"google.golang.org/protobuf",
	"google.golang.org/genproto",
	"connectrpc.com/",
	"buf.build/",
	"github.com/open-feature/flagd",
	"github.com/open-feature/go-sdk-contrib",
	"go.uber.org/zap",
}

// repositoryRoot is the library's module directory, one above this one.
func repositoryRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("no go.mod above the bench module: %v", err)
	}
	return root
}

// libraryPackages lists the library's importable packages: every package
// of the root module outside internal/.
func libraryPackages(t *testing.T, root string) []string {
	t.Helper()
	var pkgs []string
	for _, p := range goLines(t, root, nil, "list", "-f", "{{.ImportPath}}", "./...") {
		if !strings.Contains(p+"/", "/internal/") {
			pkgs = append(pkgs, p)
		}
	}
	if len(pkgs) == 0 {
		t.Fatal("go list found no library package")
	}
	return pkgs
}

// TestLibraryDependencies checks the modules the library's non-test code
// needs (go list -deps): none of the forbidden ones.
func TestLibraryDependencies(t *testing.T) {
	root := repositoryRoot(t)
	pkgs := libraryPackages(t, root)
	args := append([]string{"list", "-deps", "-f", "{{with .Module}}{{.Path}}{{end}}"}, pkgs...)
	modules := slices.Compact(slices.Sorted(slices.Values(goLines(t, root, nil, args...))))
	t.Logf("library packages %v need %d modules", pkgs, len(modules))
	for _, m := range modules {
		if f, bad := forbidden(m); bad {
			t.Errorf("a library package needs %s (matches %q): move the code or test that needs it to the example module", m, f)
		}
	}
}

// TestConsumerModuleGraph builds what a user sees: an empty module that
// imports every library package through a replace to this checkout, tidied.
// Its module graph includes everything the library's go.mod requires, test
// dependencies too, so a test in the library that needs flagd fails here.
func TestConsumerModuleGraph(t *testing.T) {
	if testing.Short() {
		t.Skip("go mod tidy of a new module: not in -short")
	}
	root := repositoryRoot(t)
	pkgs := libraryPackages(t, root)
	dir := t.TempDir()
	var src bytes.Buffer
	src.WriteString("package main\n\nimport (\n")
	for _, p := range pkgs {
		src.WriteString("\t_ \"" + p + "\"\n")
	}
	src.WriteString(")\n\nfunc main() {}\n")
	gomod := "module example.com/consumer\n\ngo 1.26.0\n\nrequire github.com/shadowread/shadowread v0.0.0-00010101000000-000000000000\n\n" +
		"replace github.com/shadowread/shadowread => " + root + "\n"
	for name, content := range map[string][]byte{"go.mod": []byte(gomod), "main.go": src.Bytes()} {
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// The library's go.sum covers the consumer's modules, so tidy needs
	// neither the network nor the checksum database.
	sums, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.sum"), sums, 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"GOFLAGS=-mod=mod", "GOWORK=off"}
	goLines(t, dir, env, "mod", "tidy")
	modules := goLines(t, dir, env, "list", "-m", "all")
	t.Logf("a module importing every library package has %d modules in its graph (at most %d)", len(modules), maxConsumerModules)
	if len(modules) > maxConsumerModules {
		t.Errorf("%d modules in a user's module graph, want at most %d:\n%s", len(modules), maxConsumerModules, strings.Join(modules, "\n"))
	}
	for _, line := range modules {
		path, _, _ := strings.Cut(line, " ")
		if f, bad := forbidden(path); bad {
			t.Errorf("a user's module graph holds %s (matches %q): the library's go.mod requires it, for a test or for code", line, f)
		}
	}
}

func forbidden(module string) (string, bool) {
	for _, f := range forbiddenModules {
		if strings.HasPrefix(module, f) {
			return f, true
		}
	}
	return "", false
}

// goLines runs the go command in dir and returns its non-empty output lines.
func goLines(t *testing.T, dir string, env []string, args ...string) []string {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go %s in %s: %v\n%s", strings.Join(args, " "), dir, err, stderr.String())
	}
	var lines []string
	for line := range strings.Lines(string(out)) {
		if line = strings.TrimSpace(line); line != "" {
			lines = append(lines, line)
		}
	}
	return lines
}
