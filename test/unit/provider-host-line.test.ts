/**
 * The line Pulumi's provider host prints for a failed call (`${error}: ${error.stack}`), which reaches the CLI on the
 * stack's row with no resource attached: for a protection refusal it says what happened and names the library;
 * for the package's other errors it repeats nothing; a bug keeps its stack.
 */
import { ConfigError, DeletionProtectedError, forProviderHost } from "../../core/errors";

const hostLine = (error: unknown) => {
  const e = forProviderHost(error) as Error;
  return `${String(e)}: ${e.stack}`;
};

test("a refused replacement: its first sentence, naming the library, and no fix", () => {
  const error = new DeletionProtectedError(
    "Cannot replace library 0123abcd (catalogue-dna): `libraryName` forces a replacement, which deletes the " +
      "library and its fingerprints, and `deletionProtection` is true. To allow it, set `deletionProtection` to " +
      "false, run `pulumi up`, then retry.",
    "0123abcd",
  );
  expect(hostLine(error)).toBe(
    "[mps-fpdb] Cannot replace library 0123abcd (catalogue-dna): `libraryName` forces a replacement, which " +
      "deletes the library and its fingerprints, and `deletionProtection` is true: no call was made to MPS; the " +
      "error on the resource says how to proceed",
  );
  expect(error.message).toContain("To allow it");
});

test("a refusal of one sentence is shown whole, without its full stop", () => {
  const error = new DeletionProtectedError("library 0123abcd (catalogue-dna) is protected.", "0123abcd");
  expect(hostLine(error)).toBe(
    "[mps-fpdb] library 0123abcd (catalogue-dna) is protected: no call was made to MPS; the error on the " +
      "resource says how to proceed",
  );
});

test("the package's other errors repeat nothing of their message; a bug keeps its stack", () => {
  expect(hostLine(new ConfigError("`userData` must be at most 128 bytes"))).toBe(
    "[mps-fpdb] ConfigError: the error is reported with the resource",
  );
  const bug = new TypeError("x is undefined");
  expect(hostLine(bug)).toMatch(/^TypeError: x is undefined: TypeError: x is undefined\n\s+at /);
});
