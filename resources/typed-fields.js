/*
 * The order and rules dialogs' typed fields, shared: the rule each constant must meet (the runtime's,
 * nodes/shared/typed-props.ts), and validators that give the editor the reason a value is refused.
 * Node-RED serves this file at resources/node-red-contrib-topstepx/typed-fields.js.
 */
(function () {
  var RULES = {
    wholeAtLeastOne: function (n) { return Number.isInteger(n) && n >= 1; },
    positive: function (n) { return n > 0; },
    atLeastZero: function (n) { return n >= 0; },
    text: function () { return true; }
  };
  var ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
  var ENV_REF = /^\$\{[^}]+\}$/;

  /**
   * The typed fields of one node type. `fields`: name → { rule, plain ("num" | "str"), label? (the
   * key under "<type>.label", the name when absent) }.
   */
  window.TopstepxTypedFields = function (nodeType, fields) {
    function typeOf(node, field) {
      return $("#node-input-" + field + "Type").val() || node[field + "Type"] || fields[field].plain;
    }
    /** Why a value of this type is refused: a key of the "validation" catalogue, or null. */
    function reason(field, type, v) {
      var text = v === undefined || v === null ? "" : String(v).trim();
      if (text === "") return null; // blank: unset, as always
      if (type === "msg" || type === "flow" || type === "global") {
        return RED.utils.validatePropertyExpression(text) === true ? null : "property";
      }
      if (type === "env") return ENV_NAME.test(text) || ENV_REF.test(text) ? null : "envName";
      if (ENV_REF.test(text)) return null; // Node-RED substitutes ${ENV} when the flow starts
      return RULES[fields[field].rule](Number(text)) ? null : fields[field].rule;
    }
    function message(field, key) {
      // The node's own catalogue: its type's `_` knows the namespace.
      var _ = RED.nodes.getType(nodeType)._;
      return _(nodeType + ".label." + (fields[field].label || field)) + ": " + _(nodeType + ".validation." + key);
    }
    return {
      /** A 3.x validator: true, or (asked with opt) the reason the editor shows beside the field. */
      validator: function (field) {
        return function (v, opt) {
          var key = reason(field, typeOf(this, field), v);
          return key === null ? true : opt ? message(field, key) : false;
        };
      },
      /** The number type with the field's own rule, so the field's tooltip says why it is red. */
      numberType: function (field) {
        return {
          value: "num",
          label: RED._("typedInput.type.num", { defaultValue: "number" }),
          icon: "red/images/typedInput/09.svg",
          validate: function (v) {
            var key = reason(field, "num", v);
            return key === null ? true : message(field, key);
          }
        };
      }
    };
  };
})();
