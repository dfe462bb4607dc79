import { MpsApiError } from "../errors";
import { isAuthenticationCode } from "./error-mapping";
import type { MpsApi } from "./types";

/**
 * Adds to an authentication failure what the engine does with credentials kept in stack config: `pulumi destroy`
 * and `pulumi refresh` configure the provider from the config stored at the last `pulumi up`, not from the current
 * stack config, so a key rotated since then is not seen. The provider cannot tell which command runs it, so the
 * hint is worded as a possibility, with the ways on. Credentials from the environment or a profile are read fresh
 * by every command, so they get no hint.
 */
export function withStoredConfigHint(api: MpsApi, credentialsSource: string): MpsApi {
  if (!credentialsSource.startsWith("stack config")) return api;
  const hint =
    ` The credentials come from ${credentialsSource}. If this is \`pulumi destroy\` or \`pulumi refresh\`, they ` +
    "are the ones stored with the stack at the last `pulumi up`, not the current stack config: after rotating a " +
    "key, run `pulumi up` first (it stores the new config), or run the command with `--run-program`. Credentials " +
    "in the environment (ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET) are read fresh by every " +
    "command, which avoids this.";
  const explain = (err: unknown): never => {
    if (err instanceof MpsApiError && isAuthenticationCode(err.code))
      throw err.withMessage(err.message + hint);
    throw err;
  };
  return {
    createFpShotDb: (request) => api.createFpShotDb(request).catch(explain),
    listFpShotDb: (ids) => api.listFpShotDb(ids).catch(explain),
    submitFpDbDeleteJob: (request) => api.submitFpDbDeleteJob(request).catch(explain),
    queryFpDbDeleteJobList: (ids) => api.queryFpDbDeleteJobList(ids).catch(explain),
  };
}
