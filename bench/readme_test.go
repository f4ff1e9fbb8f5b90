package bench

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestReadmeGoBlocks builds every ```go block of the repository's README.md
// and docs/*.md, so that what a reader copies compiles as written. The rule:
//
//   - A block that starts with a package clause is a whole file and is built
//     as is. The whole files of one document form one package, so a later
//     block may use an earlier block's types.
//   - Any other block is a fragment. A fragment of declarations (its first
//     line starts with func, type, var or const) is built at the top level,
//     anything else as the body of a function. Either is put in the package
//     of its document's whole files, so it sees their types, and gets the
//     imports it names: those of its document's whole files and
//     fragmentImports, each added when the fragment uses its package name.
//   - The names a fragment uses without declaring them are the ones the
//     README's prose names (shadow, products, getProduct, ...): they are the
//     function's parameters, typed in fragmentNames, each added when the
//     fragment uses it.
func TestReadmeGoBlocks(t *testing.T) {
	root := repositoryRoot(t)
	docs := []string{filepath.Join(root, "README.md")}
	more, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	docs = append(docs, more...)

	// A directory of the bench module, so the blocks build with its go.mod:
	// the library through its replace directive, chi, OpenFeature and
	// OpenTelemetry at the versions a user gets. The leading underscore
	// keeps it out of ./... patterns that run meanwhile.
	work, err := os.MkdirTemp(".", "_readme-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(work) })

	blocks := 0
	for i, doc := range docs {
		text, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		name, _ := filepath.Rel(root, doc)
		found := goBlocks(string(text))
		blocks += len(found)
		if len(found) == 0 {
			continue
		}
		dir := filepath.Join(work, fmt.Sprintf("doc%d", i))
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		files := writeBlocks(t, dir, name, found)
		cmd := exec.Command("go", "build", "-o", os.DevNull, "./"+dir)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("the Go blocks of %s do not build (%v):\n%s\nas built:\n%s", name, err, out, files)
		}
	}
	if blocks == 0 {
		t.Fatal("no ```go block found in README.md: the README's example must be a Go block")
	}
}

// codeBlock is one ```go block of a document.
type codeBlock struct {
	line int // of the opening fence, 1-based
	code string
}

// goBlocks returns the ```go blocks of a Markdown text, indented ones (in a
// list) included, with the indentation of their fence removed.
func goBlocks(text string) []codeBlock {
	var blocks []codeBlock
	var cur *strings.Builder
	var indent string
	start := 0
	sc := bufio.NewScanner(strings.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimLeft(line, " \t")
		switch {
		case cur == nil && strings.HasPrefix(trimmed, "```go") && strings.TrimSpace(trimmed[len("```go"):]) == "":
			cur, indent, start = &strings.Builder{}, line[:len(line)-len(trimmed)], n
		case cur != nil && strings.HasPrefix(trimmed, "```"):
			blocks = append(blocks, codeBlock{line: start, code: cur.String()})
			cur = nil
		case cur != nil:
			cur.WriteString(strings.TrimPrefix(line, indent))
			cur.WriteByte('\n')
		}
	}
	return blocks
}

// fragmentImports are the packages a fragment may use besides those of its
// document's whole files, by package name.
var fragmentImports = map[string]string{
	"context":     "context",
	"http":        "net/http",
	"chi":         "github.com/go-chi/chi/v5",
	"openfeature": "github.com/open-feature/go-sdk/openfeature",
	"otel":        "go.opentelemetry.io/otel",
	"backends":    "github.com/shadowread/shadowread/backends",
	"comparator":  "github.com/shadowread/shadowread/comparator",
	"flags":       "github.com/shadowread/shadowread/flags",
	"middleware":  "github.com/shadowread/shadowread/middleware",
	"telemetry":   "github.com/shadowread/shadowread/telemetry",
}

// fragmentNames are the names the README's prose uses, with their types:
// the parameters of a fragment's function.
var fragmentNames = []struct{ name, typ string }{
	{"ctx", "context.Context"},
	{"shadow", "*middleware.Shadower"},
	{"products", "*backends.Router[ProductStore]"},
	{"getProduct", "func(http.ResponseWriter, *http.Request)"},
	{"client", "*openfeature.Client"},
	{"r", "chi.Router"},
	{"rec", "*telemetry.OTel"},
}

var (
	packageClause = regexp.MustCompile(`(?m)^package (\w+)`)
	importSpec    = regexp.MustCompile(`(?m)^\s*(\w+\s+)?"([^"]+)"\s*$`)
	declaration   = regexp.MustCompile(`^(func|type|var|const)\b`)
)

// writeBlocks writes the blocks of one document into dir and returns them,
// as written, for the failure message.
func writeBlocks(t *testing.T, dir, doc string, blocks []codeBlock) string {
	t.Helper()
	pkg := "readme"
	imports := map[string]string{} // package name → path
	for _, b := range blocks {
		if !isWholeFile(b.code) {
			continue
		}
		pkg = packageClause.FindStringSubmatch(b.code)[1]
		if i := strings.Index(b.code, "import ("); i >= 0 {
			block := b.code[i : i+strings.Index(b.code[i:], ")")]
			for _, spec := range importSpec.FindAllStringSubmatch(block, -1) {
				name := strings.TrimSpace(spec[1])
				if name == "" {
					name = importName(spec[2])
				}
				imports[name] = spec[2]
			}
		}
	}
	for name, path := range fragmentImports {
		if _, ok := imports[name]; !ok {
			imports[name] = path
		}
	}

	var all strings.Builder
	for _, b := range blocks {
		var src string
		if isWholeFile(b.code) {
			src = b.code
		} else {
			src = fragmentFile(pkg, b.code, imports)
		}
		file := filepath.Join(dir, "block_line"+strconv.Itoa(b.line)+".go")
		if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&all, "--- %s, the block at line %d (%s):\n%s", doc, b.line, filepath.Base(file), numbered(src))
	}
	return all.String()
}

// isWholeFile reports whether code starts with a package clause, after
// comments.
func isWholeFile(code string) bool {
	for _, line := range strings.Split(code, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "//") {
			continue
		}
		return strings.HasPrefix(line, "package ")
	}
	return false
}

// fragmentFile wraps a fragment into a file of package pkg.
func fragmentFile(pkg, code string, imports map[string]string) string {
	uses := func(name string) bool {
		return regexp.MustCompile(`\b` + regexp.QuoteMeta(name) + `\b`).MatchString(code)
	}
	var params []string
	needed := map[string]bool{}
	for _, n := range fragmentNames {
		if uses(n.name) && !regexp.MustCompile(`\b`+n.name+`\s*:=`).MatchString(code) {
			params = append(params, n.name+" "+n.typ)
			for name := range imports {
				if strings.Contains(n.typ, name+".") {
					needed[name] = true
				}
			}
		}
	}
	for name := range imports {
		if regexp.MustCompile(`\b` + regexp.QuoteMeta(name) + `\.`).MatchString(code) {
			needed[name] = true
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "package %s\n\n", pkg)
	names := make([]string, 0, len(needed))
	for name := range needed {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		fmt.Fprintf(&b, "import %s %q\n", name, imports[name])
	}
	first := strings.TrimSpace(code)
	if declaration.MatchString(first) {
		fmt.Fprintf(&b, "\n%s", code)
		return b.String()
	}
	fmt.Fprintf(&b, "\nfunc _(%s) {\n%s}\n", strings.Join(params, ", "), code)
	return b.String()
}

// importName is the package name of an import path: its last element, or
// the one before a major version suffix (chi/v5 is chi).
func importName(path string) string {
	parts := strings.Split(path, "/")
	last := parts[len(parts)-1]
	if len(parts) > 1 && regexp.MustCompile(`^v[0-9]+$`).MatchString(last) {
		last = parts[len(parts)-2]
	}
	return last
}

func numbered(src string) string {
	var b strings.Builder
	for i, line := range strings.Split(strings.TrimRight(src, "\n"), "\n") {
		fmt.Fprintf(&b, "%4d  %s\n", i+1, line)
	}
	return b.String()
}
