export type TierStatus = { ok: true; dir: string; cli: string } | { ok: false; dir: string; reason: string };

/** The CLI folder the tier runs: REAL_ENGINE_CLI_DIR, else .cache/pulumi-cli in this clone. */
export function cliDir(): string;
/** Whether every file the tier needs is in that folder, and if not, why and what to do. */
export function tierStatus(): TierStatus;
/** This repository's root. */
export const ROOT: string;
