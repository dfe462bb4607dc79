import { MpsFpdbError } from "../errors";

/** A job the service does not know (QueryFpDBDeleteJobList lists it in `NonExistIds`). */
export class JobNotFoundError extends MpsFpdbError {
  constructor(
    message: string,
    readonly jobId: string,
  ) {
    super(message);
  }
}
