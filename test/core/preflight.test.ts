import { strict as assert } from "node:assert";
import {
  bracketModeOf,
  checkBrackets,
  checkClock,
  checkEditor,
  checkEnvironment,
  checkRules,
  checkWebhook,
  clockOffset,
  dateHeaderMs,
  type Finding,
  type PreflightSnapshot,
  preflight,
  worstSeverity,
} from "../../src/core/preflight";
import { rulesFor } from "../../src/core/rules/rules-config";

const NOW = Date.parse("2026-11-25T15:00:00Z");

/** A setup with nothing wrong: login on, loopback, a long secret, a fitting profile, Auto OCO, clocks agree. */
function safe(over: Partial<PreflightSnapshot> = {}): PreflightSnapshot {
  return {
    environment: "topstepx",
    configError: null,
    editor: { adminAuth: true, host: "127.0.0.1" },
    webhookSecretLength: 32,
    alerts: [{ id: "a1", name: "TradingView", requireSecret: true }],
    rules: [
      {
        id: "r1",
        name: "guard",
        profile: "topstep-combine-50k",
        config: rulesFor("topstep-combine-50k"),
        configError: null,
        account: { id: 1, name: "50KTC-V2-1-1", balance: 50_000 },
        accountError: null,
      },
    ],
    traded: [
      {
        account: { id: 1, name: "50KTC-V2-1-1", balance: 50_000 },
        recentOrders: [{ creationTimestamp: "2026-11-24T15:00:00Z", parentOrderId: 7, customTag: null }],
      },
    ],
    clock: { ourMs: NOW, serverMs: NOW, roundTripMs: 40, resolutionMs: 0 },
    ...over,
  };
}

const codes = (fs: Finding[]) => fs.map((f) => `${f.severity}:${f.code}`);

describe("core: pre-flight checks", () => {
  it("finds nothing unsafe in a safe live setup, and says what it checked", () => {
    const found = preflight(safe());
    assert.equal(worstSeverity(found), "ok");
    assert.deepEqual(codes(found), [
      "ok:environmentLive",
      "ok:editorLogin",
      "ok:editorLocal",
      "ok:webhookSecret",
      "ok:profileFits",
      "ok:bracketsAutoOco",
      "ok:clockOk",
    ]);
  });

  it("puts dangers first, then warnings", () => {
    const found = preflight(safe({ editor: { adminAuth: false, host: null }, clock: { error: "timeout" } }));
    assert.deepEqual(codes(found).slice(0, 3), ["danger:editorOpen", "warn:editorNetwork", "warn:clockUnknown"]);
    assert.equal(worstSeverity(found), "danger");
  });

  it("editor: no adminAuth is a danger; every interface is a warning; loopback is fine", () => {
    assert.deepEqual(codes(checkEditor({ adminAuth: false, host: "127.0.0.1" })), [
      "danger:editorOpen",
      "ok:editorLocal",
    ]);
    assert.deepEqual(codes(checkEditor({ adminAuth: true, host: "0.0.0.0" })), [
      "ok:editorLogin",
      "warn:editorNetwork",
    ]);
    assert.deepEqual(codes(checkEditor({ adminAuth: true, host: null })), ["ok:editorLogin", "warn:editorNetwork"]);
    assert.deepEqual(codes(checkEditor({ adminAuth: true, host: "::1" })), ["ok:editorLogin", "ok:editorLocal"]);
  });

  it("webhook: an alert node without the secret is a danger, naming the node", () => {
    const s = safe({ alerts: [{ id: "a1", name: "", requireSecret: false }] });
    assert.deepEqual(checkWebhook(s), [{ severity: "danger", code: "alertNoSecret", params: { node: "a1" } }]);
  });

  it("webhook: a required secret that is not set refuses every alert (warning); a short one is a warning", () => {
    assert.deepEqual(codes(checkWebhook(safe({ webhookSecretLength: null }))), ["warn:alertRefusesAll"]);
    assert.deepEqual(checkWebhook(safe({ webhookSecretLength: 6 })), [
      { severity: "warn", code: "secretWeak", params: { length: 6, min: 16 } },
    ]);
    assert.deepEqual(checkWebhook(safe({ alerts: [] })), []);
  });

  it("rules: a profile that does not fit the account's name is a danger with the rules node's own reason", () => {
    const [xfaOnCombine] = checkRules(
      safe({
        rules: [{ ...safe().rules[0]!, profile: "topstep-xfa-50k", config: rulesFor("topstep-xfa-50k") }],
      }),
    );
    assert.equal(xfaOnCombine!.severity, "danger");
    assert.equal(xfaOnCombine!.code, "profileMismatch");
    assert.match(String(xfaOnCombine!.params.reason), /the name says Trading Combine, the profile is Express Funded/);
    const [size] = checkRules(
      safe({
        rules: [
          {
            ...safe().rules[0]!,
            account: { id: 4, name: "150KTC-V2-4-4", balance: 150_000 },
          },
        ],
      }),
    );
    assert.equal(size!.code, "profileMismatch");
    assert.match(String(size!.params.reason), /the name says 150K, the profile is 50K/);
  });

  it("rules: a practice account under a Combine profile fits, and is named a practice account", () => {
    const found = checkRules(
      safe({ rules: [{ ...safe().rules[0]!, account: { id: 2, name: "PRAC-V2-2-2", balance: 50_000 } }] }),
    );
    assert.deepEqual(codes(found), ["ok:profileFits", "ok:practiceAccount"]);
  });

  it("rules: invalid rules are a danger, an unknown account a warning, no rules node on TopstepX a warning", () => {
    const bad = checkRules(
      safe({ rules: [{ ...safe().rules[0]!, config: null, configError: "maxContracts: too small" }] }),
    );
    assert.deepEqual(bad, [
      { severity: "danger", code: "rulesInvalid", params: { node: "guard", error: "maxContracts: too small" } },
    ]);
    assert.deepEqual(
      codes(checkRules(safe({ rules: [{ ...safe().rules[0]!, account: null, accountError: "no account" }] }))),
      ["warn:rulesAccountUnknown"],
    );
    assert.deepEqual(codes(checkRules(safe({ rules: [] }))), ["warn:noRules"]);
    assert.deepEqual(codes(checkRules(safe({ rules: [], environment: "simulator" }))), []);
  });

  it("brackets: the latest order that tells wins; none tells is a warning", () => {
    const legs = [
      { creationTimestamp: "2026-11-20T15:00:00Z", parentOrderId: 3 },
      { creationTimestamp: "2026-11-23T15:00:00Z", customTag: "nrx-abc-sl" },
    ];
    assert.equal(bracketModeOf(legs), "positionBrackets");
    assert.equal(bracketModeOf([...legs, { creationTimestamp: "2026-11-24T15:00:00Z", parentOrderId: 9 }]), "autoOco");
    assert.equal(
      bracketModeOf([{ creationTimestamp: "2026-11-24T15:00:00Z", customTag: "nrx-abc-entry" }]),
      "positionBrackets",
    );
    assert.equal(bracketModeOf([{ creationTimestamp: "2026-11-24T15:00:00Z", customTag: "nrx-abc" }]), null);
    const account = { id: 1, name: "50KTC-V2-1-1", balance: 50_000 };
    assert.deepEqual(codes(checkBrackets(safe({ traded: [{ account, recentOrders: legs }] }))), [
      "warn:bracketsPosition",
    ]);
    assert.deepEqual(codes(checkBrackets(safe({ traded: [{ account, recentOrders: [] }] }))), ["warn:bracketsUnknown"]);
    assert.deepEqual(codes(checkBrackets(safe({ traded: [{ account, recentOrders: null }] }))), [
      "warn:bracketsUnknown",
    ]);
  });

  it("clock: within 2 s is fine, beyond is a warning, a minute or more a danger", () => {
    const at = (offset: number, o: { resolutionMs?: number; roundTripMs?: number } = {}) =>
      checkClock(
        safe({
          clock: {
            ourMs: NOW + offset,
            serverMs: NOW,
            roundTripMs: o.roundTripMs ?? 0,
            resolutionMs: o.resolutionMs ?? 0,
          },
        }),
      )[0]!;
    assert.deepEqual(at(1_500), { severity: "ok", code: "clockOk", params: { seconds: "+1.5", uncertainty: "0.0" } });
    assert.deepEqual(at(-3_000), {
      severity: "warn",
      code: "clockOffset",
      params: { seconds: "−3.0", uncertainty: "0.0" },
    });
    assert.equal(at(75_000).severity, "danger");
    // A Date header drops the milliseconds: the server's second is taken at its middle.
    assert.deepEqual(clockOffset({ ourMs: NOW + 600, serverMs: NOW, roundTripMs: 200, resolutionMs: 1000 }), {
      offsetMs: 0,
      uncertaintyMs: 600,
    });
    assert.equal(dateHeaderMs("Wed, 25 Nov 2026 15:00:00 GMT"), NOW);
    assert.equal(dateHeaderMs("not a date"), null);
  });

  it("environment: an invalid configuration is a danger; the simulator is paper", () => {
    assert.deepEqual(checkEnvironment(safe({ configError: "apiKey: missing" })), [
      { severity: "danger", code: "configInvalid", params: { error: "apiKey: missing" } },
    ]);
    assert.deepEqual(codes(checkEnvironment(safe({ environment: "simulator" }))), ["ok:environmentPaper"]);
  });
});
