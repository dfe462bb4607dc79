// pulumi-language-go for the test CLI built in tools/pulumi (scripts/build-pulumi-cli.sh).
//
// Pulumi's own Go language host is a Go module (github.com/pulumi/pulumi/sdk/go/pulumi-language-go/v3) that the
// Go module proxy reachable from this project's machines does not serve, so this launcher implements the same
// LanguageRuntime gRPC service with the stubs and helpers of github.com/pulumi/pulumi/sdk/v3 (the module the CLI is
// built with, v3.248.0) and reproduces what Pulumi 3.248's host does for `pulumi up`, `preview`, `refresh`,
// `destroy` and `import`:
//
//   - Run builds the program with `go build -buildvcs=false -trimpath -ldflags "-w -s" -o <temp file>` in its folder
//     (or runs the executable that `runtime.options.binary` names; `runtime.options.buildTarget` keeps the build),
//     then runs it in the request's pwd with the environment the Go SDK's pulumi.Run reads: PULUMI_ORGANIZATION,
//     PULUMI_PROJECT, PULUMI_ROOT_DIRECTORY, PULUMI_STACK, PULUMI_CONFIG (the config map as JSON, keys as the engine
//     sends them), PULUMI_CONFIG_SECRET_KEYS (JSON, "[]" when none), PULUMI_DRY_RUN, PULUMI_PARALLEL,
//     PULUMI_MONITOR and PULUMI_ENGINE, each only when it has a value, on top of this process's environment;
//   - exit codes: 0 is success, 32 is "already reported to the user" (Bail), anything else is
//     "program exited with non-zero exit code: N"; a build that fails is the RPC's error, with go build's output;
//   - cancellation: the Cancel RPC or the end of the Run call sends the program SIGINT, then SIGKILL 5 s later
//     (exec.CommandContext with WaitDelay, as upstream);
//   - GetRequiredPackages: the go.mod requirements whose module carries a pulumi-plugin.json marking a resource
//     plugin (at the module root, in go/, go/*/ or */), with its name and version; missing sources are fetched with
//     `go mod download`;
//   - InstallDependencies runs `go mod tidy -compat=1.18`; Handshake, GetPluginInfo and -version as upstream; the
//     engine's health is checked every 5 minutes and the host stops when the engine is gone.
//
// Left out, none of which the programs here use: the debugger attach (delve), PULUMI_GO_USE_RUN (`go run`),
// OpenTelemetry and OpenTracing spans, the minimum Go version check, vendor/ directories in GetRequiredPackages,
// pseudo-version rewriting of package versions, About, GetProgramDependencies, RunPlugin (Go provider plugins
// run from source), and code generation (GenerateProject, GenerateProgram, GeneratePackage, Pack, Link):
// `pulumi import` therefore needs --generate-code=false, and `pulumi new` templates and `pulumi convert` do not work.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/constant"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/emptypb"
)

// version is the Pulumi release whose host this one stands in for; the build stamps it (-X main.version=...).
var version = "v3.248.0"

const killDelay = 5 * time.Second

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	mu            sync.Mutex
	engineAddress string
	cancelCtx     context.Context
	cancel        context.CancelFunc
	// stdout and stderr of `go build`, `go mod tidy` and the program: the CLI shows what a plugin writes there.
	stdout, stderr io.Writer
}

func newHost(engineAddress string) *host {
	ctx, cancel := context.WithCancel(context.Background())
	return &host{engineAddress: engineAddress, cancelCtx: ctx, cancel: cancel, stdout: os.Stdout, stderr: os.Stderr}
}

func main() {
	var engineAddress string
	for i := 1; i < len(os.Args); i++ {
		switch arg := os.Args[i]; {
		case arg == "-version" || arg == "--version":
			fmt.Println(version)
			return
		case arg == "-tracing" || arg == "--tracing" || arg == "-root" || arg == "--root":
			i++ // the flag's value
		case strings.HasPrefix(arg, "-"):
			// -tracing=..., -root=... and the like: nothing this host uses.
		default:
			if engineAddress == "" {
				engineAddress = arg
			}
		}
	}
	if err := serve(engineAddress); err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-go: %v\n", err)
		os.Exit(1)
	}
}

func serve(engineAddress string) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stop := make(chan bool)
	go func() {
		<-ctx.Done()
		close(stop)
	}()
	if engineAddress != "" {
		if err := rpcutil.Healthcheck(ctx, engineAddress, 5*time.Minute, cancel); err != nil {
			return fmt.Errorf("could not start health check host RPC server: %w", err)
		}
	}
	h := newHost(engineAddress)
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: stop,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, h)
			return nil
		},
	})
	if err != nil {
		return fmt.Errorf("could not start language host RPC server: %w", err)
	}
	// The engine reads the port from the first line of stdout.
	fmt.Printf("%d\n", handle.Port)
	return <-handle.Done
}

func (h *host) Handshake(ctx context.Context, req *pulumirpc.LanguageHandshakeRequest) (*pulumirpc.LanguageHandshakeResponse, error) {
	if req.GetEngineAddress() == "" {
		return nil, errors.New("Must contain address in request")
	}
	h.mu.Lock()
	h.engineAddress = req.GetEngineAddress()
	h.mu.Unlock()
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

func (h *host) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	h.cancel()
	return &emptypb.Empty{}, nil
}

// options reads Pulumi.yaml's runtime.options as upstream does.
func options(req *pulumirpc.RunRequest) (binary, buildTarget string, err error) {
	opts := req.GetInfo().GetOptions().AsMap()
	for key, into := range map[string]*string{"binary": &binary, "buildTarget": &buildTarget} {
		if value, ok := opts[key]; ok {
			text, isString := value.(string)
			if !isString {
				return "", "", fmt.Errorf("%s option must be a string", key)
			}
			*into = text
		}
	}
	if binary != "" && buildTarget != "" {
		return "", "", errors.New("binary and buildTarget cannot both be specified")
	}
	return binary, buildTarget, nil
}

// programEnv is this process's environment plus what pulumi.Run reads, each variable only when it has a value.
func (h *host) programEnv(req *pulumirpc.RunRequest) ([]string, error) {
	config, secretKeys := "", "[]"
	if req.GetConfig() != nil {
		text, err := json.Marshal(req.GetConfig())
		if err != nil {
			return nil, err
		}
		config = string(text)
	}
	if req.GetConfigSecretKeys() != nil {
		text, err := json.Marshal(req.GetConfigSecretKeys())
		if err != nil {
			return nil, err
		}
		secretKeys = string(text)
	}
	h.mu.Lock()
	engine := h.engineAddress
	h.mu.Unlock()
	env := os.Environ()
	for _, pair := range [][2]string{
		{"PULUMI_ORGANIZATION", req.GetOrganization()},
		{"PULUMI_PROJECT", req.GetProject()},
		{"PULUMI_ROOT_DIRECTORY", req.GetInfo().GetRootDirectory()},
		{"PULUMI_STACK", req.GetStack()},
		{"PULUMI_CONFIG", config},
		{"PULUMI_CONFIG_SECRET_KEYS", secretKeys},
		{"PULUMI_DRY_RUN", strconv.FormatBool(req.GetDryRun())},
		{"PULUMI_PARALLEL", strconv.Itoa(int(req.GetParallel()))},
		{"PULUMI_MONITOR", req.GetMonitorAddress()},
		{"PULUMI_ENGINE", engine},
	} {
		if pair[1] != "" {
			env = append(env, pair[0]+"="+pair[1])
		}
	}
	return env, nil
}

// log sends an ephemeral line to the engine (the "Compiling the program ..." status upstream shows).
func (h *host) log(ctx context.Context, message string) {
	h.mu.Lock()
	engine := h.engineAddress
	h.mu.Unlock()
	if engine == "" {
		return
	}
	conn, err := grpc.NewClient(engine, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return
	}
	defer conn.Close()
	_, _ = pulumirpc.NewEngineClient(conn).Log(ctx, &pulumirpc.LogRequest{
		Severity: pulumirpc.LogSeverity_INFO, Message: message, Ephemeral: true,
	})
}

// build compiles the program into outfile (a temporary file when empty) and returns the executable's path.
func (h *host) build(ctx context.Context, dir, outfile string) (string, error) {
	h.log(ctx, "Compiling the program ...")
	if matches, err := filepath.Glob(filepath.Join(dir, "*.go")); err != nil || len(matches) == 0 {
		return "", fmt.Errorf("Failed to find go files for 'go build' matching %s", filepath.Join(dir, "*.go"))
	}
	if outfile == "" {
		f, err := os.CreateTemp("", "pulumi-go.*")
		if err != nil {
			return "", fmt.Errorf("unable to create go program temp file: %w", err)
		}
		outfile = f.Name()
		f.Close()
	}
	var output bytes.Buffer
	cmd := exec.Command("go", "build", "-buildvcs=false", "-o", outfile, "-trimpath", "-ldflags", "-w -s")
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = h.stdout, io.MultiWriter(h.stderr, &output)
	if err := cmd.Run(); err != nil {
		return outfile, fmt.Errorf("error in compiling Go: unable to run `go build`: %w\n%s", err, output.String())
	}
	h.log(ctx, "Finished compiling")
	return outfile, nil
}

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	binary, buildTarget, err := options(req)
	if err != nil {
		return nil, err
	}
	env, err := h.programEnv(req)
	if err != nil {
		return nil, fmt.Errorf("failed to prepare environment: %w", err)
	}
	program := binary
	if binary != "" {
		if program, err = exec.LookPath(binary); err != nil {
			return nil, fmt.Errorf("unable to find '%s' executable: %w", binary, err)
		}
	} else {
		program, err = h.build(ctx, req.GetInfo().GetProgramDirectory(), buildTarget)
		if buildTarget == "" && program != "" {
			defer os.Remove(program)
		}
		if err != nil {
			return nil, err
		}
	}

	// Stopped by the Cancel RPC (h.cancelCtx) or by the end of this call (ctx).
	runCtx, stop := context.WithCancel(h.cancelCtx)
	defer stop()
	context.AfterFunc(ctx, stop)
	cmd := exec.CommandContext(runCtx, program)
	cmd.Dir = req.GetPwd()
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = h.stdout, h.stderr
	cmd.Cancel = func() error {
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			return cmd.Process.Kill()
		}
		return nil
	}
	cmd.WaitDelay = killDelay
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return &pulumirpc.RunResponse{}, nil
	case !errors.As(err, &exit):
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("command errored unexpectedly: %v", err)}, nil
	}
	status, ok := exit.Sys().(syscall.WaitStatus)
	if !ok {
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("program exited unexpectedly: %v", err)}, nil
	}
	if status.ExitStatus() == constant.ExitStatusLoggedError {
		return &pulumirpc.RunResponse{Bail: true}, nil
	}
	return &pulumirpc.RunResponse{
		Error: fmt.Sprintf("program exited with non-zero exit code: %d", status.ExitStatus()),
	}, nil
}

type module struct {
	Path, Version, Dir string
}

// goModules runs `go <args...>` in dir and decodes the stream of JSON module records it prints.
func goModules(ctx context.Context, dir string, args ...string) ([]module, error) {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off")
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go %s: %w", strings.Join(args, " "), err)
	}
	var modules []module
	for dec := json.NewDecoder(bytes.NewReader(out)); dec.More(); {
		var m module
		if err := dec.Decode(&m); err != nil {
			return nil, err
		}
		modules = append(modules, m)
	}
	return modules, nil
}

// pluginJSON is the first pulumi-plugin.json found where upstream looks for it in a module's folder.
func pluginJSON(dir string) (name, version string, resource bool) {
	paths := []string{filepath.Join(dir, "pulumi-plugin.json"), filepath.Join(dir, "go", "pulumi-plugin.json")}
	for _, pattern := range []string{filepath.Join(dir, "go", "*", "pulumi-plugin.json"), filepath.Join(dir, "*", "pulumi-plugin.json")} {
		matches, _ := filepath.Glob(pattern)
		paths = append(paths, matches...)
	}
	for _, path := range paths {
		text, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		var plugin struct {
			Resource bool   `json:"resource"`
			Name     string `json:"name"`
			Version  string `json:"version"`
		}
		if json.Unmarshal(text, &plugin) != nil {
			return "", "", false
		}
		return plugin.Name, plugin.Version, plugin.Resource
	}
	return "", "", false
}

func (h *host) GetRequiredPackages(ctx context.Context, req *pulumirpc.GetRequiredPackagesRequest) (*pulumirpc.GetRequiredPackagesResponse, error) {
	none := &pulumirpc.GetRequiredPackagesResponse{}
	dir := req.GetInfo().GetProgramDirectory()
	cmd := exec.CommandContext(ctx, "go", "mod", "edit", "-json")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off")
	out, err := cmd.Output()
	var goMod struct{ Require []struct{ Path string } }
	// As upstream: a program outside a Go module, or whose modules cannot be listed, needs no package.
	if err != nil || json.Unmarshal(out, &goMod) != nil || len(goMod.Require) == 0 {
		return none, nil
	}
	paths := make([]string, 0, len(goMod.Require))
	for _, r := range goMod.Require {
		paths = append(paths, r.Path)
	}
	modules, err := goModules(ctx, dir, append([]string{"list", "-m", "-json"}, paths...)...)
	if err != nil {
		return none, nil
	}
	var missing []string
	for _, m := range modules {
		if m.Dir == "" {
			missing = append(missing, m.Path)
		}
	}
	if len(missing) > 0 {
		downloaded, err := goModules(ctx, dir, append([]string{"mod", "download", "-json"}, missing...)...)
		if err != nil {
			return nil, fmt.Errorf("go mod download: %w", err)
		}
		dirs := map[string]string{}
		for _, m := range downloaded {
			dirs[m.Path] = m.Dir
		}
		for i := range modules {
			if modules[i].Dir == "" {
				modules[i].Dir = dirs[modules[i].Path]
			}
		}
	}
	response := &pulumirpc.GetRequiredPackagesResponse{}
	for _, m := range modules {
		if m.Dir == "" {
			continue
		}
		name, version, resource := pluginJSON(m.Dir)
		if !resource {
			continue
		}
		// Upstream's rule for a package.json without a name: github.com/pulumi/pulumi-aws/sdk/... is aws.
		if parts := strings.Split(m.Path, "/"); name == "" && len(parts) > 2 && strings.Contains(parts[2], "-") {
			name = strings.SplitN(parts[2], "-", 2)[1]
		}
		if version == "" {
			version = m.Version
		}
		if name == "" {
			continue
		}
		response.Packages = append(response.Packages, &pulumirpc.PackageDependency{
			Name: name, Version: version, Kind: "resource",
		})
	}
	return response, nil
}

func (h *host) InstallDependencies(req *pulumirpc.InstallDependenciesRequest, server pulumirpc.LanguageRuntime_InstallDependenciesServer) error {
	closer, stdout, stderr, err := rpcutil.MakeInstallDependenciesStreams(server, req.GetIsTerminal())
	if err != nil {
		return err
	}
	defer closer.Close()
	fmt.Fprint(stdout, "Installing dependencies...\n\n")
	cmd := exec.Command("go", "mod", "tidy", "-compat=1.18")
	cmd.Dir = req.GetInfo().GetProgramDirectory()
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("`go mod tidy` failed to install dependencies: %w", err)
	}
	fmt.Fprint(stdout, "Finished installing dependencies\n\n")
	return closer.Close()
}
