package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// signalWriter collects what the program writes and closes `seen` once `want` has appeared.
type signalWriter struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	want string
	seen chan struct{}
	once sync.Once
}

func (w *signalWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.buf.Write(p)
	if w.want != "" && strings.Contains(w.buf.String(), w.want) {
		w.once.Do(func() { close(w.seen) })
	}
	return n, err
}

func (w *signalWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

func testHost(t *testing.T, out *signalWriter) *host {
	t.Helper()
	h := newHost("")
	h.stdout, h.stderr = out, out
	return h
}

func runRequest(t *testing.T, program string, options map[string]any) *pulumirpc.RunRequest {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("testdata", program))
	if err != nil {
		t.Fatal(err)
	}
	opts, err := structpb.NewStruct(options)
	if err != nil {
		t.Fatal(err)
	}
	return &pulumirpc.RunRequest{
		Project:          "proj",
		Stack:            "dev",
		Pwd:              dir,
		Config:           map[string]string{"proj:name": "x", "mps-fpdb:secretKey": "s"},
		ConfigSecretKeys: []string{"mps-fpdb:secretKey"},
		DryRun:           true,
		Parallel:         16,
		MonitorAddress:   "127.0.0.1:1234",
		Info:             &pulumirpc.ProgramInfo{RootDirectory: dir, ProgramDirectory: dir, EntryPoint: ".", Options: opts},
	}
}

// reported is the environment the program wrote to TEST_OUT.
func reported(t *testing.T, file string) map[string]string {
	t.Helper()
	text, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	values := map[string]string{}
	for _, line := range strings.Split(string(text), "\n") {
		if key, value, ok := strings.Cut(line, "="); ok {
			values[key] = value
		}
	}
	return values
}

func TestRunHandsTheProgramWhatPulumiRunReads(t *testing.T) {
	out := filepath.Join(t.TempDir(), "env")
	t.Setenv("TEST_OUT", out)
	t.Setenv("TEST_MODE", "0")
	t.Setenv("PULUMI_ORGANIZATION", "")
	h := testHost(t, &signalWriter{})
	if _, err := h.Handshake(context.Background(), &pulumirpc.LanguageHandshakeRequest{EngineAddress: ""}); err == nil {
		t.Fatal("a handshake without the engine's address must fail")
	}
	req := runRequest(t, "program", map[string]any{})
	resp, err := h.Run(context.Background(), req)
	if err != nil || resp.GetError() != "" || resp.GetBail() {
		t.Fatalf("Run = %v, %v; want success", resp, err)
	}
	env := reported(t, out)
	// The names are the Go SDK's own, the ones pulumi.Run reads.
	want := map[string]string{
		pulumi.EnvProject:             "proj",
		pulumi.EnvStack:               "dev",
		pulumi.EnvPulumiRootDirectory: req.Info.RootDirectory,
		pulumi.EnvConfig:              `{"mps-fpdb:secretKey":"s","proj:name":"x"}`,
		pulumi.EnvConfigSecretKeys:    `["mps-fpdb:secretKey"]`,
		pulumi.EnvDryRun:              "true",
		pulumi.EnvParallel:            "16",
		pulumi.EnvMonitor:             "127.0.0.1:1234",
		"cwd":                         req.Pwd,
	}
	for key, value := range want {
		if env[key] != value {
			t.Errorf("%s = %q, want %q", key, env[key], value)
		}
	}
	// Empty values are left out, as upstream: no organization here, no engine before a handshake.
	for _, key := range []string{pulumi.EnvOrganization, pulumi.EnvEngine} {
		if value, ok := env[key]; ok && value != "" {
			t.Errorf("%s = %q, want it unset", key, value)
		}
	}

	// After a handshake, the program gets the engine's address too.
	if _, err := h.Handshake(context.Background(), &pulumirpc.LanguageHandshakeRequest{EngineAddress: "127.0.0.1:9"}); err != nil {
		t.Fatal(err)
	}
	env2, err := h.programEnv(req)
	if err != nil {
		t.Fatal(err)
	}
	if !contains(env2, pulumi.EnvEngine+"=127.0.0.1:9") {
		t.Errorf("no %s after the handshake", pulumi.EnvEngine)
	}
}

func contains(list []string, item string) bool {
	for _, x := range list {
		if x == item {
			return true
		}
	}
	return false
}

func TestRunMapsExitCodes(t *testing.T) {
	t.Setenv("TEST_OUT", filepath.Join(t.TempDir(), "env"))
	h := testHost(t, &signalWriter{})
	// A build target keeps the executable, so the three runs build once; it also proves that option.
	target := filepath.Join(t.TempDir(), "program")
	req := runRequest(t, "program", map[string]any{"buildTarget": target})
	for mode, check := range map[string]func(*pulumirpc.RunResponse) bool{
		"0":  func(r *pulumirpc.RunResponse) bool { return r.GetError() == "" && !r.GetBail() },
		"32": func(r *pulumirpc.RunResponse) bool { return r.GetError() == "" && r.GetBail() },
		"3": func(r *pulumirpc.RunResponse) bool {
			return r.GetError() == "program exited with non-zero exit code: 3"
		},
	} {
		t.Setenv("TEST_MODE", mode)
		resp, err := h.Run(context.Background(), req)
		if err != nil || !check(resp) {
			t.Errorf("exit %s: Run = %v, %v", mode, resp, err)
		}
	}
	if _, err := os.Stat(target); err != nil {
		t.Errorf("the build target was not kept: %v", err)
	}

	// runtime.options.binary runs that executable and builds nothing.
	t.Setenv("TEST_MODE", "32")
	resp, err := h.Run(context.Background(), runRequest(t, "broken", map[string]any{"binary": target}))
	if err != nil || !resp.GetBail() {
		t.Errorf("binary option: Run = %v, %v", resp, err)
	}
	if _, err := h.Run(context.Background(), runRequest(t, "program", map[string]any{"binary": "a", "buildTarget": "b"})); err == nil ||
		err.Error() != "binary and buildTarget cannot both be specified" {
		t.Errorf("both options: %v", err)
	}
}

func TestBuildFailureIsTheCallsError(t *testing.T) {
	out := &signalWriter{}
	h := testHost(t, out)
	_, err := h.Run(context.Background(), runRequest(t, "broken", map[string]any{}))
	if err == nil || !strings.Contains(err.Error(), "error in compiling Go") || !strings.Contains(err.Error(), "undefinedFunction") {
		t.Fatalf("Run of a program that does not compile: %v", err)
	}
}

func TestCancelInterruptsTheProgram(t *testing.T) {
	t.Setenv("TEST_OUT", filepath.Join(t.TempDir(), "env"))
	t.Setenv("TEST_MODE", "wait")
	out := &signalWriter{want: "ready", seen: make(chan struct{})}
	h := testHost(t, out)
	done := make(chan *pulumirpc.RunResponse)
	go func() {
		resp, err := h.Run(context.Background(), runRequest(t, "program", map[string]any{}))
		if err != nil {
			t.Error(err)
		}
		done <- resp
	}()
	<-out.seen
	if _, err := h.Cancel(context.Background(), &emptypb.Empty{}); err != nil {
		t.Fatal(err)
	}
	resp := <-done
	// SIGINT, not SIGKILL: the program saw it and chose its exit code.
	if !strings.Contains(out.String(), "interrupted") || resp.GetError() != "program exited with non-zero exit code: 7" {
		t.Errorf("after Cancel: %v, output %q", resp, out.String())
	}
}

func TestRequiredPackagesFromPulumiPluginJSON(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module prog\n\ngo 1.25.11\n\nrequire (\n\texample.com/plugsdk v0.0.0\n\texample.com/other v0.0.0\n)\n\n"+
		"replace example.com/plugsdk => ./plugsdk\n\nreplace example.com/other => ./other\n")
	write("plugsdk/go.mod", "module example.com/plugsdk\n")
	write("plugsdk/demo/pulumi-plugin.json", `{"resource": true, "name": "demo", "version": "1.2.3"}`)
	write("other/go.mod", "module example.com/other\n")
	h := testHost(t, &signalWriter{})
	resp, err := h.GetRequiredPackages(context.Background(), &pulumirpc.GetRequiredPackagesRequest{
		Info: &pulumirpc.ProgramInfo{ProgramDirectory: dir, RootDirectory: dir},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Packages) != 1 || resp.Packages[0].Name != "demo" || resp.Packages[0].Version != "1.2.3" ||
		resp.Packages[0].Kind != "resource" {
		t.Errorf("packages %v, want demo 1.2.3 alone", resp.Packages)
	}

	// A folder that is no Go module needs nothing, as upstream.
	resp, err = h.GetRequiredPackages(context.Background(), &pulumirpc.GetRequiredPackagesRequest{
		Info: &pulumirpc.ProgramInfo{ProgramDirectory: t.TempDir()},
	})
	if err != nil || len(resp.Packages) != 0 {
		t.Errorf("outside a module: %v, %v", resp, err)
	}
}

func TestPluginInfoIsTheStampedVersion(t *testing.T) {
	info, err := testHost(t, &signalWriter{}).GetPluginInfo(context.Background(), &emptypb.Empty{})
	if err != nil || info.Version != version {
		t.Errorf("GetPluginInfo = %v, %v", info, err)
	}
}
