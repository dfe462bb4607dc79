import { PROCESS_STATE } from "../../provider/process-state";

describe("the list of process-wide state", () => {
  it.each(PROCESS_STATE.map((entry) => [entry.name, entry.module]))(
    "names %s, which provider/%s exports",
    async (name, module) => {
      const exported = (await import(`../../provider/${module}`)) as Record<string, unknown>;
      expect(exported[name]).toBeDefined();
    },
  );
});
