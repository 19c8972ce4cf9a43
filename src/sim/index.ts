/** The local ProjectX Gateway simulator, for tests and for paper-trading flows. */

export { PRODUCTS, type Product } from "./catalog";
export { loadSimConfigFile, parseSimConfig, SimConfig, type SimConfigInput } from "./config";
export type { FaultsRequest } from "./faults";
export { Simulator, type SimulatorOptions, startSimulator } from "./simulator";
