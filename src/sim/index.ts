/** The local ProjectX Gateway simulator, for tests and for paper-trading flows. */
export { Simulator, startSimulator, type SimulatorOptions } from "./simulator";
export { SimConfig, parseSimConfig, loadSimConfigFile, type SimConfigInput } from "./config";
export { PRODUCTS, type Product } from "./catalog";
export type { FaultsRequest } from "./faults";
