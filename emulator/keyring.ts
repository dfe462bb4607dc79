import { EmulatorInputError } from "./input-error";
import type { EmulatorAccount } from "./types";

/** Who a key belongs to. The secret stays inside the keyring's closure of use: signature checks. */
export interface KeyOwner {
  accountId: string;
  accessKeySecret: string;
}

/** AccessKeyId -> account and secret, built once from the `accounts` option. */
export class Keyring {
  private readonly keys = new Map<string, KeyOwner>();
  /** Account ids in option order; the first is the default owner of seeded libraries. */
  readonly accountIds: string[];

  constructor(accounts: readonly EmulatorAccount[]) {
    if (accounts.length === 0)
      throw new EmulatorInputError("Emulator option `accounts` must list at least one account.");
    const ids = new Set<string>();
    for (const account of accounts) {
      if (!account.accountId)
        throw new EmulatorInputError("Every emulator account needs a non-empty `accountId`.");
      if (ids.has(account.accountId)) {
        throw new EmulatorInputError(
          `Emulator account "${account.accountId}" is listed twice; merge its accessKeys.`,
        );
      }
      ids.add(account.accountId);
      if (account.accessKeys.length === 0) {
        throw new EmulatorInputError(
          `Emulator account "${account.accountId}" has no accessKeys; add at least one pair.`,
        );
      }
      for (const key of account.accessKeys) {
        if (!key.accessKeyId || !key.accessKeySecret) {
          throw new EmulatorInputError(
            `Emulator account "${account.accountId}" has an access key without accessKeyId or accessKeySecret.`,
          );
        }
        if (this.keys.has(key.accessKeyId)) {
          throw new EmulatorInputError(
            `AccessKeyId "${key.accessKeyId}" is listed twice in the emulator accounts; each key belongs to one account.`,
          );
        }
        this.keys.set(key.accessKeyId, {
          accountId: account.accountId,
          accessKeySecret: key.accessKeySecret,
        });
      }
    }
    this.accountIds = [...ids];
  }

  /** The owner of a key, or undefined for a key no account holds. */
  find(accessKeyId: string): KeyOwner | undefined {
    return this.keys.get(accessKeyId);
  }

  /** True when the account is configured. */
  hasAccount(accountId: string): boolean {
    return this.accountIds.includes(accountId);
  }
}
