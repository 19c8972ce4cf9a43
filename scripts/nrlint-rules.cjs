// nrlint rules of this package (loaded through .nrlintrc.js "plugins"): links and wires that lead
// nowhere. nrlint's own rules check names and layout, not where a link or a wire goes.
const { readFileSync } = require("node:fs");

/** The types of the nodes of other flow files a link may lead to (the starter's link nodes). */
function typesIn(files) {
  const types = new Map();
  for (const file of files ?? []) for (const n of JSON.parse(readFileSync(file, "utf8"))) types.set(n.id, n.type);
  return types;
}

const OTHER_END = { "link in": "link out", "link out": "link in", "link call": "link in" };

module.exports = {
  "no-dangling-links": {
    meta: {
      type: "problem",
      severity: "error",
      docs: { description: "every link node's links lead to a link node of the other kind" },
      options: { elsewhere: { type: "object", default: [] } },
    },
    create(context, ruleConfig) {
      const elsewhere = typesIn(ruleConfig.elsewhere);
      const typeOf = (id) => context.flows.nodes.get(id)?.type ?? elsewhere.get(id);
      function check(node) {
        const c = node.config;
        const links = Array.isArray(c.links) ? c.links : [];
        if (node.type === "link call" && c.linkType !== "dynamic" && links.length !== 1)
          context.report({ location: [node.id], message: "Link call has no target link in (and no dynamic target)" });
        for (const id of links)
          if (typeOf(id) !== OTHER_END[node.type])
            context.report({
              location: [node.id],
              message: `Link to ${id}, which is not a ${OTHER_END[node.type]} node`,
            });
      }
      return { "type:link in": check, "type:link out": check, "type:link call": check };
    },
  },
  "no-dangling-wires": {
    meta: {
      type: "problem",
      severity: "error",
      docs: { description: "every wire leads to a node of the flow" },
    },
    create(context) {
      return {
        node(node) {
          for (const port of node.wires ?? [])
            for (const id of port)
              if (!context.flows.nodes.has(id))
                context.report({ location: [node.id], message: `Wired to ${id}, which is not in the flow` });
        },
      };
    },
  },
};
