/**
 * The ProjectX Gateway wire format in one place: zod schemas of every request and response the
 * simulator serves and the client parses, with the numeric enums. Names follow ProjectX's spelling.
 */

export * from "./account";
export * from "./auth";
export * from "./common";
export * from "./contract";
export * from "./enums";
export * from "./history";
export * from "./order";
export * from "./position";
export * from "./realtime";
export * from "./trade";
