// The sessions: the list as a table, by last activity, with live status
// chips, search and filter, Start and Pre-plan session.
import { useEffect, useRef, useState } from "preact/hooks";
import { api, type APIError } from "./api";
import { ChannelIcon } from "./channelchoice";
import { ago, exactTime, useNow } from "./clock";
import { useFeed } from "./feed";
import { listStatus, waiting } from "./liststatus";
import { fullPhone } from "./words";
import { NewSession } from "./newsession";
import type { Room } from "./types";

// Filters of the session list: each is a query of GET /rooms, and the same
// test applied to rooms the feed reports. Each means what it says: a
// session shows under one of them at a time (besides All).
const filters: { key: string; label: string; query: string; keep: (r: Room) => boolean }[] = [
  { key: "", label: "All", query: "", keep: () => true },
  { key: "pending", label: "Pre-planned", query: "status=pending", keep: (r) => r.status === "pending" },
  { key: "waiting", label: "Waiting for customer", query: "status=waiting", keep: waiting },
  { key: "invalid", label: "Invalid number or address", query: "status=invited&invite_status=invalid", keep: (r) => r.status === "invited" && r.invite_status === "invalid" },
  { key: "failed", label: "Delivery failed", query: "status=invited&invite_status=failed", keep: (r) => r.status === "invited" && r.invite_status === "failed" },
  { key: "connected", label: "Online now", query: "status=connected", keep: (r) => r.status === "connected" },
  { key: "left", label: "Customer left", query: "status=left", keep: (r) => r.status === "left" },
  { key: "closed", label: "Ended", query: "status=closed", keep: (r) => r.status === "closed" },
];

// byActivity orders the list as the hub does with order=activity: the
// latest event first, then the higher id.
function byActivity(a: Room, b: Room): number {
  if (a.updated_at !== b.updated_at) return Date.parse(b.updated_at) - Date.parse(a.updated_at);
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

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
    const q = ["order=activity", f.query, search.trim() ? "q=" + encodeURIComponent(search.trim()) : "", mine ? "agent=me" : "", before ? "before=" + encodeURIComponent(before) : ""].filter(Boolean).join("&");
    api<{ rooms: Room[]; next?: string }>("GET", "/rooms" + (q ? "?" + q : ""))
      .then((r) => {
        if (qn !== query.current || fn !== first.current) return;
        const page = r.rooms.map(fresher);
        setRooms((old) => {
          if (!before) return page.filter(f.keep).sort(byActivity);
          const have = new Set((old ?? []).map((x) => x.id));
          return [...(old ?? []), ...page.filter((x) => !have.has(x.id) && f.keep(x))].sort(byActivity);
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
  // state winning; those that fit the filter no more leave it, new ones
  // that fit come in; the list sorts again by last activity.
  const online = useFeed(mine, () => load(), (changed) => {
    for (const r of changed) {
      const l = latest.current.get(r.id);
      if (!l || l.seq < r.seq) latest.current.set(r.id, r);
    }
    if (latest.current.size > 5000) latest.current.clear(); // a page open for days
    setRooms((old) => {
      if (old === null) return old; // the read on its way applies latest
      let list = [...old];
      for (const r of changed) {
        const i = list.findIndex((x) => x.id === r.id);
        if (i >= 0) {
          if (list[i].seq < r.seq) list[i] = r;
        } else if (f.keep(r) && matches(r, search)) {
          list.push(r);
        }
      }
      list = list.filter(f.keep);
      return list.sort(byActivity);
    });
  });

  const now = useNow();
  return (
    <main class="wide sessions">
      <div class="bar">
        <h1>Sessions</h1>
        <span class="connection" id="feed-connection" data-online={online ? "yes" : "no"} title="The console's own connection to the hub">{online ? "Console live" : "Reconnecting…"}</span>
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
        <table class="rooms" id="rooms">
          <caption class="visually-hidden">Sessions, the latest activity first</caption>
          <thead>
            <tr>
              <th scope="col">Customer</th>
              <th scope="col">Contact</th>
              {!mine && <th scope="col">Agent</th>}
              <th scope="col">Status</th>
              <th scope="col">Last activity</th>
            </tr>
          </thead>
          <tbody>
            {rooms.map((r) => {
              const c = listStatus(r);
              const at = new Date(r.updated_at);
              const sms = r.channel === "sms";
              const contact = sms ? fullPhone(r.customer.phone ?? "") : r.customer.email ?? "";
              return (
                <tr key={r.id} data-room={r.id} onClick={(e) => { if (!(e.target as HTMLElement).closest("a")) open(r.id); }}>
                  <th scope="row" class="customer"><a href={"#/sessions/" + r.id}>{r.customer.name}</a></th>
                  <td class="contact"><ChannelIcon channel={r.channel} /><span class="visually-hidden">{sms ? "SMS: " : "Email: "}</span>{contact}</td>
                  {!mine && <td class="agent"><span class="cell-label">Agent: </span>{r.agent.name}</td>}
                  <td class="state"><span class="chip" data-status={c.status} title={c.detail}>{c.words}</span></td>
                  <td class="activity"><span class="cell-label">Last activity: </span><time dateTime={r.updated_at} title={exactTime(at)}>{ago(at, now)}</time></td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {next && <p><button class="link" type="button" id="more" onClick={() => load(next)}>Show more sessions</button></p>}
    </main>
  );
}
