// Command sdkgen writes the SDKs of the mps-fpdb provider plugin from its package schema (schema.json) with
// Pulumi's own code generators, the ones `pulumi package gen-sdk` hands to each language host. Those hosts are not
// available here, so this program calls the generators directly; the output is what the hosts would write for
// the same generator version (docs/sdks.md).
//
//	go run . -schema ../../schema.json -out ../../sdk
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/blang/semver"
	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"golang.org/x/mod/modfile"
)

// The name the generated files' headers give as their generator.
const tool = "mps-fpdb-sdkgen"

// The Pulumi Go SDK the generated Go module requires: the version the project pins everywhere (the CLI, the
// Node SDK, the Python SDK in tests). The generator itself writes an old minimum that lacks what its code uses.
const pulumiGoSDK = "github.com/pulumi/pulumi/sdk/v3"

var languages = []string{"nodejs", "python", "go"}

func main() {
	schemaPath := flag.String("schema", "schema.json", "the package schema")
	outDir := flag.String("out", "sdk", "folder that receives one subfolder per language (replaced)")
	goSDKVersion := flag.String("pulumi-go-sdk", "v3.248.0", "version of "+pulumiGoSDK+" the Go SDK requires")
	flag.Parse()
	if err := run(*schemaPath, *outDir, *goSDKVersion); err != nil {
		fmt.Fprintln(os.Stderr, "sdkgen:", err)
		os.Exit(1)
	}
}

func run(schemaPath, outDir, goSDKVersion string) error {
	for _, lang := range languages {
		pkg, err := bind(schemaPath)
		if err != nil {
			return err
		}
		files, err := generate(lang, pkg)
		if err != nil {
			return fmt.Errorf("generating the %s SDK: %w", lang, err)
		}
		if lang == "python" {
			addPythonProjectReadme(files)
		}
		dir := filepath.Join(outDir, lang)
		if err := writeTree(dir, files); err != nil {
			return err
		}
		if lang == "go" {
			if err := finishGoModule(dir, goSDKVersion); err != nil {
				return err
			}
		}
	}
	return nil
}

// bind reads and validates the schema. Each language binds its own copy because the generators record their
// language options on the package they are given.
func bind(schemaPath string) (*schema.Package, error) {
	data, err := os.ReadFile(schemaPath)
	if err != nil {
		return nil, err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(data, &spec); err != nil {
		return nil, fmt.Errorf("reading %s: %w", schemaPath, err)
	}
	pkg, diags, err := schema.BindSpec(spec, noPackages{}, schema.ValidationOptions{})
	if err != nil {
		return nil, fmt.Errorf("binding %s: %w", schemaPath, err)
	}
	if diags.HasErrors() {
		return nil, fmt.Errorf("%s is not a valid package schema: %s", schemaPath, diags.Error())
	}
	return pkg, nil
}

func generate(lang string, pkg *schema.Package) (map[string][]byte, error) {
	switch lang {
	case "nodejs":
		return nodejs.GeneratePackage(tool, pkg, nil, nil, false, nil)
	case "python":
		return python.GeneratePackage(tool, pkg, nil, nil)
	case "go":
		return gogen.GeneratePackage(tool, pkg, nil)
	}
	return nil, fmt.Errorf("unknown language %q", lang)
}

// addPythonProjectReadme puts the package's README beside pyproject.toml, which names it as the project's readme:
// the generator writes it only inside the package folder (Pulumi's own providers copy it in their build scripts),
// and without it setuptools builds the package with an empty description.
func addPythonProjectReadme(files map[string][]byte) {
	if _, ok := files["README.md"]; ok {
		return
	}
	for name, data := range files {
		if strings.Count(name, "/") == 1 && strings.HasSuffix(name, "/README.md") {
			files["README.md"] = data
			return
		}
	}
}

// writeTree replaces dir with exactly the generated files, so a file the generator no longer writes disappears.
func writeTree(dir string, files map[string][]byte) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		target := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(target, files[name], 0o644); err != nil {
			return err
		}
	}
	return nil
}

// finishGoModule pins the Pulumi Go SDK in the generated go.mod and lets `go mod tidy` write the full requirement
// list and go.sum, without which `go build` refuses the module.
func finishGoModule(dir, goSDKVersion string) error {
	modPath := filepath.Join(dir, "go.mod")
	data, err := os.ReadFile(modPath)
	if err != nil {
		return fmt.Errorf("the Go generator wrote no go.mod (is meta.supportPack set in the schema?): %w", err)
	}
	mod, err := modfile.Parse(modPath, data, nil)
	if err != nil {
		return err
	}
	if err := mod.AddRequire(pulumiGoSDK, goSDKVersion); err != nil {
		return err
	}
	out, err := mod.Format()
	if err != nil {
		return err
	}
	if err := os.WriteFile(modPath, out, 0o644); err != nil {
		return err
	}
	cmd := exec.Command("go", "mod", "tidy")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	if output, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go mod tidy in %s: %w\n%s", dir, err, strings.TrimSpace(string(output)))
	}
	return nil
}

// noPackages is the loader for a schema that refers to no other package: any lookup is a mistake in the schema.
type noPackages struct{}

func (noPackages) LoadPackage(name string, _ *semver.Version) (*schema.Package, error) {
	return nil, errors.New("the mps-fpdb schema refers to no other package, but asks for " + name)
}

func (l noPackages) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return l.LoadPackage(d.Name, d.Version)
}
