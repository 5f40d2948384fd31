// The sessions: the list with live status chips, search and filter, Start
// and Pre-plan session.
import { useEffect, useRef, useState } from "preact/hooks";
import { api, type APIError } from "./api";
import { useFeed } from "./feed";
import { NewSession } from "./newsession";
import type { Room } from "./types";
import { chip, spaced } from "./words";

// Filters of the session list: each is a query of GET /rooms, and the same
// test applied to rooms the feed reports.
const filters: { key: string; label: string; query: string; keep: (r: Room) => boolean }[] = [
  { key: "", label: "All", query: "", keep: () => true },
  { key: "pending", label: "Pre-planned", query: "invite_status=pending", keep: (r) => r.invite_status === "pending" },
  { key: "invited", label: "Waiting for customer", query: "status=invited", keep: (r) => r.status === "invited" },
  { key: "sent", label: "Link sent", query: "invite_status=sent", keep: (r) => r.invite_status === "sent" },
  { key: "delivered", label: "Delivered", query: "invite_status=delivered", keep: (r) => r.invite_status === "delivered" },
  { key: "invalid", label: "Invalid", query: "invite_status=invalid", keep: (r) => r.invite_status === "invalid" },
  { key: "failed", label: "Failed", query: "invite_status=failed", keep: (r) => r.invite_status === "failed" },
  { key: "connected", label: "Customer connected", query: "status=connected", keep: (r) => r.status === "connected" },
  { key: "left", label: "Customer left", query: "status=left", keep: (r) => r.status === "left" },
  { key: "closed", label: "Closed", query: "status=closed", keep: (r) => r.status === "closed" },
];

// matches tells whether a room the feed reports belongs in the list as
// searched: the hub's rule (name or email contains the words, or the phone
// number the digits of a number).
function matches(r: Room, q: string): boolean {
  q = q.trim();
  if (!q) return true;
  if (/^[0-9 +\-().]+$/.test(q) && /[0-9]/.test(q)) return (r.customer.phone ?? "").includes(q.replace(/[^0-9]/g, ""));
  const l = q.toLowerCase();
  return r.customer.name.toLowerCase().includes(l) || (r.customer.email ?? "").toLowerCase().includes(l);
}

export function Home({ open }: { open: (id: string) => void }) {
  const [rooms, setRooms] = useState<Room[] | null>(null);
  const [next, setNext] = useState("");
  const [error, setError] = useState("");
  const [creating, setCreating] = useState<"live" | "preplan" | null>(null);
  const [filter, setFilter] = useState("");
  const [search, setSearch] = useState("");
  const [mine, setMine] = useState(true);
  const f = filters.find((x) => x.key === filter) ?? filters[0];

  // latest is the newest state the feed reported of each room: a list read
  // that was on its way when the feed spoke must not bring an older one
  // back.
  const latest = useRef(new Map<string, Room>());
  const fresher = (r: Room) => {
    const l = latest.current.get(r.id);
    return l && l.seq > r.seq ? l : r;
  };
  // query counts the changes of filter, search and owner: a page read for
  // another query is dropped. first counts first-page reads: only the
  // newest may replace the list.
  const query = useRef(0);
  const first = useRef(0);
  const load = (before = "") => {
    const qn = query.current;
    const fn = before ? first.current : ++first.current;
    const q = [f.query, search.trim() ? "q=" + encodeURIComponent(search.trim()) : "", mine ? "agent=me" : "", before ? "before=" + encodeURIComponent(before) : ""].filter(Boolean).join("&");
    api<{ rooms: Room[]; next?: string }>("GET", "/rooms" + (q ? "?" + q : ""))
      .then((r) => {
        if (qn !== query.current || fn !== first.current) return;
        const page = r.rooms.map(fresher);
        setRooms((old) => {
          if (!before) return page;
          const have = new Set((old ?? []).map((x) => x.id));
          return [...(old ?? []), ...page.filter((x) => !have.has(x.id))];
        });
        setNext(r.next ?? "");
        setError("");
      })
      .catch((err) => setError((err as APIError).message));
  };
  useEffect(() => {
    query.current++;
    const t = setTimeout(() => load(), search ? 250 : 0);
    return () => clearTimeout(t);
  }, [filter, search, mine]);

  // Rooms the feed reports replace what the list shows of them, newest
  // state winning; new ones that fit the filter come on top.
  const online = useFeed(mine, () => load(), (changed) => {
    for (const r of changed) {
      const l = latest.current.get(r.id);
      if (!l || l.seq < r.seq) latest.current.set(r.id, r);
    }
    if (latest.current.size > 5000) latest.current.clear(); // a page open for days
    setRooms((old) => {
      if (old === null) return old; // the read on its way applies latest
      const list = [...old];
      for (const r of changed) {
        const i = list.findIndex((x) => x.id === r.id);
        if (i >= 0) {
          if (list[i].seq < r.seq) list[i] = r;
        } else if (f.keep(r) && matches(r, search)) {
          list.unshift(r);
        }
      }
      return list;
    });
  });

  return (
    <main class="wide">
      <div class="bar">
        <h1>Sessions</h1>
        <span class="connection" id="feed-connection" data-online={online ? "yes" : "no"}>{online ? "live" : "reconnecting…"}</span>
      </div>
      {error && <p class="error" role="alert">{error}</p>}
      {creating ? (
        <NewSession mode={creating} onCancel={() => setCreating(null)} onCreated={(r) => { setCreating(null); open(r.id); }} />
      ) : (
        <p class="bar">
          <span class="bar">
            <button id="start" type="button" onClick={() => setCreating("live")}>Start session</button>
            <button id="preplan" type="button" onClick={() => setCreating("preplan")}>Pre-plan session</button>
          </span>
        </p>
      )}
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          Search
          <input id="search" type="search" placeholder="Name, phone or email" value={search} onInput={(e) => setSearch((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          Status
          <select id="filter" value={filter} onChange={(e) => setFilter((e.target as HTMLSelectElement).value)}>
            {filters.map((x) => <option key={x.key} value={x.key}>{x.label}</option>)}
          </select>
        </label>
        <label class="inline">
          <input id="mine" type="checkbox" checked={mine} onChange={(e) => setMine((e.target as HTMLInputElement).checked)} /> Only my sessions
        </label>
      </form>
      {rooms === null ? (
        <p class="muted">Loading…</p>
      ) : rooms.length === 0 ? (
        <p class="muted" id="no-rooms">{filter || search ? "No session matches." : "No sessions yet."}</p>
      ) : (
        <ul class="rooms" id="rooms">
          {rooms.map((r) => {
            const c = chip(r);
            return (
              <li key={r.id} data-room={r.id}>
                <a href={"#/sessions/" + r.id}>{r.customer.name}</a>
                <span class="muted">{r.channel === "sms" ? spaced(r.customer.phone ?? "") : r.customer.email}</span>
                {!mine && <span class="muted">{r.agent.name}</span>}
                <span class="chip" data-status={c.status}>{c.words}</span>
              </li>
            );
          })}
        </ul>
      )}
      {next && <p><button class="link" type="button" id="more" onClick={() => load(next)}>Show older sessions</button></p>}
    </main>
  );
}

