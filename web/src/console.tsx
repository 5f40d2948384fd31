// The agent console, first slice: sign in (and forgot password), the
// sessions with live status chips, search and filter, Start and Pre-plan
// session, the session view with its live timeline, Invite client and
// Re-engage, and the dev outbox. It talks to the hub only through the
// documented REST and WebSocket API (docs/protocol.md), with the session
// cookie the hub sets at sign-in.
import { render } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { reconnecting } from "./reconnect";

type APIError = { code: string; message: string };

type Room = {
  id: string;
  seq: number;
  mode: string;
  status: string;
  invite_status: string;
  ever_connected: boolean;
  channel: string;
  customer: { name: string; phone?: string; email?: string };
  invite: null | { channel: string; to: string; attempt: number; delivery?: string; delivery_reason?: string; delivery_code?: string };
  created_at: string;
  updated_at: string;
  agent: { id: string; name: string };
};

type RoomEvent = { room: string; seq: number; type: string; at: string; actor: { kind: string; name?: string }; data: any };

type Contact = { id: string; name: string; phone?: string; email?: string };

type Me = { user: { id: string; name: string; email: string; role: string }; account: { name: string } };

// api calls the hub and returns the JSON answer, or throws the hub's error.
async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch("/api/v1" + path, {
    method,
    credentials: "same-origin",
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return undefined as T;
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    const err: APIError = data.error ?? { code: "http_" + res.status, message: "The hub answered " + res.status + "." };
    throw err;
  }
  return data as T;
}

// checkSignedIn shows the sign-in page if the agent was signed out
// (elsewhere, or the session expired): a socket refused before opening
// may be why, and knocking forever would not help.
function checkSignedIn() {
  api("GET", "/me").catch((err) => {
    if ((err as APIError).code === "unauthorized") location.reload();
  });
}

// Words for the invitation's status, as the agent reads them.
const inviteWords: Record<string, string> = {
  pending: "pre-planned",
  sent: "link sent",
  delivered: "delivered",
  invalid: "invalid",
  failed: "failed",
  connected: "customer connected",
};

function chip(r: Room): { status: string; words: string } {
  if (r.status === "closed") return { status: "closed", words: "closed" };
  if (r.status === "left") return { status: "left", words: "customer left" };
  if (r.status === "connected") return { status: "connected", words: "customer connected" };
  if (r.invite_status === "delivered" || r.invite_status === "sent") return { status: r.invite_status, words: "waiting for customer · " + inviteWords[r.invite_status] };
  return { status: r.invite_status, words: inviteWords[r.invite_status] ?? r.invite_status };
}

function Login({ onSignedIn }: { onSignedIn: () => void }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState("");
  const [forgot, setForgot] = useState(false);
  const [sent, setSent] = useState(false);
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      if (forgot) {
        await api("POST", "/password/forgot", { email });
        setSent(true);
      } else {
        await api("POST", "/login", { email, password });
        onSignedIn();
      }
    } catch (err) {
      setError((err as APIError).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main>
      <h1>{forgot ? "Forgot your password?" : "Sign in to Tandem"}</h1>
      {sent ? (
        <p role="status" id="forgot-sent">If {email} has an account, a link to choose a new password is on its way. It is valid for one hour.</p>
      ) : (
        <form class="stack" onSubmit={submit} aria-describedby="login-error">
          <label>
            Email
            <input id="email" type="email" name="email" autocomplete="username" required value={email} onInput={(e) => setEmail((e.target as HTMLInputElement).value)} />
          </label>
          {!forgot && (
            <label>
              Password
              <input id="password" type="password" name="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
            </label>
          )}
          <p class="error" id="login-error" role="alert">{error}</p>
          <button id="submit" type="submit" disabled={busy}>{forgot ? "Send me a link" : "Sign in"}</button>
        </form>
      )}
      <p>
        <button class="link" id="forgot" type="button" onClick={() => { setForgot(!forgot); setSent(false); setError(""); }}>
          {forgot ? "Back to sign in" : "Forgot password?"}
        </button>
      </p>
    </main>
  );
}

// Reset is the page of the link in a password reset email:
// /password/reset?token=…
function Reset({ onDone }: { onDone: () => void }) {
  const token = new URLSearchParams(location.search).get("token") ?? "";
  const [password, setPassword] = useState("");
  const [again, setAgain] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    if (password !== again) {
      setError("The two passwords differ.");
      return;
    }
    setBusy(true);
    setError("");
    try {
      await api("POST", "/password/reset", { token, password });
      // The token is spent: take it out of the address bar and history.
      history.replaceState(null, "", "/console");
      onDone();
    } catch (err) {
      setError((err as APIError).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main>
      <h1>Choose a new password</h1>
      <form class="stack" onSubmit={submit}>
        <label>
          New password (8 characters at least)
          <input id="new-password" type="password" autocomplete="new-password" required minLength={8} value={password} onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          The same again
          <input id="new-password-again" type="password" autocomplete="new-password" required value={again} onInput={(e) => setAgain((e.target as HTMLInputElement).value)} />
        </label>
        <p class="error" id="reset-error" role="alert">{error}</p>
        <button id="reset-submit" type="submit" disabled={busy}>Change my password</button>
      </form>
    </main>
  );
}

// NewSession is the dialog of Start session (live: the link goes out at
// once) and Pre-plan session (nothing goes out until Invite client). The
// address book suggests known customers as the agent types.
function NewSession({ mode, onCreated, onCancel }: { mode: "live" | "preplan"; onCreated: (r: Room) => void; onCancel: () => void }) {
  const [name, setName] = useState("");
  const [channel, setChannel] = useState<"sms" | "email">("sms");
  const [phone, setPhone] = useState("");
  const [email, setEmail] = useState("");
  const [contact, setContact] = useState("");
  const [suggestions, setSuggestions] = useState<Contact[]>([]);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  // Suggest contacts for what was typed last, a moment after typing stops.
  const [query, setQuery] = useState("");
  useEffect(() => {
    if (query.trim().length < 2) {
      setSuggestions([]);
      return;
    }
    const t = setTimeout(() => {
      api<{ contacts: Contact[] }>("GET", "/contacts?limit=5&q=" + encodeURIComponent(query))
        .then((r) => setSuggestions(r.contacts))
        .catch(() => setSuggestions([]));
    }, 200);
    return () => clearTimeout(t);
  }, [query]);

  function pick(c: Contact) {
    setName(c.name);
    setPhone(c.phone ?? "");
    setEmail(c.email ?? "");
    setChannel(c.phone ? "sms" : "email");
    setContact(c.id);
    setSuggestions([]);
  }

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      const customer = { name, phone: phone || undefined, email: email || undefined };
      const r = await api<Room>("POST", "/rooms", { mode, channel, customer, contact: contact || undefined });
      onCreated(r);
    } catch (err) {
      setError((err as APIError).message);
    } finally {
      setBusy(false);
    }
  }

  const typed = (set: (v: string) => void) => (e: Event) => {
    const v = (e.target as HTMLInputElement).value;
    set(v);
    setContact("");
    setQuery(v);
  };

  return (
    <section class="card" aria-labelledby="new-session-title">
      <h2 id="new-session-title">{mode === "live" ? "Start session" : "Pre-plan session"}</h2>
      <form class="stack" onSubmit={submit}>
        <label>
          Customer's name
          <input id="new-name" required autocomplete="off" value={name} onInput={typed(setName)} />
        </label>
        {suggestions.length > 0 && (
          <ul class="suggestions" id="suggestions" aria-label="Known customers">
            {suggestions.map((c) => (
              <li key={c.id}>
                <button type="button" class="link" onClick={() => pick(c)}>
                  {c.name} <span class="muted">{c.phone ?? ""} {c.email ?? ""}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
        <fieldset>
          <legend>Send the link by</legend>
          <label><input type="radio" name="channel" id="by-sms" checked={channel === "sms"} onChange={() => setChannel("sms")} /> SMS</label>{" "}
          <label><input type="radio" name="channel" id="by-email" checked={channel === "email"} onChange={() => setChannel("email")} /> Email</label>
        </fieldset>
        <label>
          Phone number
          <input id="new-phone" type="tel" autocomplete="off" value={phone} onInput={typed(setPhone)} required={channel === "sms"} />
        </label>
        <label>
          Email
          <input id="new-email" type="email" autocomplete="off" value={email} onInput={typed(setEmail)} required={channel === "email"} />
        </label>
        <p class="error" id="new-error" role="alert">{error}</p>
        <div class="bar">
          <button id="new-submit" type="submit" disabled={busy}>{mode === "live" ? "Start and send the link" : "Pre-plan"}</button>
          <button class="link" type="button" onClick={onCancel}>Cancel</button>
        </div>
      </form>
    </section>
  );
}

// spaced writes an E.164 number the way people read it: +1 415 … 0134.
function spaced(to: string): string {
  if (!to.startsWith("+") || to.length < 9) return to;
  const cc = to.startsWith("+1") ? "+1" : to.slice(0, 3);
  const rest = to.slice(cc.length);
  return cc + " " + rest.slice(0, 3) + " … " + rest.slice(-4);
}

const deliveryWords: Record<string, string> = {
  queued: "Queued at the provider",
  sent: "Sent",
  delivered: "Delivered",
  undelivered: "Not delivered",
  failed: "Failed",
  invalid: "Invalid",
};

// words says what an event means, for the agent's timeline.
function words(e: RoomEvent): string {
  const d = e.data ?? {};
  const by = (ch: string, to: string) => (ch === "sms" ? "by SMS to " + spaced(to) : "by email to " + to);
  switch (e.type) {
    case "room.created": return "Session " + (d.mode === "live" ? "started" : "pre-planned") + " by " + (d.agent?.name ?? "an agent");
    case "room.invited": return (d.attempt > 1 ? "New link sent " : "Link sent ") + by(d.channel, d.to);
    case "invitation.delivery": {
      const w = deliveryWords[d.status] ?? d.status;
      return w + (d.reason ? ": " + d.reason : "") + (d.code ? " (" + d.code + ")" : "");
    }
    case "room.link_revoked": return "Previous link revoked";
    case "room.contact_changed": return "Contact changed: " + (d.channel === "sms" ? spaced(d.customer?.phone ?? "") : d.customer?.email);
    case "invitation.reminded": return "Reminder " + d.reminder + " sent " + by(d.channel, d.to);
    case "invitation.noticed": return "“New in your room” notice sent " + by(d.channel, d.to);
    case "participant.joined": return d.role === "customer" ? "Customer connected" + (d.client ? " from " + d.client : "") : "Agent joined";
    case "participant.left": return d.role === "customer" ? "Customer left" : "Agent left";
    case "participant.activity": return (e.actor.kind === "customer" ? "Customer" : "Agent") + " is " + String(d.what).replace(/_/g, " ");
    case "room.contact_erased": return "Customer's personal data erased";
    case "room.closed": return "Session closed" + (d.reason ? ": " + d.reason : "");
  }
  return e.type;
}

// useRoomStream follows a room live over its WebSocket: the whole log
// first, then each event as it happens, resuming from the last seq after
// any drop, so no line is lost or repeated.
function useRoomStream(id: string): { events: RoomEvent[]; online: boolean } {
  const [events, setEvents] = useState<RoomEvent[]>([]);
  const [online, setOnline] = useState(false);
  useEffect(() => {
    let last = 0;
    const conn = reconnecting(
      () => {
        const proto = location.protocol === "https:" ? "wss:" : "ws:";
        return new WebSocket(proto + "//" + location.host + "/api/v1/rooms/" + id + "/ws?since=" + last);
      },
      (f) => {
        if (f.type === "synced") {
          setOnline(true);
          return;
        }
        if (typeof f.seq !== "number" || f.type.indexOf(".") < 0 || f.seq <= last) return;
        last = f.seq;
        setEvents((evs) => [...evs, f as RoomEvent]);
      },
      () => setOnline(false),
      { onRefused: checkSignedIn },
    );
    return conn.stop;
  }, [id]);
  return { events, online };
}

function SessionView({ id, onBack }: { id: string; onBack: () => void }) {
  const { events, online } = useRoomStream(id);
  const [room, setRoom] = useState<Room | null>(null);
  const [error, setError] = useState("");
  const [reengaging, setReengaging] = useState(false);
  const [channel, setChannel] = useState<"sms" | "email">("sms");
  const [phone, setPhone] = useState("");
  const [email, setEmail] = useState("");

  // The state is read again with each event: the header and buttons follow.
  useEffect(() => {
    api<Room>("GET", "/rooms/" + id).then(setRoom).catch((err) => setError((err as APIError).message));
  }, [id, events.length]);

  async function act(path: string, body?: unknown) {
    setError("");
    try {
      setRoom(await api<Room>("POST", "/rooms/" + id + path, body));
      return true;
    } catch (err) {
      setError((err as APIError).message);
      return false;
    }
  }

  if (!room) return <main><p class="muted">{error || "Loading…"}</p></main>;
  const c = chip(room);
  const canReengage = room.invite !== null && !room.ever_connected && room.status !== "closed";
  return (
    <main class="session">
      <div class="session-main">
        <p><button class="link" type="button" id="back" onClick={onBack}>← Sessions</button></p>
        <div class="bar">
          <h1 id="customer">{room.customer.name}</h1>
          <span class="connection" id="connection" data-online={online ? "yes" : "no"}>{online ? "live" : "reconnecting…"}</span>
        </div>
        <p class="muted">{room.customer.phone && spaced(room.customer.phone)} {room.customer.email}</p>
        <p>
          <span class="chip" id="invite-status" data-status={c.status}>{c.words}</span>
          {(room.invite_status === "invalid" || room.invite_status === "failed") && room.invite?.delivery_reason && <span class="muted" id="delivery-reason"> {room.invite.delivery_reason}</span>}
        </p>
        <p class="error" role="alert" id="session-error">{error}</p>
        <div class="bar">
          <span class="bar">
            {room.status === "pending" && <button id="invite" type="button" onClick={() => act("/invite")}>Invite client</button>}
            {canReengage && !reengaging && (
              <button id="reengage" type="button" onClick={() => { setReengaging(true); setChannel(room.channel === "sms" ? "sms" : "email"); setPhone(room.customer.phone ?? ""); setEmail(room.customer.email ?? ""); }}>Re-engage</button>
            )}
          </span>
          <span class="bar">
            <button type="button" class="secondary" id="attach" disabled aria-describedby="later-note">Attach</button>
            <details class="menu" id="tools">
              <summary>Tools</summary>
              <p class="muted">No tools yet.</p>
            </details>
          </span>
        </div>
        <p class="muted small" id="later-note">Attaching documents and the tools (requests, payments) come in a later release.</p>
        {reengaging && (
          <form class="stack card" id="reengage-form" onSubmit={async (e) => { e.preventDefault(); if (await act("/reengage", { channel, customer: { phone: phone || undefined, email: email || undefined } })) setReengaging(false); }}>
            <fieldset>
              <legend>Send a new link by</legend>
              <label><input type="radio" name="re-channel" id="re-sms" checked={channel === "sms"} onChange={() => setChannel("sms")} /> SMS</label>{" "}
              <label><input type="radio" name="re-channel" id="re-email" checked={channel === "email"} onChange={() => setChannel("email")} /> Email</label>
            </fieldset>
            <label>Phone number <input id="re-phone" type="tel" value={phone} onInput={(e) => setPhone((e.target as HTMLInputElement).value)} /></label>
            <label>Email <input id="re-email-address" type="email" value={email} onInput={(e) => setEmail((e.target as HTMLInputElement).value)} /></label>
            <div class="bar"><button id="re-submit" type="submit">Send the new link</button><button class="link" type="button" onClick={() => setReengaging(false)}>Cancel</button></div>
          </form>
        )}
        <h2>Timeline</h2>
        <ol class="timeline" id="timeline" aria-live="polite">
          {events.map((e) => (
            <li key={e.seq} data-seq={e.seq} data-type={e.type}>
              <time dateTime={e.at}>{new Date(e.at).toLocaleTimeString()}</time> {words(e)}
            </li>
          ))}
        </ol>
      </div>
      <aside class="card assets" aria-labelledby="assets-title">
        <h2 id="assets-title">Assets</h2>
        <p class="muted" id="items-empty">Documents, requests and payments staged for this customer will be listed here. There are none: they come in a later release.</p>
      </aside>
    </main>
  );
}

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

// useFeed follows the account feed (GET /api/v1/feed): onRooms gets the
// rooms that changed, onReady is called at each (re)connection, once the
// hub listens, which is when the list should be read again.
function useFeed(mine: boolean, onReady: () => void, onRooms: (rs: Room[]) => void): boolean {
  const [online, setOnline] = useState(false);
  const ready = useRef(onReady);
  const rooms = useRef(onRooms);
  ready.current = onReady;
  rooms.current = onRooms;
  useEffect(() => {
    const conn = reconnecting(
      () => {
        const proto = location.protocol === "https:" ? "wss:" : "ws:";
        return new WebSocket(proto + "//" + location.host + "/api/v1/feed" + (mine ? "?agent=me" : ""));
      },
      (f) => {
        if (f.type === "ready") {
          setOnline(true);
          ready.current();
        } else if (f.type === "rooms") {
          rooms.current(f.rooms as Room[]);
        }
      },
      () => setOnline(false),
      { onRefused: checkSignedIn },
    );
    return conn.stop;
  }, [mine]);
  return online;
}

function Home({ me, onSignedOut, open, outbox }: { me: Me; onSignedOut: () => void; open: (id: string) => void; outbox: boolean }) {
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

  async function signOut() {
    await api("POST", "/logout").catch(() => undefined);
    onSignedOut();
  }

  return (
    <main class="wide">
      <div class="bar">
        <h1>Sessions</h1>
        <span class="connection" id="feed-connection" data-online={online ? "yes" : "no"}>{online ? "live" : "reconnecting…"}</span>
      </div>
      <p class="muted bar" id="whoami">
        <span>Signed in as {me.user.name} · {me.account.name}</span>
        <span>
          {outbox && <a href="#/outbox" id="outbox-link">Dev outbox</a>}{" "}
          <button class="link" id="signout" type="button" onClick={signOut}>Sign out</button>
        </span>
      </p>
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

type OutboxMessage = { channel: string; to: string; subject?: string; body: string; link?: string; at: string; status: string; room?: string };

// Outbox is the dev outbox: with no SMS or email provider configured the hub
// only keeps messages, and this page shows them with their links, so a
// person can play the customer from the same machine.
function Outbox() {
  const [msgs, setMsgs] = useState<OutboxMessage[] | null>(null);
  const [error, setError] = useState("");
  const load = () => api<{ messages: OutboxMessage[] }>("GET", "/dev/outbox").then((r) => { setMsgs(r.messages); setError(""); }).catch((err) => setError((err as APIError).message));
  useEffect(() => { load(); }, []);
  // A message usually goes with a change in a room: read again when the
  // feed reports one.
  useFeed(false, () => undefined, () => load());
  return (
    <main class="wide">
      <p><a href="#/" id="back">← Sessions</a></p>
      <div class="bar">
        <h1>Dev outbox</h1>
        <button type="button" id="outbox-refresh" onClick={load}>Refresh</button>
      </div>
      <p class="muted">No SMS or email provider is configured, so nothing is really sent: the messages are kept here. Open a link in another window to play the customer.</p>
      {error && <p class="error" role="alert">{error}</p>}
      {msgs === null ? <p class="muted">Loading…</p> : msgs.length === 0 ? <p class="muted" id="outbox-empty">No messages yet.</p> : (
        <ul class="rooms" id="outbox">
          {msgs.map((m, i) => (
            <li key={i} class="message" data-room={m.room ?? ""}>
              <div>
                <strong>{m.channel === "sms" ? "SMS to " + m.to : "Email to " + m.to}</strong> <span class="muted"><time dateTime={m.at}>{new Date(m.at).toLocaleString()}</time> · {m.status}</span>
                {m.subject && <div class="muted">{m.subject}</div>}
                <div class="body">{m.body}</div>
              </div>
              {m.link && <a class="open-link" href={m.link} target="_blank" rel="noopener">Open the link</a>}
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}

// useRoute is the console's place, from the address bar's hash: #/ (the
// sessions), #/sessions/{id}, #/outbox.
function useRoute(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    addEventListener("hashchange", on);
    return () => removeEventListener("hashchange", on);
  }, []);
  return hash.replace(/^#/, "") || "/";
}

function Console({ me, onSignedOut }: { me: Me; onSignedOut: () => void }) {
  const route = useRoute();
  // The dev outbox exists only in the embedded default, for admins.
  const [outbox, setOutbox] = useState(false);
  useEffect(() => {
    if (me.user.role !== "admin") return;
    api("GET", "/dev/outbox").then(() => setOutbox(true)).catch(() => setOutbox(false));
  }, [me.user.role]);
  const go = (path: string) => { location.hash = "#" + path; };
  const session = route.match(/^\/sessions\/(rm_[a-z2-7]+)$/);
  if (session) return <SessionView key={session[1]} id={session[1]} onBack={() => go("/")} />;
  if (route === "/outbox" && outbox) return <Outbox />;
  return <Home me={me} onSignedOut={onSignedOut} open={(id) => go("/sessions/" + id)} outbox={outbox} />;
}

function App() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [resetting, setResetting] = useState(location.pathname === "/password/reset");
  const [changed, setChanged] = useState(false);
  const load = () => api<Me>("GET", "/me").then(setMe).catch(() => setMe(null));
  useEffect(() => { load(); }, []);
  if (resetting) return <Reset onDone={() => { setResetting(false); setChanged(true); setMe(null); }} />;
  if (me === undefined) return <main><p class="muted">Loading…</p></main>;
  if (me === null) return <>{changed && <p class="notice-bar" id="reset-done" role="status">Your password is changed: sign in with it.</p>}<Login onSignedIn={load} /></>;
  return <Console me={me} onSignedOut={() => setMe(null)} />;
}

render(<App />, document.getElementById("app")!);
