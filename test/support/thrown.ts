/** The error `fn` throws; fails the test when it returns instead, so assertions can inspect the error's fields. */
export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected a throw");
}
