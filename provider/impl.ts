import { FingerprintLibraryProvider } from "./provider";

/**
 * The implementation behind `pulumi-mps-fpdb/provider-impl`, the specifier every serialized FingerprintLibrary
 * shim requires at call time. Permanent: state written by any release names it, so it must keep exporting a
 * `provider` with the dynamic-provider methods for as long as such state can exist.
 */
export const provider = new FingerprintLibraryProvider();
