import type { ActionHandler } from "./context";
import { createFpShotDb } from "./create-fp-shot-db";
import { listFpShotDb } from "./list-fp-shot-db";
import { queryFpDbDeleteJobList } from "./query-fp-db-delete-job-list";
import { submitFpDbDeleteJob } from "./submit-fp-db-delete-job";

/** The actions the emulator serves; any other is answered 404 InvalidAction.NotFound. */
export const ACTIONS: Readonly<Record<string, ActionHandler>> = {
  CreateFpShotDB: createFpShotDb,
  ListFpShotDB: listFpShotDb,
  SubmitFpDBDeleteJob: submitFpDbDeleteJob,
  QueryFpDBDeleteJobList: queryFpDbDeleteJobList,
};

/** The handler of an action name, if served. */
export function findAction(action: string): ActionHandler | undefined {
  return Object.prototype.hasOwnProperty.call(ACTIONS, action) ? ACTIONS[action] : undefined;
}
