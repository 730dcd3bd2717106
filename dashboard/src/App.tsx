/**
 * The dashboard: the portfolio, one page per contract, statements and views by role. Pages are
 * addressed by the URL's hash (`#/`, `#/contract/ID`, `#/statements`, `#/views`) with the day
 * reported on (`?asOf=` in the hash), so every page can be bookmarked and reloaded.
 */
import { useCallback, useEffect, useState } from "react";
import { api, type Status } from "./api.ts";
import { ContractPage } from "./ContractPage.tsx";
import { PortfolioPage } from "./PortfolioPage.tsx";
import { StatementsPage } from "./StatementsPage.tsx";
import { ViewsPage } from "./ViewsPage.tsx";

export interface Route {
  page: "portfolio" | "contract" | "statements" | "views";
  id?: string;
  asOf?: string;
}

export function parseHash(hash: string): Route {
  const [path = "", query = ""] = hash.replace(/^#/, "").split("?");
  const asOf = new URLSearchParams(query).get("asOf") ?? undefined;
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  const base = asOf ? { asOf } : {};
  if (parts[0] === "contract" && parts[1]) return { page: "contract", id: parts[1], ...base };
  if (parts[0] === "statements") return { page: "statements", ...base };
  if (parts[0] === "views") return { page: "views", ...base };
  return { page: "portfolio", ...base };
}

export function href(r: Route): string {
  const path = r.page === "contract" ? `/contract/${encodeURIComponent(r.id ?? "")}` : r.page === "portfolio" ? "/" : `/${r.page}`;
  return `#${path}${r.asOf ? `?asOf=${r.asOf}` : ""}`;
}

export function App() {
  const [route, setRoute] = useState<Route>(() => parseHash(location.hash));
  const [status, setStatus] = useState<Status>();
  const [error, setError] = useState<string>();
  const [version, setVersion] = useState(0);

  useEffect(() => {
    const on = () => setRoute(parseHash(location.hash));
    addEventListener("hashchange", on);
    return () => removeEventListener("hashchange", on);
  }, []);

  useEffect(() => {
    let stale = false;
    setError(undefined);
    api
      .status(route.asOf)
      .then((s) => !stale && setStatus(s))
      .catch((e: Error) => !stale && setError(e.message));
    return () => {
      stale = true;
    };
  }, [route.asOf, version]);

  /** After an action (a drop, an attestation, a settlement): read everything again. */
  const refresh = useCallback(() => setVersion((v) => v + 1), []);
  const asOf = route.asOf ?? status?.defaultDate ?? "";
  const go = (r: Partial<Route>) => {
    location.hash = href({ ...route, ...r });
  };

  return (
    <div className="app">
      <header>
        <a className="brand" href={href({ page: "portfolio", ...(route.asOf ? { asOf: route.asOf } : {}) })}>
          OBC desk
        </a>
        <span className="portfolio-name" data-testid="portfolio-name">
          {status?.portfolio ?? "…"}
        </span>
        <nav>
          {(["portfolio", "statements", "views"] as const).map((p) => (
            <a key={p} href={href({ page: p, ...(route.asOf ? { asOf: route.asOf } : {}) })} className={route.page === p ? "current" : ""}>
              {p === "portfolio" ? "Portfolio" : p === "statements" ? "Statements" : "Views by role"}
            </a>
          ))}
        </nav>
        <label className="as-of">
          As of{" "}
          <input type="date" value={asOf} data-testid="as-of" onChange={(e) => e.target.value && go({ asOf: e.target.value })} />
        </label>
      </header>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <main>
        {route.page === "portfolio" && status && <PortfolioPage status={status} asOf={asOf} />}
        {route.page === "contract" && route.id && <ContractPage id={route.id} asOf={asOf} version={version} onChanged={refresh} />}
        {route.page === "statements" && status && <StatementsPage status={status} asOf={asOf} />}
        {route.page === "views" && status && <ViewsPage status={status} asOf={asOf} />}
      </main>
    </div>
  );
}
