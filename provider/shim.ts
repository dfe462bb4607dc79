import type * as pulumi from "@pulumi/pulumi";

/**
 * The provider object Pulumi serializes into the state of every FingerprintLibrary (twice per resource), and the
 * code the provider host runs for Delete and Read of state written long ago.
 *
 * Each method loads the implementation by its permanent package specifier at call time, so the serialized text is
 * about 1 KB, captures no SDK class, client, setting or secret, and a fix to Delete shipped in a later release
 * reaches resources created by earlier ones. The specifier is spelled out in every method because a captured
 * module-level binding would be serialized by value. Do not add behaviour here: it is frozen into users' state.
 */
export const shimProvider: pulumi.dynamic.ResourceProvider = {
  configure(req) {
    return require("pulumi-mps-fpdb/provider-impl").provider.configure(req);
  },
  check(olds, news) {
    return require("pulumi-mps-fpdb/provider-impl").provider.check(olds, news);
  },
  diff(id, olds, news) {
    return require("pulumi-mps-fpdb/provider-impl").provider.diff(id, olds, news);
  },
  create(inputs) {
    return require("pulumi-mps-fpdb/provider-impl").provider.create(inputs);
  },
  read(id, props) {
    return require("pulumi-mps-fpdb/provider-impl").provider.read(id, props);
  },
  update(id, olds, news) {
    return require("pulumi-mps-fpdb/provider-impl").provider.update(id, olds, news);
  },
  delete(id, props) {
    return require("pulumi-mps-fpdb/provider-impl").provider.delete(id, props);
  },
};
