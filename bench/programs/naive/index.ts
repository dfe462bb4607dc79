import * as pulumi from "@pulumi/pulumi";
import { naiveProvider } from "../../naive/provider";

const config = new pulumi.Config();
const libraries = config.requireNumber("libraries");

// `pulumi.dynamic.Resource` is abstract in the SDK's typings; an empty subclass keeps its type token.
class NaiveLibrary extends pulumi.dynamic.Resource {}

for (let i = 0; i < libraries; i++) {
  new NaiveLibrary(naiveProvider, `naive-${i}`, { libraryName: `naive-${i}` });
}

export const count = libraries;
