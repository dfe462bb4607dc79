/**
 * Hand-edited state (issue 9): a library's state is edited the way a `pulumi stack export` / edit / `import` can
 * leave it (fields removed, changed, mistyped), then the engine's Delete for it reaches Pulumi's real provider
 * host. Each row must be refused before any API call, naming the field, or handled safely: a library the stack
 * did not create is never deleted, a library whose protection or policy cannot be read for certain is never
 * deleted, and nothing reports a library gone that still exists.
 *
 * The provider sees only the state (Pulumi's dynamic-provider host passes Delete the outputs, not the old inputs),
 * so a field removed from it must be one the provider can tell is missing: `deletionPolicy` and
 * `deletionProtection` set in the program and then removed from the state must not turn into "Delete".
 */
import type { Props } from "../../harness/host-client";
import { LifecycleFixture, type Deployed } from "../support/lifecycle";

/** How a row must end. */
type Expectation =
  /** Delete fails, the message names `field`, no request reached MPS, the library is intact. */
  | { kind: "refused"; field: string }
  /** Whatever the call answers, the library is intact and no Delete or Purge job was submitted for it. */
  | { kind: "survives" }
  /** Delete fails with a message naming the library's id; the library is intact and has no job. */
  | { kind: "fails-naming-library" }
  /** Either refused as above (naming `field`), or deleted with exactly one Delete job. */
  | { kind: "refused-or-deleted-once"; field: string };

interface Row {
  title: string;
  /** Adopt a seeded library by `fpDbId`, or create one. */
  setup: "adopted" | "created";
  /** Extra inputs of the resource. */
  inputs?: Props;
  edit: (outputs: Props) => void;
  expect: Expectation;
}

const ROWS: Row[] = [
  {
    title: "`adopted` removed from an adopted library",
    setup: "adopted",
    edit: (o) => delete o.adopted,
    expect: { kind: "refused", field: "adopted" },
  },
  {
    title: "`adopted` removed from a created library",
    setup: "created",
    edit: (o) => delete o.adopted,
    expect: { kind: "refused", field: "adopted" },
  },
  {
    title: '`adopted` changed to the string "true"',
    setup: "adopted",
    edit: (o) => (o.adopted = "true"),
    expect: { kind: "refused", field: "adopted" },
  },
  {
    title: "`deletionPolicy` removed from an adopted library (Retain by default)",
    setup: "adopted",
    edit: (o) => delete o.deletionPolicy,
    expect: { kind: "survives" },
  },
  {
    title: '`deletionPolicy` "Retain" removed from a created library\'s state',
    setup: "created",
    inputs: { deletionPolicy: "Retain" },
    edit: (o) => delete o.deletionPolicy,
    expect: { kind: "survives" },
  },
  {
    title: '`deletionPolicy` changed to "delete" (wrong case)',
    setup: "created",
    edit: (o) => (o.deletionPolicy = "delete"),
    expect: { kind: "refused", field: "deletionPolicy" },
  },
  {
    title: "`deletionProtection` true removed from a created library's state",
    setup: "created",
    inputs: { deletionProtection: true },
    edit: (o) => delete o.deletionProtection,
    expect: { kind: "survives" },
  },
  {
    title: '`deletionProtection` changed to the string "yes"',
    setup: "created",
    inputs: { deletionProtection: true },
    edit: (o) => (o.deletionProtection = "yes"),
    expect: { kind: "refused", field: "deletionProtection" },
  },
  {
    title: "`fpDbId` with a trailing space",
    setup: "created",
    edit: (o) => (o.fpDbId = `${String(o.fpDbId)} `),
    expect: { kind: "fails-naming-library" },
  },
  {
    title: "`fpDbId` removed",
    setup: "created",
    edit: (o) => delete o.fpDbId,
    expect: { kind: "refused", field: "fpDbId" },
  },
  {
    title: "`region` removed",
    setup: "created",
    edit: (o) => delete o.region,
    expect: { kind: "refused", field: "region" },
  },
  {
    title: '`jobHistory` replaced by the string "garbage"',
    setup: "created",
    edit: (o) => (o.jobHistory = "garbage"),
    expect: { kind: "refused", field: "jobHistory" },
  },
  {
    title: "`jobHistory` holding malformed entries",
    setup: "created",
    edit: (o) => (o.jobHistory = [{ jobId: 5, delType: "Nuke" }, null, "x"]),
    expect: { kind: "refused-or-deleted-once", field: "jobHistory" },
  },
  {
    title: "`schemaVersion` from a newer release",
    setup: "created",
    edit: (o) => (o.schemaVersion = 99),
    expect: { kind: "refused", field: "schema" },
  },
];

let fixture: LifecycleFixture;

beforeAll(async () => {
  fixture = await LifecycleFixture.start({ emulator: { quota: 100 } });
}, 60_000);

afterAll(() => fixture.close());

async function setUp(row: Row, name: string): Promise<{ resource: Deployed; fpDbId: string }> {
  if (row.setup === "adopted") {
    const fpDbId = fixture.emulator.admin.seedLibrary({ name: `seeded-${name}` });
    const resource = await fixture.create(name, { fpDbId, ...row.inputs });
    return { resource, fpDbId };
  }
  const resource = await fixture.create(name, { ...row.inputs });
  return { resource, fpDbId: resource.id };
}

it.each(ROWS.map((row, i) => [row.title, row, i] as const))(
  "%s: refused before any API call or handled safely",
  async (_title, row, i) => {
    const name = `edited-${i}`;
    const { resource, fpDbId } = await setUp(row, name);
    const outputs = structuredClone(resource.outputs);
    row.edit(outputs);
    const seen = fixture.emulator.admin.requests().length;
    const error = await fixture.delete({ ...resource, outputs }).then(
      () => undefined,
      (e: unknown) => e,
    );
    const requests = fixture.emulator.admin.requests().slice(seen);
    const library = fixture.emulator.admin.state().libraries.find((lib) => lib.fpDbId === fpDbId);
    const jobs = fixture.jobs(fpDbId).filter((j) => j.delType === "Delete" || j.delType === "Purge");
    const message = error instanceof Error ? error.message : "";
    const intact = { deleted: library?.deleted, jobs: jobs.map((j) => j.delType) };
    switch (row.expect.kind) {
      case "refused":
        expect(error).toBeInstanceOf(Error);
        expect(message).toContain(row.expect.field);
        expect(requests.map((r) => r.action)).toEqual([]);
        expect(intact).toEqual({ deleted: false, jobs: [] });
        break;
      case "survives":
        expect(intact).toEqual({ deleted: false, jobs: [] });
        break;
      case "fails-naming-library":
        expect(error).toBeInstanceOf(Error);
        expect(message).toContain(fpDbId);
        expect(intact).toEqual({ deleted: false, jobs: [] });
        break;
      case "refused-or-deleted-once":
        if (error === undefined) {
          expect(jobs.map((j) => j.delType)).toEqual(["Delete"]);
          expect(library?.deleted).toBe(true);
        } else {
          expect(message).toContain(row.expect.field);
          expect(requests.map((r) => r.action)).toEqual([]);
          expect(intact).toEqual({ deleted: false, jobs: [] });
        }
        break;
    }
    // No job was accepted for any other library.
    const strays = requests.filter(
      (r) => r.action === "SubmitFpDBDeleteJob" && r.status === 200 && r.query.FpDBId !== fpDbId,
    );
    expect(strays.map((r) => r.query.FpDBId)).toEqual([]);
  },
  30_000,
);
