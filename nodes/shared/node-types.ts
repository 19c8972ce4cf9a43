/** The one source of this package's Node-RED type names, shared by runtime code and tests. */
export const NodeType = {
  Config: "topstepx-config",
  Order: "topstepx-order",
  Market: "topstepx-market",
  Account: "topstepx-account",
  Rules: "topstepx-rules",
  Alert: "topstepx-alert",
  Group: "topstepx-group",
  Copy: "topstepx-copy",
  Replay: "topstepx-replay",
} as const;
export type NodeType = (typeof NodeType)[keyof typeof NodeType];
