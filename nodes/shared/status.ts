import type { NodeStatus } from "node-red";
import type { ConnectionStatus } from "../../src/core/connection";

const MAX = 32;

function short(text: string): string {
  return text.length > MAX ? `${text.slice(0, MAX - 1)}…` : text;
}

/** The node status that shows a connection state: green connected, yellow (re)connecting, red error. */
export function connectionStatus(s: ConnectionStatus): NodeStatus {
  switch (s.state) {
    case "connected":
      return { fill: "green", shape: "dot", text: "connected" };
    case "connecting":
      return { fill: "yellow", shape: "ring", text: "connecting" };
    case "reconnecting":
      return { fill: "yellow", shape: "ring", text: "reconnecting" };
    case "error":
      return { fill: "red", shape: "ring", text: short(`error: ${s.reason ?? "unknown"}`) };
    default:
      return { fill: "grey", shape: "ring", text: "disconnected" };
  }
}

export function errorStatus(text: string): NodeStatus {
  return { fill: "red", shape: "dot", text: short(text) };
}

export function okStatus(text: string): NodeStatus {
  return { fill: "green", shape: "dot", text: short(text) };
}
