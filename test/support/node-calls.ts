interface Spied {
  getCalls(): Array<{ thisValue: { id?: string } | null; args: unknown[] }>;
}

/**
 * The calls of a Node method (status, error, warn, send) made by this node. The test helper spies
 * on Node.prototype, so a node's own spy also holds every other node's calls.
 */
export function callsOn(node: { id: string }, method: "status" | "error" | "warn" | "send"): unknown[][] {
  return (node as unknown as Record<string, Spied>)
    [method]!.getCalls()
    .filter((c) => c.thisValue?.id === node.id)
    .map((c) => c.args);
}

/** The latest status this node showed. */
export function statusOf(node: { id: string }): { fill?: string; shape?: string; text?: string } {
  return (callsOn(node, "status").at(-1)?.[0] ?? {}) as { fill?: string; shape?: string; text?: string };
}
