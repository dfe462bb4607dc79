// pulumi-language-python for the test CLI built in tools/pulumi (scripts/build-pulumi-cli.sh).
//
// Pulumi's own Python language host is a Go module of its own (`sdk/python/cmd/pulumi-language-python/v3`) that
// the Go module proxy reachable from this project's machines does not serve, so this stand-in implements the
// LanguageRuntime gRPC service with what `github.com/pulumi/pulumi/sdk/v3` (which the proxy does serve) offers:
// the gRPC types, rpcutil's server and health check, and the Python toolchain package that resolves the virtual
// environment. It runs a program the way Pulumi 3.248's host does:
//
//   - the program runs as `<python> pulumi-language-python-exec --monitor --engine --project --root_directory
//     --stack --pwd --dry_run --parallel [--tracing] --organization <entry point> <args...>` (each flag only when it
//     has a value, the entry point from ProgramInfo), the script found beside this executable (or -use-executor);
//   - `<python>` is the interpreter of Pulumi.yaml `runtime.options.virtualenv` (relative to the project root,
//     activated: VIRTUAL_ENV, its bin first on PATH, no PYTHONHOME), or `python3`/`python` from PATH without it;
//     `runtime.options.toolchain` (pip, poetry, uv) is honoured through the same toolchain package;
//   - `PULUMI_CONFIG` (the config map as the engine sends it, keys unchanged) and `PULUMI_CONFIG_SECRET_KEYS`
//     (JSON, `[]` when none);
//   - exit codes: 0 is success, 32 is "already reported to the user" (bail), anything else is "program exited
//     with non-zero exit code: N";
//   - cancellation: the Cancel RPC and the end of the Run call send the program SIGINT, then SIGKILL after 5
//     seconds; an interrupt of this process or an engine that stops answering the health check stops the server.
//
// Left out, none of which the programs here use: GetRequiredPackages answers with no packages (upstream lists the
// pip packages carrying a pulumi-plugin.json; here the provider plugin is found through Pulumi.yaml
// `plugins.providers` or the plugin cache, and the engine starts it when a resource names it), no creation of a
// missing virtual environment and no InstallDependencies (the user or the test setup runs `pip install`), no
// typechecker runs (the `typechecker` option is refused), no debugger attach, no Python version warning, no
// OpenTelemetry propagation, and no About, GetProgramDependencies, RunPlugin, Pack, Link, GenerateProject,
// GenerateProgram (so `pulumi import` needs `--generate-code=false`), GeneratePackage, Template or
// RuntimeOptionsPrompts: they answer Unimplemented.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
)

const (
	executorName = "pulumi-language-python-exec"
	// The exec script's way of saying that the user has already been shown the error.
	bailExitCode = 32
	// How long the program has to stop after SIGINT before it is killed, as upstream (exec.Cmd.WaitDelay).
	killDelay = 5 * time.Second
	// How often the engine is checked, as upstream (rpcutil.Healthcheck).
	healthInterval = 5 * time.Minute
)

func main() {
	tracing := flag.String("tracing", "", "Emit tracing to a Zipkin-compatible tracing endpoint")
	showVersion := flag.Bool("version", false, "Print the current plugin version and exit")
	givenExecutor := flag.String("use-executor", "", "Use the given program as the executor")
	flag.Parse()
	if *showVersion {
		fmt.Println(version.Version)
		os.Exit(0)
	}

	executor := *givenExecutor
	if executor == "" {
		self, err := os.Executable()
		if err != nil {
			cmdutil.Exit(fmt.Errorf("could not determine current executable: %w", err))
		}
		executor = filepath.Join(filepath.Dir(self), executorName)
		if _, err := os.Stat(executor); err != nil {
			cmdutil.Exit(fmt.Errorf("missing executor %s: %w", executor, err))
		}
	}

	var engineAddress string
	if args := flag.Args(); len(args) > 0 {
		engineAddress = args[0]
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	cancelServer := make(chan bool)
	go func() {
		<-ctx.Done()
		stop()
		close(cancelServer)
	}()
	if engineAddress != "" {
		if err := rpcutil.Healthcheck(ctx, engineAddress, healthInterval, stop); err != nil {
			cmdutil.Exit(fmt.Errorf("could not start health check host RPC server: %w", err))
		}
	}

	host := newHost(executor, engineAddress, *tracing)
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancelServer,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
	})
	if err != nil {
		cmdutil.Exit(fmt.Errorf("could not start language host RPC server: %w", err))
	}
	// The engine reads the port from the first line of stdout.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		cmdutil.Exit(fmt.Errorf("language host RPC stopped serving: %w", err))
	}
}

type pythonHost struct {
	// Every method this stand-in leaves out answers Unimplemented through this.
	pulumirpc.UnimplementedLanguageRuntimeServer

	executor      string
	engineAddress string
	tracing       string
	// Cancelled by the Cancel RPC: every running program is interrupted.
	cancelCtx  context.Context
	cancelFunc context.CancelFunc
}

func newHost(executor, engineAddress, tracing string) *pythonHost {
	ctx, cancel := context.WithCancel(context.Background())
	return &pythonHost{
		executor:      executor,
		engineAddress: engineAddress,
		tracing:       tracing,
		cancelCtx:     ctx,
		cancelFunc:    cancel,
	}
}

// pythonOptions reads Pulumi.yaml `runtime.options` as upstream does, refusing what this stand-in does not run.
func pythonOptions(info *pulumirpc.ProgramInfo) (toolchain.PythonOptions, error) {
	opts := toolchain.PythonOptions{Root: info.GetRootDirectory(), ProgramDir: info.GetProgramDirectory()}
	options := info.GetOptions().AsMap()
	if value, ok := options["virtualenv"]; ok {
		virtualenv, isString := value.(string)
		if !isString {
			return opts, errors.New("virtualenv option must be a string")
		}
		opts.Virtualenv = virtualenv
	}
	if value, ok := options["toolchain"]; ok {
		name, isString := value.(string)
		if !isString {
			return opts, errors.New("toolchain option must be a string")
		}
		switch name {
		case "pip":
			opts.Toolchain = toolchain.Pip
		case "poetry":
			opts.Toolchain = toolchain.Poetry
		case "uv":
			opts.Toolchain = toolchain.Uv
		default:
			return opts, fmt.Errorf("unsupported toolchain option: %s", name)
		}
	}
	if _, ok := options["typechecker"]; ok {
		return opts, errors.New("the typechecker option is not supported by this test CLI's Python language host " +
			"(tools/pulumi/language-host-python)")
	}
	return opts, nil
}

// execArguments is the exec script's command line, flag by flag in upstream's order.
func (host *pythonHost) execArguments(req *pulumirpc.RunRequest) []string {
	args := []string{host.executor}
	add := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	add("monitor", req.GetMonitorAddress())
	add("engine", host.engineAddress)
	add("project", req.GetProject())
	add("root_directory", req.GetInfo().GetRootDirectory())
	add("stack", req.GetStack())
	add("pwd", req.GetPwd())
	add("dry_run", strconv.FormatBool(req.GetDryRun()))
	add("parallel", strconv.Itoa(int(req.GetParallel())))
	add("tracing", host.tracing)
	add("organization", req.GetOrganization())
	args = append(args, req.GetInfo().GetEntryPoint())
	return append(args, req.GetArgs()...)
}

// programEnv adds the program's config to `env`: the engine's map as it is, and the secret keys (`[]` for none).
func programEnv(env []string, req *pulumirpc.RunRequest) ([]string, error) {
	if config := req.GetConfig(); config != nil {
		text, err := json.Marshal(config)
		if err != nil {
			return nil, fmt.Errorf("failed to serialize configuration: %w", err)
		}
		env = append(env, "PULUMI_CONFIG="+string(text))
	}
	secretKeys := "[]"
	if keys := req.GetConfigSecretKeys(); keys != nil {
		text, err := json.Marshal(keys)
		if err != nil {
			return nil, fmt.Errorf("failed to serialize configuration secret keys: %w", err)
		}
		secretKeys = string(text)
	}
	return append(env, "PULUMI_CONFIG_SECRET_KEYS="+secretKeys), nil
}

func (host *pythonHost) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	host.engineAddress = req.GetEngineAddress()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	if err := rpcutil.Healthcheck(ctx, host.engineAddress, healthInterval, stop); err != nil {
		return nil, fmt.Errorf("could not start health check host RPC server: %w", err)
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (host *pythonHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

// GetRequiredPlugins is the old form of GetRequiredPackages; upstream answers Unimplemented too, so the engine
// asks for packages.
func (host *pythonHost) GetRequiredPlugins(
	context.Context, *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return nil, status.Errorf(codes.Unimplemented, "method GetRequiredPlugins not implemented")
}

func (host *pythonHost) GetRequiredPackages(
	context.Context, *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{Packages: []*pulumirpc.PackageDependency{}}, nil
}

func (host *pythonHost) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	host.cancelFunc()
	return &emptypb.Empty{}, nil
}

func (host *pythonHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	if host.engineAddress == "" {
		return nil, errors.New("when debugging or running explicitly, must call Handshake before Run")
	}
	if req.GetAttachDebugger() {
		return &pulumirpc.RunResponse{Error: "this test CLI's Python language host cannot attach a debugger"}, nil
	}
	opts, err := pythonOptions(req.GetInfo())
	if err != nil {
		return nil, err
	}
	tc, err := toolchain.ResolveToolchain(opts)
	if err != nil {
		return nil, err
	}
	if err := tc.ValidateVenv(ctx); err != nil {
		return nil, err
	}

	// Stopped by the Cancel RPC or by the end of the Run call (the engine gave up on it).
	runCtx, cancelRun := context.WithCancel(host.cancelCtx)
	defer cancelRun()
	context.AfterFunc(ctx, cancelRun)
	cmd, err := tc.Command(runCtx, host.execArguments(req)...)
	if err != nil {
		return nil, err
	}
	cmd.Cancel = func() error {
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			return cmd.Process.Kill()
		}
		return nil
	}
	cmd.WaitDelay = killDelay
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	env := cmd.Env
	if env == nil {
		env = os.Environ()
	}
	if cmd.Env, err = programEnv(env, req); err != nil {
		return nil, err
	}

	if err := cmd.Run(); err != nil {
		// The engine shows what the program wrote before it failed: make sure it has all of it.
		_ = os.Stdout.Sync()
		_ = os.Stderr.Sync()
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			return &pulumirpc.RunResponse{
				Error: fmt.Sprintf("problem executing program (could not run language executor): %v", err),
			}, nil
		}
		waitStatus, ok := exitErr.Sys().(syscall.WaitStatus)
		switch {
		case !ok || waitStatus.ExitStatus() == 0:
			return &pulumirpc.RunResponse{Error: fmt.Sprintf("program exited unexpectedly: %v", exitErr)}, nil
		case waitStatus.ExitStatus() == bailExitCode:
			return &pulumirpc.RunResponse{Bail: true}, nil
		default:
			return &pulumirpc.RunResponse{
				Error: fmt.Sprintf("program exited with non-zero exit code: %d", waitStatus.ExitStatus()),
			}, nil
		}
	}
	return &pulumirpc.RunResponse{}, nil
}
