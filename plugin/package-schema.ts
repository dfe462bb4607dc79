/**
 * The Pulumi package schema of the `mps-fpdb` provider plugin: what GetSchema returns, what `schema.json` holds
 * and what Pulumi's code generators make the SDKs from (`npm run gen:sdk`, docs/sdks.md). Every resource property
 * comes from the property table in core/schema.ts (its value type, enum, secret flag and README lines), so a
 * property is still declared once; the provider's configuration comes from the package settings
 * (core/config/settings.ts) plus the region, credentials and endpoint keys the plugin reads.
 */
import {
  deriveSchema,
  INPUTS,
  OUTPUTS,
  type InputSchema,
  type InputSpec,
  type OutputSchema,
  type OutputSpec,
  type ValueType,
} from "../core/schema";
import type { Settings } from "../core/config/settings";
import type { DeletionRecord, JobRecord } from "../core/types";

export const PACKAGE_NAME = "mps-fpdb";
export const RESOURCE_TOKEN = `${PACKAGE_NAME}:index:FingerprintLibrary`;

/** Object and enum types the properties refer to, by token. */
export const TYPE_TOKENS = {
  jobRecord: `${PACKAGE_NAME}:index:JobRecord`,
  deletionRecord: `${PACKAGE_NAME}:index:DeletionRecord`,
} as const;

/**
 * The Go module of the generated Go SDK (sdk/go). The project has no published repository host yet, so this is
 * the path the repository is meant to be published under; docs/sdks.md says how to change it.
 */
export const GO_MODULE_PATH = "github.com/mps-fpdb/pulumi-mps-fpdb/sdk/go";
/** The Go package users import: `mpsfpdb "…/sdk/go/mpsfpdb"`. */
export const GO_IMPORT_BASE_PATH = `${GO_MODULE_PATH}/mpsfpdb`;
/**
 * npm name of the generated Node.js SDK. The dynamic provider already is `pulumi-mps-fpdb`, so the plugin's SDK
 * needs another name; a suffix keeps it beside the package it replaces in a search and needs no npm scope the
 * project would have to own.
 */
export const NODEJS_PACKAGE_NAME = "pulumi-mps-fpdb-sdk";
export const PYTHON_PACKAGE_NAME = "pulumi_mps_fpdb";

/** A property of the Pulumi package schema (the subset this package uses). */
export interface PropertySpec {
  type?: "string" | "number" | "integer" | "boolean" | "array" | "object";
  $ref?: string;
  items?: PropertySpec;
  description?: string;
  secret?: boolean;
}

interface EnumTypeSpec {
  type: "string";
  description: string;
  enum: { value: string; name?: string }[];
}

interface ObjectTypeSpec {
  type: "object";
  description: string;
  properties: Record<string, PropertySpec>;
  required: string[];
}

/** Stack config keys of the provider besides the package settings, with how each is described. */
const PROVIDER_KEYS = {
  region: {
    type: "string",
    description:
      "Region of the libraries whose `region` input is unset (e.g. `cn-shanghai`); else the environment " +
      "(`ALIBABA_CLOUD_REGION`, `ALICLOUD_REGION`). Pinned in each library's state at create.",
  },
  accessKey: {
    type: "string",
    description: "AccessKey id. Set it with `secretKey` (and `securityToken` for STS credentials).",
  },
  secretKey: {
    type: "string",
    secret: true,
    description: "AccessKey secret, paired with `accessKey`. Keep it secret: `pulumi config set --secret`.",
  },
  securityToken: {
    type: "string",
    secret: true,
    description: "STS security token, with `accessKey` and `secretKey` of temporary credentials.",
  },
  profile: {
    type: "string",
    description:
      "Name of a credentials profile (Alibaba Cloud CLI config or credentials file) used when no keys are set. " +
      "A resource's own `profile` input wins.",
  },
  endpointType: {
    type: "string",
    description:
      'Default `endpointType` of the libraries that do not set it: `"public"` (`mts.<region>.aliyuncs.com`) or ' +
      '`"vpc"` (`mts-vpc.<region>.aliyuncs.com`).',
  },
} as const satisfies Record<string, PropertySpec>;

/**
 * The package settings (core/config/settings.ts) as provider config: same names, same meaning. Typed against
 * `Settings` so that a new setting does not compile until it is described here.
 */
const SETTING_KEYS = {
  endpoint: {
    type: "string",
    description:
      "Endpoint for every library of the provider (a host, host:port or https:// URL; http:// only for " +
      "loopback hosts), overriding each resource's `endpoint`. Environment fallback: `MPS_FPDB_ENDPOINT`.",
  },
  requestsPerSecond: {
    type: "number",
    description:
      "Per-action request rate the client paces itself under (default 100). Environment fallback: " +
      "`MPS_FPDB_REQUESTS_PER_SECOND`.",
  },
  connectTimeoutMs: {
    type: "integer",
    description:
      "TCP connect timeout in milliseconds (default 5000). Environment fallback: `MPS_FPDB_CONNECT_TIMEOUT_MS`.",
  },
  readTimeoutMs: {
    type: "integer",
    description:
      "Time allowed for a whole answer, in milliseconds (default 10000). Environment fallback: " +
      "`MPS_FPDB_READ_TIMEOUT_MS`.",
  },
  retryBaseMs: {
    type: "integer",
    description:
      "Backoff base for transient failures, in milliseconds (default 200). Environment fallback: " +
      "`MPS_FPDB_RETRY_BASE_MS`.",
  },
  retryThrottleBaseMs: {
    type: "integer",
    description:
      "Backoff base after throttling, in milliseconds (default 1000). Environment fallback: " +
      "`MPS_FPDB_RETRY_THROTTLE_BASE_MS`.",
  },
  retryMaxDelayMs: {
    type: "integer",
    description:
      "Cap on one backoff delay, in milliseconds (default 20000). Environment fallback: " +
      "`MPS_FPDB_RETRY_MAX_DELAY_MS`.",
  },
  maxAttempts: {
    type: "integer",
    description:
      "Attempts per call, the first included (default 8). Environment fallback: `MPS_FPDB_MAX_ATTEMPTS`.",
  },
  pollIntervalMs: {
    type: "integer",
    description:
      "When set, overrides every resource's `pollIntervalSeconds` (first look at a wait, shortest gap between " +
      "two looks), in milliseconds. Environment fallback: `MPS_FPDB_POLL_INTERVAL_MS`.",
  },
  maxPollIntervalMs: {
    type: "integer",
    description:
      "Longest gap between two looks at one wait, in milliseconds (default 30000). Environment fallback: " +
      "`MPS_FPDB_MAX_POLL_INTERVAL_MS`.",
  },
  progressIntervalMs: {
    type: "integer",
    description:
      "Spacing of progress lines per kind of wait, in milliseconds (default 10000). Environment fallback: " +
      "`MPS_FPDB_PROGRESS_INTERVAL_MS`.",
  },
} as const satisfies Record<keyof Settings, PropertySpec>;

/** The provider's configuration: the keys of the `mps-fpdb:` namespace and of an explicit provider. */
export const PROVIDER_CONFIG: Readonly<Record<string, PropertySpec>> = { ...PROVIDER_KEYS, ...SETTING_KEYS };

const JOB_RECORD_FIELDS = {
  jobId: { type: "string", description: "The job's JobId." },
  delType: { type: "string", description: "`Purge` or `Delete`." },
  status: { type: "string", description: "The job's last status seen." },
  submittedAt: { type: "string", description: "When the job was submitted (ISO 8601, UTC)." },
  finishedAt: {
    type: "string",
    description: "The job's `FinishTime` (ISO 8601, UTC), when the service gave one.",
  },
} as const satisfies Record<keyof JobRecord, PropertySpec>;
const JOB_RECORD_REQUIRED: (keyof JobRecord)[] = ["jobId", "delType", "status", "submittedAt"];

/** Enum types, one per input with a fixed set of values, named after the input (`purgeStrategy` → `PurgeStrategy`). */
function enumTypeToken(inputName: string): string {
  return `${PACKAGE_NAME}:index:${inputName[0].toUpperCase()}${inputName.slice(1)}`;
}

function ref(token: string): PropertySpec {
  return { $ref: `#/types/${token}` };
}

/** The schema type of a stored value. */
function valueType(value: ValueType, enumToken: string | undefined): PropertySpec {
  if (enumToken) return ref(enumToken);
  switch (value) {
    case "string":
    case "number":
    case "integer":
    case "boolean":
      return { type: value };
    case "json":
      return { $ref: "pulumi.json#/Any" };
    case "jobRecords":
      return { type: "array", items: ref(TYPE_TOKENS.jobRecord) };
    case "deletion":
      return ref(TYPE_TOKENS.deletionRecord);
  }
}

/**
 * `replacement (create-only)` → `Replacement (create-only).`. Links to the README's sections (`[text](#anchor)`)
 * would point nowhere in an SDK's documentation, so they become text that names the README.
 */
function sentence(text: string): string {
  const trimmed = text.trim().replace(/\[([^\]]+)\]\(#[^)]*\)/g, 'the README\'s "$1"');
  const capital = trimmed[0].toUpperCase() + trimmed.slice(1);
  return capital.endsWith(".") ? capital : `${capital}.`;
}

/** An input's description: what it is, its default and what a change of it means, from its README lines. */
export function inputDescription(spec: InputSpec): string {
  const parts: string[] = [];
  if (spec.summary) parts.push(sentence(spec.summary));
  parts.push(`Default: ${spec.readme.default}.`);
  parts.push(`A change means: ${spec.readme.change}.`);
  return parts.join(" ");
}

export function outputDescription(spec: OutputSpec): string {
  return sentence(spec.readme.meaning);
}

function inputProperty(name: string, spec: InputSpec): PropertySpec {
  return {
    ...valueType(spec.value, spec.enum ? enumTypeToken(name) : undefined),
    description: inputDescription(spec),
  };
}

function outputProperty(spec: OutputSpec): PropertySpec {
  return {
    ...valueType(spec.value, undefined),
    description: outputDescription(spec),
    ...(spec.secret ? { secret: true } : {}),
  };
}

/** The property table a schema is made from: core/schema.ts's, or a test's variation of it. */
export interface PropertyTable {
  inputs: InputSchema;
  outputs: OutputSchema;
}

const THIS_RELEASE: PropertyTable = { inputs: INPUTS, outputs: OUTPUTS };

/** The resource's output properties: the recorded inputs under their names, then the outputs of core/schema.ts. */
function outputProperties({ inputs, outputs }: PropertyTable): {
  properties: Record<string, PropertySpec>;
  required: string[];
} {
  const properties: Record<string, PropertySpec> = {};
  for (const name of deriveSchema(inputs, outputs).recorded)
    properties[name] = inputProperty(name, inputs[name]);
  for (const [name, spec] of Object.entries(outputs)) {
    // An output that is also an input (fpDbId, region) keeps the input's enum, if it has one, so SDKs show one type.
    const input = inputs[name];
    properties[name] = input?.enum
      ? { ...ref(enumTypeToken(name)), description: outputDescription(spec) }
      : outputProperty(spec);
  }
  const required = Object.keys(outputs).filter((name) => outputs[name].destroyReads === "required");
  return { properties, required };
}

function enumTypes(inputs: InputSchema): Record<string, EnumTypeSpec> {
  const types: Record<string, EnumTypeSpec> = {};
  for (const [name, spec] of Object.entries(inputs)) {
    if (!spec.enum) continue;
    types[enumTypeToken(name)] = {
      type: "string",
      description: `Values of \`${name}\`.`,
      enum: spec.enum.map((value) => ({ value })),
    };
  }
  return types;
}

function objectTypes(): Record<string, ObjectTypeSpec> {
  const deletion: Record<keyof DeletionRecord, PropertySpec> = {
    policy: { ...ref(enumTypeToken("deletionPolicy")), description: "The deletion policy in force." },
    protection: { type: "boolean", description: "Whether deletion protection is on." },
  };
  return {
    [TYPE_TOKENS.jobRecord]: {
      type: "object",
      description: "A job this resource submitted or resumed.",
      properties: JOB_RECORD_FIELDS,
      required: JOB_RECORD_REQUIRED,
    },
    [TYPE_TOKENS.deletionRecord]: {
      type: "object",
      description: "What destroy does with the library.",
      properties: deletion,
      required: ["policy", "protection"],
    },
  };
}

const DESCRIPTION =
  "Alibaba Cloud MPS media fingerprint (DNA) libraries as Pulumi resources: create or adopt a library, " +
  "empty it on a trigger, and delete it on destroy, with jobs resumed rather than submitted twice.";

/** The README a generated SDK carries: what it is, and that it needs the plugin beside it. */
function sdkReadme(install: string): string {
  return [
    `# ${PACKAGE_NAME}`,
    "",
    DESCRIPTION,
    "",
    "```sh",
    install,
    "```",
    "",
    `This SDK is generated from the package schema (\`schema.json\`) by Pulumi's code generators. Its resources are`,
    `served by the provider plugin \`pulumi-resource-${PACKAGE_NAME}\`, which Pulumi must find: install it with`,
    `\`pulumi plugin install resource ${PACKAGE_NAME} <version> --file <plugin tarball>\`, or name its folder in`,
    "Pulumi.yaml under `plugins.providers`. The repository's README and docs/sdks.md say how.",
    "",
  ].join("\n");
}

/**
 * The Pulumi package schema, for a given version (GetSchema and the SDKs carry the package.json version). `table`
 * is for tests that show a new property reaching the schema; everything else uses this release's.
 */
export function packageSchema(version?: string, table: PropertyTable = THIS_RELEASE): object {
  const inputProperties = Object.fromEntries(
    Object.entries(table.inputs).map(([name, spec]) => [name, inputProperty(name, spec)]),
  );
  const { properties, required } = outputProperties(table);
  return {
    name: PACKAGE_NAME,
    displayName: "MPS fingerprint libraries",
    ...(version ? { version } : {}),
    description: DESCRIPTION,
    keywords: ["pulumi", "alibaba-cloud", "alicloud", "mps", "fingerprint", "category/cloud", "kind/native"],
    license: "Apache-2.0",
    // The form `pulumi package gen-sdk` writes today: the SDKs carry the schema's version, and the Go SDK is a
    // module of its own (sdk/go/go.mod) rather than a part of a repository-wide one.
    meta: { supportPack: true },
    publisher: "pulumi-mps-fpdb",
    config: { variables: PROVIDER_CONFIG },
    provider: {
      description:
        "The provider of `mps-fpdb` resources; its arguments are the `mps-fpdb:` stack config keys.",
      inputProperties: PROVIDER_CONFIG,
    },
    types: { ...enumTypes(table.inputs), ...objectTypes() },
    resources: {
      [RESOURCE_TOKEN]: {
        description:
          "An MPS media fingerprint library: created (or adopted with `fpDbId`), emptied by a Purge job when " +
          "`purgeTrigger` changes, and handled on destroy by its `deletionPolicy`.",
        inputProperties,
        requiredInputs: [],
        properties,
        required,
      },
    },
    language: {
      nodejs: {
        readme: sdkReadme("npm install " + NODEJS_PACKAGE_NAME),
        packageName: NODEJS_PACKAGE_NAME,
        packageDescription: "Pulumi SDK of the mps-fpdb provider plugin (MPS fingerprint libraries).",
        respectSchemaVersion: true,
      },
      python: {
        packageName: PYTHON_PACKAGE_NAME,
        readme: sdkReadme("pip install ./sdk/python   # from a clone of the repository"),
        respectSchemaVersion: true,
        pyproject: { enabled: true },
      },
      go: {
        importBasePath: GO_IMPORT_BASE_PATH,
        rootPackageName: "mpsfpdb",
        generateResourceContainerTypes: true,
        respectSchemaVersion: true,
      },
    },
  };
}

/** `schema.json` as committed: the schema for the package's version, two-space indented, with a final newline. */
export function packageSchemaJson(version: string): string {
  return `${JSON.stringify(packageSchema(version), null, 2)}\n`;
}
