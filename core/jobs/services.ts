/**
 * The clients an operation uses for one endpoint and identity. The provider context builds and caches them; the
 * type lives here, beside the watchers it holds, so that the job code taking it (resume.ts) needs nothing from
 * the context above it.
 */
import type { MpsApi } from "../client/types";
import type { JobWatcher, LibraryWatcher } from "./watchers";

/** Everything an operation needs to talk to one endpoint as one identity. */
export interface Services {
  api: MpsApi;
  jobs: JobWatcher;
  libraries: LibraryWatcher;
  /** The endpoint URL, for messages. */
  endpoint: string;
}
