import { PROCESS_STATE } from "../../core/process-state";

describe("the list of process-wide state", () => {
  it.each(PROCESS_STATE.map((entry) => [entry.name, entry.module]))(
    "names %s, which %s exports",
    async (name, module) => {
      const exported = (await import(`../../${module}`)) as Record<string, unknown>;
      expect(exported[name]).toBeDefined();
    },
  );
});
