import { tickDecimals } from "../core/money/tick-grid";
import { formatTimestamp, type Order, type Position, type Trade, type TradingAccount } from "../core/schemas";
import { parseContractId } from "./catalog";
import type { SimAccount, SimOrder, SimPosition, SimTrade } from "./exchange";

/**
 * The simulator's records in the gateway's wire shapes. REST answers carry explicit nulls; hub
 * events omit null fields, as the live gateway does.
 */

export function accountModel(a: SimAccount): TradingAccount {
  return {
    id: a.id,
    name: a.name,
    balance: a.balance,
    canTrade: a.canTrade,
    isVisible: a.isVisible,
    simulated: a.simulated,
  };
}

export function orderModel(o: SimOrder, omitNulls: boolean): Order {
  const m: Order = {
    id: o.id,
    accountId: o.accountId,
    contractId: o.contractId,
    symbolId: o.symbolId,
    creationTimestamp: formatTimestamp(o.createdAt),
    updateTimestamp: formatTimestamp(o.updatedAt),
    status: o.status,
    type: o.type,
    side: o.side,
    size: o.size,
    limitPrice: o.limitPrice,
    stopPrice: o.stopPrice,
    fillVolume: o.fillVolume,
    filledPrice: o.filledPrice,
    customTag: o.customTag,
    trailDistance: o.trailDistance,
    trailPrice: o.trailDistance === null ? null : trailPriceOf(o),
    parentOrderId: o.parentOrderId,
    linkedOrderId: o.linkedOrderId,
  };
  return omitNulls ? dropNulls(m) : m;
}

function trailPriceOf(o: SimOrder): number | null {
  // On read-back the gateway reports trailPrice as the distance in price units.
  const tick = parseContractId(o.contractId)?.product.tickSize;
  if (o.trailDistance === null || tick === undefined) return null;
  return Number((o.trailDistance * tick).toFixed(tickDecimals(tick)));
}

export function positionModel(p: SimPosition): Position {
  return {
    id: p.id,
    accountId: p.accountId,
    contractId: p.contractId,
    contractDisplayName: p.displayName,
    creationTimestamp: formatTimestamp(p.createdAt),
    type: p.type,
    size: p.size,
    averagePrice: p.averagePrice,
  };
}

export function tradeModel(t: SimTrade, omitNulls: boolean): Trade {
  const m: Trade = {
    id: t.id,
    accountId: t.accountId,
    contractId: t.contractId,
    creationTimestamp: formatTimestamp(t.createdAt),
    price: t.price,
    profitAndLoss: t.profitAndLoss,
    fees: t.fees,
    commissions: t.commissions,
    side: t.side,
    size: t.size,
    voided: t.voided,
    orderId: t.orderId,
  };
  return omitNulls ? dropNulls(m) : m;
}

function dropNulls<T extends object>(m: T): T {
  for (const k of Object.keys(m) as (keyof T)[]) if (m[k] === null) delete m[k];
  return m;
}
