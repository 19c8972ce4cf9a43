import type { Node } from "node-red";
import type { Logger } from "../../src/core/logger";
import { NodeType } from "../shared/node-types";
import { textsOf } from "../shared/texts";

const T = textsOf(NodeType.Config);

/** Node-RED's `logging` settings: one entry per log handler, each with its own level. */
export type LoggingSettings = Record<string, { level?: string } | undefined> | undefined;

/** Whether one of Node-RED's log handlers prints debug lines (its level is debug or trace). */
export function runtimeLogsDebug(logging: LoggingSettings): boolean {
  return Object.values(logging ?? {}).some((h) => h?.level === "debug" || h?.level === "trace");
}

/**
 * The core's logger for a config node, writing to Node-RED's log under the node's name. Debug
 * lines are on when the node's "Debug log" box is ticked or Node-RED already logs at debug; they
 * are written at debug level when Node-RED shows that level, and otherwise (the box ticked, Node-RED
 * at info) at info marked "debug:", so ticking the box is enough to see them.
 */
export function configLogger(node: Node, o: { debugLog: boolean; runtimeDebug: boolean }): Logger {
  const debug = o.runtimeDebug
    ? (m: string) => node.debug(m)
    : o.debugLog
      ? (m: string) => node.log(T("log.debug", { message: m }))
      : () => undefined;
  return {
    debugEnabled: o.debugLog || o.runtimeDebug,
    debug,
    info: (m) => node.log(m),
    warn: (m) => node.warn(m),
    error: (m) => node.error(m),
  };
}
