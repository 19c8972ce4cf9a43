/** The last report page of each replay node, by node id, served by the editor's admin HTTP. */
export const replayPages = new Map<string, string>();
