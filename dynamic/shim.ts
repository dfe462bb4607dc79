import type * as pulumi from "@pulumi/pulumi";

/**
 * The provider object Pulumi serializes into the state of every FingerprintLibrary (twice per resource), and the
 * code the provider host runs for Delete and Read of state written long ago.
 *
 * It loads the implementation by its permanent package specifier at call time, so the serialized text captures
 * no SDK class, client, setting or secret, and fixes shipped in later releases reach resources created by earlier
 * ones. The serializer wraps every function in about 170 bytes of boilerplate, so the shim holds only two:
 * `configure`, which the provider host calls on every freshly deserialized provider before any other method
 * (Pulumi 3.139 and later, this package's peer range), installs `check`, `diff`, `read`, `update` and `delete`
 * from the implementation onto the object; `create` is required by the ResourceProvider type, so it is spelled
 * out. The specifier is written in each method because a captured module-level binding would be serialized by
 * value. Do not add behaviour here: it is frozen into users' state.
 */
export const shimProvider: pulumi.dynamic.ResourceProvider = {
  configure(req) {
    return require("pulumi-mps-fpdb/provider-impl").install(this, req);
  },
  create(inputs) {
    return require("pulumi-mps-fpdb/provider-impl").create(inputs);
  },
};
