package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// mocks records every registration and answers as the plugin would: the library's outputs are its inputs plus
// what the service reports, and its id is the library id.
type mocks struct {
	mu         sync.Mutex
	registered map[string]pulumi.MockResourceArgs
}

func (m *mocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.registered[args.Name] = args
	state := args.Inputs.Copy()
	switch args.TypeToken {
	case "pulumi:providers:mps-fpdb":
		return "provider-id", state, nil
	case "mps-fpdb:index:FingerprintLibrary":
		id := "fpdb-" + args.Name
		state["fpDbId"] = resource.NewProperty(id)
		state["status"] = resource.NewProperty("active")
		state["adopted"] = resource.NewProperty(false)
		state["region"] = resource.NewProperty("cn-hangzhou")
		return id, state, nil
	}
	return "", nil, errors.New("unexpected resource type " + args.TypeToken)
}

func (m *mocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return nil, errors.New("the program calls no function, got " + args.Token)
}

type resolved struct {
	id, fpDbID, status, providerURN, providerID string
}

// run runs the program under Pulumi's mocks with the given stack config (secret keys listed) and returns what
// it registered and what its outputs resolved to.
func run(t *testing.T, cfg map[string]string, secretKeys []string) (map[string]pulumi.MockResourceArgs, resolved) {
	t.Helper()
	configJSON, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	keysJSON, err := json.Marshal(secretKeys)
	if err != nil {
		t.Fatal(err)
	}
	// The Go SDK reads the stack config from these, as a program run by the language host does.
	t.Setenv("PULUMI_CONFIG", string(configJSON))
	t.Setenv("PULUMI_CONFIG_SECRET_KEYS", string(keysJSON))

	m := &mocks{registered: map[string]pulumi.MockResourceArgs{}}
	var out resolved
	var mu sync.Mutex
	err = pulumi.RunErr(func(ctx *pulumi.Context) error {
		stack, err := declare(ctx)
		if err != nil {
			return err
		}
		lib := stack.Library
		pulumi.All(lib.ID(), lib.FpDbId, lib.Status, stack.Provider.URN(), stack.Provider.ID()).ApplyT(
			func(values []any) error {
				mu.Lock()
				defer mu.Unlock()
				out = resolved{
					id:          string(values[0].(pulumi.ID)),
					fpDbID:      values[1].(string),
					status:      *values[2].(*string),
					providerURN: string(values[3].(pulumi.URN)),
					providerID:  string(values[4].(pulumi.ID)),
				}
				return nil
			})
		return nil
	}, pulumi.WithMocks("mps-fpdb-go", "test", m))
	if err != nil {
		t.Fatalf("the program failed under mocks: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	return m.registered, out
}

// sdkVersion is the plugin version the SDK in the repository names (the replace directive of go.mod points there).
func sdkVersion(t *testing.T) string {
	t.Helper()
	text, err := os.ReadFile(filepath.Join("..", "..", "sdk", "go", "mpsfpdb", "pulumi-plugin.json"))
	if err != nil {
		t.Fatal(err)
	}
	var plugin struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(text, &plugin); err != nil || plugin.Version == "" {
		t.Fatalf("no version in the SDK's pulumi-plugin.json: %v", err)
	}
	return plugin.Version
}

func keys(props resource.PropertyMap) []string {
	names := make([]string, 0, len(props))
	for key := range props {
		names = append(names, string(key))
	}
	sort.Strings(names)
	return names
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestLibraryAndExplicitProviderFromStackConfig(t *testing.T) {
	registered, out := run(t, map[string]string{
		"mps-fpdb:region":            "cn-hangzhou",
		"mps-fpdb:endpoint":          "http://127.0.0.1:8080",
		"mps-fpdb:accessKey":         "LTAI-test",
		"mps-fpdb:secretKey":         "test-secret",
		"mps-fpdb:pollIntervalMs":    "20",
		"mps-fpdb:requestsPerSecond": "12.5",
		"mps-fpdb-go:libraryName":    "go-test-catalogue",
		"mps-fpdb-go:trigger":        "r1",
		"mps-fpdb-go:updateTimeout":  "3s",
	}, []string{"mps-fpdb:secretKey"})

	if len(registered) != 2 {
		t.Fatalf("registered %d resources, want the provider and the library: %v", len(registered), registered)
	}

	provider := registered["mps"]
	if provider.TypeToken != "pulumi:providers:mps-fpdb" || !provider.Custom {
		t.Errorf("provider registered as %q (custom %v), want pulumi:providers:mps-fpdb", provider.TypeToken, provider.Custom)
	}
	// The keys of the plugin's config, camelCase as the schema spells them; unset ones are not sent at all.
	wantProviderKeys := []string{"accessKey", "endpoint", "pollIntervalMs", "region", "requestsPerSecond", "secretKey"}
	if got := keys(provider.Inputs); !equal(got, wantProviderKeys) {
		t.Errorf("provider inputs %v, want %v", got, wantProviderKeys)
	}
	if got := provider.Inputs["region"]; !got.IsString() || got.StringValue() != "cn-hangzhou" {
		t.Errorf("provider region %v", got)
	}
	if got := provider.Inputs["endpoint"]; !got.IsString() || got.StringValue() != "http://127.0.0.1:8080" {
		t.Errorf("provider endpoint %v", got)
	}
	if got := provider.Inputs["pollIntervalMs"]; !got.IsNumber() || got.NumberValue() != 20 {
		t.Errorf("provider pollIntervalMs %v, want the number 20", got)
	}
	if got := provider.Inputs["requestsPerSecond"]; !got.IsNumber() || got.NumberValue() != 12.5 {
		t.Errorf("provider requestsPerSecond %v, want the number 12.5", got)
	}
	secret := provider.Inputs["secretKey"]
	if !secret.IsSecret() || secret.SecretValue().Element.StringValue() != "test-secret" {
		t.Errorf("provider secretKey %v, want a secret holding the configured value", secret)
	}

	// The engine picks the plugin by the version the SDK asks for: the one the SDK was generated with.
	version := sdkVersion(t)
	if got := provider.RegisterRPC.GetVersion(); got != version {
		t.Errorf("provider registered for plugin version %q, want the SDK's %q", got, version)
	}

	library := registered["catalogue"]
	if got := library.RegisterRPC.GetVersion(); got != version {
		t.Errorf("library registered for plugin version %q, want the SDK's %q", got, version)
	}
	if library.TypeToken != "mps-fpdb:index:FingerprintLibrary" || !library.Custom {
		t.Errorf("library registered as %q (custom %v)", library.TypeToken, library.Custom)
	}
	wantLibraryKeys := []string{"deletionPolicy", "libraryName", "purgeTrigger"}
	if got := keys(library.Inputs); !equal(got, wantLibraryKeys) {
		t.Errorf("library inputs %v, want %v", got, wantLibraryKeys)
	}
	for key, want := range map[string]string{
		"libraryName":    "go-test-catalogue",
		"purgeTrigger":   "r1",
		"deletionPolicy": "Delete",
	} {
		if got := library.Inputs[resource.PropertyKey(key)]; !got.IsString() || got.StringValue() != want {
			t.Errorf("library input %s = %v, want %q", key, got, want)
		}
	}
	// The library goes to the explicit provider, named as the engine names a provider reference: URN::id.
	if want := out.providerURN + "::" + out.providerID; library.Provider != want {
		t.Errorf("library provider %q, want %q", library.Provider, want)
	}
	if got := library.RegisterRPC.GetCustomTimeouts().GetUpdate(); got != "3s" {
		t.Errorf("library customTimeouts.update %q, want 3s", got)
	}

	// The outputs the program exports come from the provider's answer.
	if out.id != "fpdb-catalogue" || out.fpDbID != "fpdb-catalogue" || out.status != "active" {
		t.Errorf("outputs id %q fpDbId %q status %q, want the library id twice and active", out.id, out.fpDbID, out.status)
	}
}

func TestDefaultsWithoutConfig(t *testing.T) {
	registered, _ := run(t, map[string]string{}, nil)

	provider := registered["mps"]
	// Nothing set: the provider gets no settings and falls back to its environment, as a default provider does.
	if got := keys(provider.Inputs); len(got) != 0 {
		t.Errorf("provider inputs %v, want none", got)
	}
	library := registered["catalogue"]
	if got := keys(library.Inputs); !equal(got, []string{"deletionPolicy", "libraryName"}) {
		t.Errorf("library inputs %v: purgeTrigger must stay unset until the stack sets it", got)
	}
	if got := library.Inputs["libraryName"]; got.StringValue() != "go-catalogue" {
		t.Errorf("default libraryName %v, want go-catalogue", got)
	}
	if got := library.RegisterRPC.GetCustomTimeouts().GetUpdate(); got != "" {
		t.Errorf("customTimeouts.update %q, want none", got)
	}
}
