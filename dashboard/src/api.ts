/**
 * The desk's API as the dashboard sees it (node/portfolio/http.ts): the same types as the
 * server's, with every amount (a bigint of cents there) as a decimal string ("1080.00").
 */
import type { PortfolioStatus, ContractStatus, Rollup, Deadline } from "../../node/portfolio/status.ts";
import type { ContractForecast } from "../../node/portfolio/forecast.ts";
import type { RoleView } from "../../node/portfolio/views.ts";
import type { FunderAggregate } from "../../node/aggregate.ts";
import type { ContractSettlement, DropAttestation } from "../../node/portfolio/settle.ts";

/** A value as it travels as JSON: bigints (cents) become decimal strings. */
export type Json<T> = T extends bigint ? string : T extends readonly (infer U)[] ? Json<U>[] : T extends object ? { [K in keyof T]: Json<T[K]> } : T;

export type Status = Json<PortfolioStatus> & { defaultDate: string; intermediary?: string };
export type ContractRow = Json<ContractStatus>;
export type RollupRow = Json<Rollup>;
export type Forecast = Json<ContractForecast>;
export type View = Json<RoleView>;
export type Aggregate = FunderAggregate;
export type Settlement = Json<ContractSettlement>;
export type Attestation = Json<DropAttestation>;
export type { Deadline };

export interface ContractPage {
  date: string;
  currency: string;
  status: ContractRow;
  title: string;
  term?: { start: string; end: string };
  clauses: { id: string; name: string; kind: string; due?: string }[];
  /** the contract's data sets: the files a drop holds */
  dataSets: string[];
  series: { date: string; paid: string; earned: string; contingent: string | null; withheld: string }[];
  escalations: { name: string; checkpoints: { period: string; level: number; actions: string[]; measures: Record<string, string>; withholding?: string; terminationRight: boolean }[] }[];
  equity?: Aggregate;
  drops: {
    id: string;
    asOf: string;
    received: string;
    suppliedBy: string;
    supersedes?: string;
    reason?: string;
    inForce: boolean;
    arrived: boolean;
    files: string[];
    ledger?: { id: number; attestations: { by: string; role: string; at: string }[]; settlements: number[]; supersededBy?: number };
  }[];
  dataQuality?: { files: { file: string; dataSet: string; rowsRead: number; rowsAccepted: number; rowsRejected: number; problems: { code: string; severity: string; message: string }[] }[] };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const BASE = "../portfolio/api";

async function call<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(`${BASE}/${path}`, { ...init, headers: { "content-type": "application/json", ...(init?.headers ?? {}) } });
  const body = (await res.json().catch(() => ({}))) as { error?: { message: string } };
  if (!res.ok) throw new ApiError(res.status, body.error?.message ?? `the desk answered ${res.status}`);
  return body as T;
}

const q = (params: Record<string, string | undefined>) => {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") s.set(k, v);
  const t = s.toString();
  return t ? `?${t}` : "";
};

export const api = {
  status: (asOf?: string) => call<Status>(`status${q({ asOf })}`),
  forecast: (asOf: string, runs = 200) => call<{ date: string; runs: number; contracts: Forecast[] }>(`forecast${q({ asOf, runs: String(runs) })}`),
  contract: (id: string, asOf?: string) => call<ContractPage>(`contracts/${encodeURIComponent(id)}${q({ asOf })}`),
  contractForecast: (id: string, asOf: string, runs = 500) => call<Forecast>(`contracts/${encodeURIComponent(id)}/forecast${q({ asOf, runs: String(runs) })}`),
  attest: (id: string, drop: string, by: string, role: "district" | "evaluator") =>
    call<Attestation>(`contracts/${encodeURIComponent(id)}/drops/${encodeURIComponent(drop)}/attest`, { method: "POST", body: JSON.stringify({ by, role }) }),
  settle: (id: string, asOf: string, accept?: string) =>
    call<Settlement>(`contracts/${encodeURIComponent(id)}/settle`, { method: "POST", body: JSON.stringify({ asOf, ...(accept ? { accept } : {}) }) }),
  addDrop: (id: string, body: { asOf: string; suppliedBy: string; files: Record<string, { name: string; base64: string }>; supersedes?: string; reason?: string }) =>
    call<{ drop: string; ledgerDrop: number }>(`contracts/${encodeURIComponent(id)}/drops`, { method: "POST", body: JSON.stringify(body) }),
  payers: () => call<{ payers: string[] }>("payers"),
  view: (role: string, asOf: string, who?: string) => call<View>(`views/${encodeURIComponent(role)}${q({ asOf, for: who })}`),
  /** the address of a statement to download */
  statementUrl: (payer: string, from: string, to: string, format: string) => `${BASE}/statement${q({ payer, from, to, format })}`,
};
