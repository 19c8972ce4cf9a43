import type { NodeStatus } from "node-red";
import type { ConnectionStatus } from "../../src/core/connection";
import { commonText } from "./texts";

/** The longest status text a node shows: beyond it a status hides the nodes beside it. */
export const STATUS_MAX = 44;

function short(text: string): string {
  return text.length > STATUS_MAX ? `${text.slice(0, STATUS_MAX - 1)}…` : text;
}

/**
 * A status text of parts in order of importance, joined by " · ": the parts that no longer fit
 * within STATUS_MAX are left off, the first one shortened only when it alone is too long.
 */
export function statusText(...parts: Array<string | false | null | undefined>): string {
  let text = "";
  for (const p of parts) {
    if (!p) continue;
    if (!text) text = short(p);
    else if (text.length + 3 + p.length <= STATUS_MAX) text = `${text} · ${p}`;
  }
  return text;
}

/** The same status with its text within STATUS_MAX. */
export function capped(s: NodeStatus): NodeStatus {
  return s.text === undefined || String(s.text).length <= STATUS_MAX ? s : { ...s, text: short(String(s.text)) };
}

/** The node status that shows a connection state: green connected, yellow (re)connecting, red error. */
export function connectionStatus(s: ConnectionStatus): NodeStatus {
  switch (s.state) {
    case "connected":
      return { fill: "green", shape: "dot", text: commonText("common.status.connected") };
    case "connecting":
      return { fill: "yellow", shape: "ring", text: commonText("common.status.connecting") };
    case "reconnecting":
      return { fill: "yellow", shape: "ring", text: commonText("common.status.reconnecting") };
    case "error":
      return {
        fill: "red",
        shape: "ring",
        text: short(commonText("common.status.error", { reason: s.reason ?? commonText("common.status.unknown") })),
      };
    default:
      return { fill: "grey", shape: "ring", text: commonText("common.status.disconnected") };
  }
}

/** A red status of a text already in the trader's language (a catalogue text, or a reason it carries). */
export function errorStatus(text: string): NodeStatus {
  return { fill: "red", shape: "dot", text: short(text) };
}

/** A green status of a text already in the trader's language. */
export function okStatus(text: string): NodeStatus {
  return { fill: "green", shape: "dot", text: short(text) };
}
