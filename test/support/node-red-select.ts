import Module from "node:module";

/**
 * The Node-RED the tests run on. By default the project's own devDependency (4.1); with
 * TOPSTEPX_NODE_RED set to another node-red package directory (Node-RED 5 installed apart, see
 * scripts/node-red-5.sh), every `node-red`, `node-red/…` and `@node-red/…` the tests require or
 * resolve comes from there instead: the runtime the test helper drives, the core nodes the tests
 * wire in, and the red.js the editor tests spawn. Imported first by test/support/node-red.ts and
 * node-red-process.ts, so it is in place before any of those is resolved.
 */
const selected = process.env.TOPSTEPX_NODE_RED?.trim();

type Resolve = (request: string, parent: unknown, isMain: boolean, options?: { paths?: string[] }) => string;
const mod = Module as unknown as { _resolveFilename: Resolve };

if (selected) {
  const original = mod._resolveFilename;
  const from = { paths: [selected] };
  mod._resolveFilename = function (request, parent, isMain, options) {
    const ours = request === "node-red" || request.startsWith("node-red/") || request.startsWith("@node-red/");
    return original.call(this, request, parent, isMain, ours ? from : options);
  };
}

/** The version of the Node-RED the tests run on, e.g. "5.0.7". */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const nodeRedVersion: string = require("node-red/package.json").version;

/** The major version of {@link nodeRedVersion}, for a test whose behaviour differs by version. */
export const nodeRedMajor = Number(nodeRedVersion.split(".")[0]);
