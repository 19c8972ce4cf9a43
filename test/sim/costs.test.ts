import { strict as assert } from "node:assert";
import type * as signalR from "@microsoft/signalr";
import type { AxiosInstance } from "axios";
import type { Simulator } from "../../src/sim";
import { ACCOUNT, frontMonth, hubConnection, login, record, setPrice, startTestSim, until } from "../support/sim";
import { BUY, balanceOf, placeOk, SELL, T, tradesOf } from "../support/trading";

/**
 * Costs as TopstepX charges them: each fill carries `fees` (exchange, clearing, NFA) and
 * `commissions`, and the balance falls by both. MNQ: $0.37 fees and $0.25 commission per
 * contract per side; a tick is $0.50. With a bare /sim/price, bid = price and ask = price + 0.25.
 */
const NOW = Date.parse("2026-11-25T15:00:00Z");

interface HubTrade {
  id: number;
  profitAndLoss?: number | null;
  fees: number;
  commissions?: number | null;
  size: number;
}

describe("simulator: fees and commissions as live charges them", () => {
  let sim: Simulator;
  let api: AxiosInstance;
  let token: string;
  let conn: signalR.HubConnection | undefined;

  before(async () => {
    sim = await startTestSim({ now: () => NOW, rateLimits: { enabled: false } });
    ({ api, token } = await login(sim));
  });
  after(async () => {
    await conn?.stop();
    await sim.close();
  });

  it("debits fees and commissions on both sides of an MNQ round trip, the same on REST and the user hub", async () => {
    const mnq = (await frontMonth(api, "MNQ")).id;
    await setPrice(sim, mnq, 25000);
    conn = hubConnection(sim, "user", token);
    const got = record(conn, ["GatewayUserTrade", "GatewayUserAccount"]);
    await conn.start();
    await Promise.all([conn.invoke("SubscribeAccounts"), conn.invoke("SubscribeTrades", ACCOUNT)]);

    await placeOk(api, { accountId: ACCOUNT, contractId: mnq, type: T.Market, side: BUY, size: 3 }); // 25000.25
    await setPrice(sim, mnq, 25010);
    await placeOk(api, { accountId: ACCOUNT, contractId: mnq, type: T.Market, side: SELL, size: 3 }); // 25010

    const rest = await tradesOf(api, ACCOUNT);
    assert.deepEqual(
      rest.map((t) => [t.size, t.profitAndLoss, t.fees, t.commissions]),
      [
        [3, null, 1.11, 0.75],
        [3, 58.5, 1.11, 0.75], // 9.75 points = 39 ticks × $0.50 × 3
      ],
    );
    // 58.50 - 2 sides × 3 × ($0.37 + $0.25) = 58.50 - 3.72; fees alone would have left 50,056.28.
    assert.equal(await balanceOf(api, ACCOUNT), 50054.78);

    // The hub's events carry the same costs (one per fill id, whatever a hub repeats) and the same balance.
    const hubTrades = await until(() => {
      const byId = new Map<number, HubTrade>();
      for (const [e] of got.GatewayUserTrade!) {
        const t = (e as { data: HubTrade }).data;
        byId.set(t.id, t);
      }
      return byId.size === 2 ? [...byId.values()] : null;
    }, "both trade events");
    assert.deepEqual(
      hubTrades.map((t) => [t.id, t.profitAndLoss ?? null, t.fees, t.commissions]),
      rest.map((t) => [t.id, t.profitAndLoss, t.fees, t.commissions]),
    );
    const lastBalance = () =>
      (got.GatewayUserAccount!.at(-1)?.[0] as { data: { balance: number } } | undefined)?.data.balance;
    await until(() => lastBalance() === 50054.78, "the account event with the balance net of fees and commissions");
  });
});
