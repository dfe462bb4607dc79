// One fingerprint library from a Go program, through the mps-fpdb provider plugin (pulumi-resource-mps-fpdb) and
// the Go SDK generated from its schema (sdk/go in the repository, package mpsfpdb).
//
// Stack config of the program (project namespace mps-fpdb-go):
//
//	libraryName    name of the library to create (default "go-catalogue")
//	trigger        the library's purgeTrigger: setting or changing it empties the library with one Purge job
//	updateTimeout  customTimeouts for that update, e.g. "10m" (default: the provider's jobTimeoutSeconds, 30 min)
//
// The provider's own settings are the stack's mps-fpdb: config (region, endpoint, accessKey, secretKey, profile,
// pollIntervalMs, ...). The program hands them to one explicit provider, "mps": a default provider would read the
// same keys, but an explicit one shows in code what the libraries run with, and a second region or account is a
// second mpsfpdb.NewProvider beside it.
package main

import (
	"strconv"

	"github.com/mps-fpdb/pulumi-mps-fpdb/sdk/go/mpsfpdb"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

// Stack is what the program declares, returned so that a test can follow the outputs.
type Stack struct {
	Provider *mpsfpdb.Provider
	Library  *mpsfpdb.FingerprintLibrary
}

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		_, err := declare(ctx)
		return err
	})
}

func declare(ctx *pulumi.Context) (*Stack, error) {
	cfg := config.New(ctx, "")
	provider, err := mpsfpdb.NewProvider(ctx, "mps", providerArgs(config.New(ctx, "mps-fpdb")))
	if err != nil {
		return nil, err
	}

	libraryName := cfg.Get("libraryName")
	if libraryName == "" {
		libraryName = "go-catalogue"
	}
	args := &mpsfpdb.FingerprintLibraryArgs{
		LibraryName: pulumi.String(libraryName),
		// Created by the stack, so destroy deletes it (the default; written out because it is what destroy does).
		DeletionPolicy: mpsfpdb.DeletionPolicyDelete,
		// userData is left unset: the provider then tags each job it submits, which lets a run that was interrupted
		// or timed out resume its job instead of submitting another.
	}
	// Left unset until the first purge: setting it for the first time empties the library too.
	if trigger := cfg.Get("trigger"); trigger != "" {
		args.PurgeTrigger = pulumi.String(trigger)
	}
	library, err := mpsfpdb.NewFingerprintLibrary(ctx, "catalogue", args,
		pulumi.Provider(provider),
		pulumi.Timeouts(&pulumi.CustomTimeouts{Update: cfg.Get("updateTimeout")}),
	)
	if err != nil {
		return nil, err
	}

	ctx.Export("fpDbId", library.FpDbId)
	ctx.Export("status", library.Status)
	ctx.Export("purgeJobId", library.PurgeJobId)
	ctx.Export("purgeJobStatus", library.PurgeJobStatus)
	return &Stack{Provider: provider, Library: library}, nil
}

// providerArgs passes on the mps-fpdb: keys the stack sets, and only those: a key left out keeps the provider's
// default (or its environment fallback, MPS_FPDB_<NAME>, ALIBABA_CLOUD_*), as for a default provider.
func providerArgs(mps *config.Config) *mpsfpdb.ProviderArgs {
	args := &mpsfpdb.ProviderArgs{
		Region:              optionalString(mps, "region"),
		Endpoint:            optionalString(mps, "endpoint"),
		Profile:             optionalString(mps, "profile"),
		AccessKey:           optionalString(mps, "accessKey"),
		PollIntervalMs:      optionalInt(mps, "pollIntervalMs"),
		MaxPollIntervalMs:   optionalInt(mps, "maxPollIntervalMs"),
		ReadTimeoutMs:       optionalInt(mps, "readTimeoutMs"),
		RetryBaseMs:         optionalInt(mps, "retryBaseMs"),
		RetryThrottleBaseMs: optionalInt(mps, "retryThrottleBaseMs"),
		RetryMaxDelayMs:     optionalInt(mps, "retryMaxDelayMs"),
		ProgressIntervalMs:  optionalInt(mps, "progressIntervalMs"),
	}
	// Read as a secret, so it stays encrypted in the state whether or not the stack set it with --secret.
	if secretKey, err := mps.TrySecret("secretKey"); err == nil {
		args.SecretKey = secretKey
	}
	if rate := mps.Get("requestsPerSecond"); rate != "" {
		if value, err := strconv.ParseFloat(rate, 64); err == nil {
			args.RequestsPerSecond = pulumi.Float64(value)
		}
	}
	return args
}

func optionalString(mps *config.Config, key string) pulumi.StringPtrInput {
	if value := mps.Get(key); value != "" {
		return pulumi.String(value)
	}
	return nil
}

func optionalInt(mps *config.Config, key string) pulumi.IntPtrInput {
	if value, err := mps.TryInt(key); err == nil {
		return pulumi.Int(value)
	}
	return nil
}
