/**
 * Bad emulator configuration (options, CLI flags, admin calls). The HTTP admin API answers it with 400.
 */
export class EmulatorInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EmulatorInputError";
  }
}
