// Command factsgen writes schema-facts.json: the facts of terraform-provider-cloudflare's own
// schema source at a tag, read with go/ast (no code of it is compiled or copied), so the stand-in
// is checked against facts that were not typed by hand:
//
//	go run ./factsgen -repo /path/to/terraform-provider-cloudflare.git -tag v5.14.0 > schema-facts.json
//
// It reads internal/consts/consts.go (key names), internal/provider.go (ProviderSchema) and
// internal/services/dns_record/schema.go (ResourceSchema) with `git show TAG:PATH`.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

const (
	constsPath   = "internal/consts/consts.go"
	providerPath = "internal/provider.go"
	resourcePath = "internal/services/dns_record/schema.go"
)

type attribute struct {
	Type          any      `json:"type,omitempty"`
	NestedType    *nested  `json:"nested_type,omitempty"`
	Required      bool     `json:"required,omitempty"`
	Optional      bool     `json:"optional,omitempty"`
	Computed      bool     `json:"computed,omitempty"`
	Sensitive     bool     `json:"sensitive,omitempty"`
	Default       string   `json:"default,omitempty"`
	PlanModifiers []string `json:"plan_modifiers,omitempty"`
	Validators    []string `json:"validators,omitempty"`
	CustomType    string   `json:"custom_type,omitempty"`
}

type nested struct {
	NestingMode string                `json:"nesting_mode"`
	Attributes  map[string]*attribute `json:"attributes"`
}

type facts struct {
	Comment string `json:"//"`
	Source  struct {
		Repository string   `json:"repository"`
		Tag        string   `json:"tag"`
		Commit     string   `json:"commit"`
		Files      []string `json:"files"`
	} `json:"source"`
	Provider  map[string]*attribute `json:"provider"`
	Resources map[string]struct {
		Version    int                   `json:"version"`
		Attributes map[string]*attribute `json:"attributes"`
	} `json:"resources"`
}

type reader struct {
	fset   *token.FileSet
	consts map[string]string // consts.X -> "value"
}

func main() {
	repo := flag.String("repo", "", "git directory of terraform-provider-cloudflare")
	tag := flag.String("tag", "v5.14.0", "tag to read")
	flag.Parse()
	if *repo == "" {
		fmt.Fprintln(os.Stderr, "factsgen: -repo is required")
		os.Exit(2)
	}
	git := func(args ...string) []byte {
		out, err := exec.Command("git", append([]string{"-C", *repo}, args...)...).Output()
		if err != nil {
			fmt.Fprintf(os.Stderr, "factsgen: git %s: %v\n", strings.Join(args, " "), err)
			os.Exit(1)
		}
		return out
	}
	r := &reader{fset: token.NewFileSet(), consts: map[string]string{}}
	r.readConsts(r.parse(constsPath, git("show", *tag+":"+constsPath)))

	var f facts
	f.Comment = "Facts of terraform-provider-cloudflare's schema source, written by tools/cloudflare-provider-standin/factsgen (see README.md); do not edit by hand."
	f.Source.Repository = "github.com/cloudflare/terraform-provider-cloudflare"
	f.Source.Tag = *tag
	f.Source.Commit = strings.TrimSpace(string(git("rev-parse", *tag+"^{commit}")))
	f.Source.Files = []string{constsPath, providerPath, resourcePath}

	f.Provider = r.schemaAttributes(r.parse(providerPath, git("show", *tag+":"+providerPath)), "ProviderSchema")
	res := r.parse(resourcePath, git("show", *tag+":"+resourcePath))
	f.Resources = map[string]struct {
		Version    int                   `json:"version"`
		Attributes map[string]*attribute `json:"attributes"`
	}{"cloudflare_dns_record": {Version: r.schemaVersion(res, "ResourceSchema"), Attributes: r.schemaAttributes(res, "ResourceSchema")}}

	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(f); err != nil {
		fmt.Fprintln(os.Stderr, "factsgen:", err)
		os.Exit(1)
	}
}

func (r *reader) parse(name string, src []byte) *ast.File {
	file, err := parser.ParseFile(r.fset, name, src, 0)
	if err != nil {
		fmt.Fprintln(os.Stderr, "factsgen:", err)
		os.Exit(1)
	}
	return file
}

func (r *reader) readConsts(file *ast.File) {
	ast.Inspect(file, func(n ast.Node) bool {
		if vs, ok := n.(*ast.ValueSpec); ok {
			for i, name := range vs.Names {
				if i < len(vs.Values) {
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						v, _ := strconv.Unquote(lit.Value)
						r.consts["consts."+name.Name] = v
					}
				}
			}
		}
		return true
	})
}

// schemaLiteral finds the schema.Schema{...} composite literal returned by function fn.
func schemaLiteral(file *ast.File, fn string) *ast.CompositeLit {
	var found *ast.CompositeLit
	for _, d := range file.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Name.Name != fn {
			continue
		}
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			if cl, ok := n.(*ast.CompositeLit); ok && found == nil && exprString(cl.Type) == "schema.Schema" {
				found = cl
				return false
			}
			return true
		})
	}
	if found == nil {
		fmt.Fprintf(os.Stderr, "factsgen: no schema.Schema literal in %s\n", fn)
		os.Exit(1)
	}
	return found
}

func field(cl *ast.CompositeLit, name string) ast.Expr {
	for _, e := range cl.Elts {
		if kv, ok := e.(*ast.KeyValueExpr); ok && exprString(kv.Key) == name {
			return kv.Value
		}
	}
	return nil
}

func (r *reader) schemaVersion(file *ast.File, fn string) int {
	if v := field(schemaLiteral(file, fn), "Version"); v != nil {
		n, _ := strconv.Atoi(exprString(v))
		return n
	}
	return 0
}

func (r *reader) schemaAttributes(file *ast.File, fn string) map[string]*attribute {
	attrs, ok := field(schemaLiteral(file, fn), "Attributes").(*ast.CompositeLit)
	if !ok {
		fmt.Fprintf(os.Stderr, "factsgen: %s has no Attributes map\n", fn)
		os.Exit(1)
	}
	return r.attributes(attrs)
}

func (r *reader) attributes(m *ast.CompositeLit) map[string]*attribute {
	out := map[string]*attribute{}
	for _, e := range m.Elts {
		kv := e.(*ast.KeyValueExpr)
		out[r.key(kv.Key)] = r.attribute(kv.Value.(*ast.CompositeLit))
	}
	return out
}

func (r *reader) key(e ast.Expr) string {
	if lit, ok := e.(*ast.BasicLit); ok {
		v, _ := strconv.Unquote(lit.Value)
		return v
	}
	if v, ok := r.consts[exprString(e)]; ok {
		return v
	}
	fmt.Fprintf(os.Stderr, "factsgen: cannot resolve attribute key %s\n", exprString(e))
	os.Exit(1)
	return ""
}

// wireTypes: the type each framework attribute kind has in `providers schema -json`.
var wireTypes = map[string]string{
	"schema.StringAttribute":  "string",
	"schema.Float64Attribute": "number",
	"schema.Int64Attribute":   "number",
	"schema.NumberAttribute":  "number",
	"schema.BoolAttribute":    "bool",
	"schema.DynamicAttribute": "dynamic",
}

var elementTypes = map[string]string{"types.StringType": "string", "types.BoolType": "bool", "types.Float64Type": "number", "types.Int64Type": "number"}

func (r *reader) attribute(cl *ast.CompositeLit) *attribute {
	a := &attribute{}
	kind := exprString(cl.Type)
	switch {
	case wireTypes[kind] != "":
		a.Type = wireTypes[kind]
	case kind == "schema.SetAttribute" || kind == "schema.ListAttribute" || kind == "schema.MapAttribute":
		coll := strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(kind, "schema."), "Attribute"))
		el := elementTypes[exprString(field(cl, "ElementType"))]
		if el == "" {
			fmt.Fprintf(os.Stderr, "factsgen: unknown element type %s\n", exprString(field(cl, "ElementType")))
			os.Exit(1)
		}
		a.Type = []string{coll, el}
	case kind == "schema.SingleNestedAttribute":
		a.NestedType = &nested{NestingMode: "single", Attributes: r.attributes(field(cl, "Attributes").(*ast.CompositeLit))}
	default:
		fmt.Fprintf(os.Stderr, "factsgen: unknown attribute kind %s\n", kind)
		os.Exit(1)
	}
	a.Required = exprString(field(cl, "Required")) == "true"
	a.Optional = exprString(field(cl, "Optional")) == "true"
	a.Computed = exprString(field(cl, "Computed")) == "true"
	a.Sensitive = exprString(field(cl, "Sensitive")) == "true"
	if d := field(cl, "Default"); d != nil {
		a.Default = exprString(d)
	}
	if c := field(cl, "CustomType"); c != nil {
		a.CustomType = exprString(c)
	}
	a.PlanModifiers = elements(field(cl, "PlanModifiers"))
	a.Validators = elements(field(cl, "Validators"))
	return a
}

// elements: each element of a []T{...} literal as one line of source.
func elements(e ast.Expr) []string {
	cl, ok := e.(*ast.CompositeLit)
	if !ok {
		return nil
	}
	var out []string
	for _, el := range cl.Elts {
		out = append(out, strings.Join(strings.Fields(exprString(el)), " "))
	}
	return out
}

func exprString(e ast.Expr) string {
	if e == nil {
		return ""
	}
	var b bytes.Buffer
	_ = printer.Fprint(&b, token.NewFileSet(), e)
	return b.String()
}
