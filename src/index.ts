/**
 * node-red-contrib-topstepx as a library: the ProjectX Gateway wire schemas and the local gateway
 * simulator. The Node-RED nodes are registered through the package's `node-red` section.
 */

export * as core from "./core";
export * as schemas from "./core/schemas";
export { Simulator, type SimulatorOptions, startSimulator } from "./sim";
