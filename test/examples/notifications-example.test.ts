import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { starterRules } from "../support/editor-import";
import type { Received } from "../support/node-msgs";
import { allNodes, collect, configFor, helper, lastStatus } from "../support/node-red";
import { useRuntimeOnSim } from "../support/runtime-on-sim";
import { until } from "../support/sim";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const functionNode = require("@node-red/nodes/core/function/10-function.js");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const switchNode = require("@node-red/nodes/core/function/10-switch.js");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const httpRequestNode = require("@node-red/nodes/core/network/21-httprequest.js");

const ROOT = resolve(__dirname, "..", "..", "..");

/** A request the stand-in Discord and ntfy servers received. */
interface Hit {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

type Out = Received<Record<string, unknown>> & {
  topic?: string;
  to?: string;
  attachments?: Array<{ filename: string; content: string }>;
};

/**
 * The notifications example as shipped: its rules node on the simulator, its switch and function
 * nodes, and its http request nodes posting to local stand-ins for Discord and ntfy. The link outs
 * (Telegram, e-mail) are replaced by helper nodes that read what the service's node would get.
 */
describe("example: notifications to Telegram, Discord, ntfy and e-mail", () => {
  const rt = useRuntimeOnSim({ dirPrefix: "topstepx-notify-ex-" });
  let server: Server;
  const hits: Hit[] = [];
  const saved = { ...process.env };

  before(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => {
        body += d.toString();
      });
      req.on("end", () => {
        hits.push({ path: req.url ?? "", headers: req.headers, body });
        res.end("ok");
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    Object.assign(process.env, {
      TELEGRAM_CHAT_ID: "4242",
      DISCORD_WEBHOOK_URL: `${base}/discord`,
      NTFY_SERVER: base,
      NTFY_TOPIC: "my-topic",
      EMAIL_TO: "me@example.com",
    });
  });
  after(async () => {
    process.env = saved;
    await new Promise((r) => server.close(r));
  });
  beforeEach(() => {
    hits.length = 0;
  });

  async function load() {
    const flow = JSON.parse(readFileSync(join(ROOT, "examples", "8 Notifications.json"), "utf8")) as Array<
      Record<string, unknown>
    >;
    const shipped = (id: string) => flow.find((n) => n.id === id)!;
    const cfg = configFor(rt.sim);
    const swap = (id: string, to: string) => ({ ...shipped(id), wires: [[to]] });
    await helper.load(
      [...allNodes, functionNode, switchNode, httpRequestNode],
      [
        shipped("tsx-notify"),
        cfg.node,
        // The starter's rules node, whose rule state the example's link in receives.
        {
          ...starterRules("tsx-start-rules", "tsx-notify"),
          server: "cfg",
          dbFile: join(rt.dir, "j.sqlite"),
          wires: [[], [], ["tsx-notify-switch"]],
        },
        shipped("tsx-notify-switch"),
        swap("tsx-notify-tg", "telegram"),
        shipped("tsx-notify-dc"),
        swap("tsx-notify-dc-http", "answers"),
        shipped("tsx-notify-ntfy"),
        swap("tsx-notify-ntfy-http", "answers"),
        swap("tsx-notify-mail", "email"),
        swap("tsx-notify-rmail", "email"),
        { id: "telegram", type: "helper", z: "tsx-notify" },
        { id: "email", type: "helper", z: "tsx-notify" },
        { id: "answers", type: "helper", z: "tsx-notify" },
      ],
      cfg.credentials,
    );
    const rules = helper.getNode("tsx-start-rules");
    await until(() => /MLL \$/.test(lastStatus(rules).text ?? ""), "the rules node guarding its account");
    return {
      rules,
      telegram: collect<Out>(helper.getNode("telegram")),
      email: collect<Out>(helper.getNode("email")),
      answers: collect<Out>(helper.getNode("answers")),
    };
  }

  it("sends the kill switch to Telegram's sender, Discord's webhook and ntfy, and mails it as a warning", async () => {
    const { rules, telegram, email, answers } = await load();
    rules.receive({ payload: { command: "killSwitch", on: true, reason: "lunch break" } });
    await until(() => telegram.length === 1 && email.length === 1 && answers.length === 2, "every service's msg");
    const tg = telegram[0]!.payload as { chatId: string; type: string; content: string };
    assert.deepEqual([tg.chatId, tg.type], ["4242", "message"]);
    assert.match(
      tg.content,
      /Kill switch on\nEntries are refused until re-armed: lunch break\.\n.+ · 2026-11-25 09:00:00 CST$/,
    );
    const discord = hits.find((h) => h.path === "/discord")!;
    assert.equal(discord.headers["content-type"], "application/json");
    const embed = (JSON.parse(discord.body) as { embeds: Array<Record<string, unknown>> }).embeds[0]!;
    assert.deepEqual(
      [embed.title, embed.color, embed.timestamp],
      ["Kill switch on", 0xf1c40f, "2026-11-25T15:00:00.000Z"],
    );
    const ntfy = hits.find((h) => h.path === "/my-topic")!;
    assert.deepEqual(
      [ntfy.headers.title, ntfy.headers.priority, ntfy.headers.tags],
      ["Kill switch on", "4", "warning"],
    );
    assert.match(ntfy.body, /^Entries are refused until re-armed: lunch break\.\n/);
    const mail = email[0]!;
    assert.deepEqual([mail.topic, mail.to], ["[TopstepX warning] Kill switch on", "me@example.com"]);
    assert.match(String(mail.payload), /Rule: killSwitch\nTime: 2026-11-25 09:00:00 CST/);
  });

  it("keeps info off the e-mail, and sends a title with other than ASCII to ntfy as an RFC 2047 word", async () => {
    const { rules, telegram, email } = await load();
    rules.receive({ payload: { command: "rearm" } });
    await until(() => telegram.length === 1 && hits.length === 2, "Telegram, Discord and ntfy");
    assert.equal(email.length, 0, "re-arming is info: not mailed");
    // A summary's title carries a minus sign (U+2212): not a valid header character as it is.
    const helperIn = helper.getNode("tsx-notify-switch");
    helperIn.receive({
      topic: "notification",
      payload: {
        title: "Day 2026-11-25: −$42.53",
        text: "t",
        severity: "info",
        account: "a",
        accountId: 1,
        time: "",
        timeCT: "",
        local: "",
      },
    });
    await until(() => hits.filter((h) => h.path === "/my-topic").length === 2, "the second ntfy post");
    const title = hits.filter((h) => h.path === "/my-topic")[1]!.headers.title as string;
    assert.equal(title, "=?UTF-8?Q?Day_2026-11-25=3A_=E2=88=92=2442.53?=");
  });

  it("mails the daily report with its CSV attached", async () => {
    const { rules, email } = await load();
    rules.receive({ payload: { command: "killSwitch", on: true } });
    rules.receive({ payload: { command: "report", period: "day" } });
    await until(() => email.some((m) => m.attachments), "the report e-mail");
    const mail = email.find((m) => m.attachments)!;
    assert.match(String(mail.topic), /^TopstepX Day 2026-11-25: net 0, 0 trades$/);
    assert.equal(mail.attachments![0]!.filename, "topstepx-day-report.csv");
    assert.match(mail.attachments![0]!.content, /^period,key,from,to,fills,trades/);
  });
});
