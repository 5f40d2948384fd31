// The session view: the customer (their contact, whether they are in the
// room, what became of the link's message), the session's lifecycle (Invite
// client, Resend link, Copy link, Re-engage, End session), the documents
// sent, the live timeline, and the assets.
import { useEffect, useState } from "preact/hooks";
import { api, type APIError } from "./api";
import { AssetsPanel } from "./assets";
import { ChannelChoice } from "./channelchoice";
import { Attach } from "./attach";
import { DocumentCard } from "./documentcard";
import { PaymentCard } from "./paymentcard";
import { RequestCard } from "./requestcard";
import { RequestDocuments } from "./requestdocuments";
import { RequestPayment } from "./requestpayment";
import { useRoomStream } from "./roomstream";
import { SendDocument } from "./senddocument";
import { TemplateEditor } from "./templateeditor";
import { Sheet } from "./sheet";
import { Timeline } from "./timeline";
import type { Asset, DocRequest, Me, Payment, Room } from "./types";
import { delivery, failedContacts, fullPhone, presence, zoned } from "./words";

export function SessionView({ id, me, onBack }: { id: string; me: Me; onBack: () => void }) {
  const [room, setRoom] = useState<Room | null>(null);
  const [missing, setMissing] = useState(false);
  // The room's socket opens once the room is known to exist: an unknown
  // id is not retried forever.
  const { events, online } = useRoomStream(id, room !== null);
  const [error, setError] = useState("");
  const [ending, setEnding] = useState(false);
  const [outcome, setOutcome] = useState("");
  const [done, setDone] = useState(""); // what the last action did, in words
  const [copied, setCopied] = useState("");
  const zone = me.account.settings?.time_zone;
  const [reengaging, setReengaging] = useState(false);
  const [channel, setChannel] = useState<"sms" | "email">("sms");
  const [phone, setPhone] = useState("");
  const [email, setEmail] = useState("");

  const [sending, setSending] = useState<Asset | null>(null);
  const [editing, setEditing] = useState<{ asset: Asset; uploaded: boolean } | null>(null);
  const [attaching, setAttaching] = useState(false);
  const [tool, setTool] = useState<"" | "documents" | "payment">("");
  const [library, setLibrary] = useState(0); // counts the library's changes
  const admin = me.user.role === "admin";

  // The state is read again with each event: the header, buttons and
  // document cards follow. An answer older than the one shown is dropped.
  const newer = (r: Room) => setRoom((old) => (old && old.seq > r.seq ? old : r));
  useEffect(() => {
    api<Room>("GET", "/rooms/" + id)
      .then(newer)
      .catch((err) => {
        if ((err as APIError).code === "room_not_found") setMissing(true);
        else setError((err as APIError).message);
      });
  }, [id, events.length]);

  // toAssets takes the agent to the Assets panel, below everything on a
  // phone.
  const toAssets = () => {
    const search = document.getElementById("asset-search");
    search?.scrollIntoView({ block: "center" });
    search?.focus();
  };
  const refresh = () => api<Room>("GET", "/rooms/" + id).then(newer).catch(() => undefined);
  // A request or payment the agent changed shows at once, before the
  // room's state says so.
  const withRequest = (r: DocRequest) => setRoom((old) => old && { ...old, requests: (old.requests ?? []).map((x) => (x.id === r.id ? r : x)) });
  const withPayment = (p: Payment) => setRoom((old) => old && { ...old, payments: (old.payments ?? []).map((x) => (x.id === p.id ? p : x)) });
  // pickTool opens a tool and folds the menu away.
  const pickTool = (t: "documents" | "payment") => (e: Event) => {
    (e.currentTarget as HTMLElement).closest("details")?.removeAttribute("open");
    setTool(t);
  };

  async function act(path: string, body?: unknown) {
    setError("");
    try {
      newer(await api<Room>("POST", "/rooms/" + id + path, body));
      return true;
    } catch (err) {
      setError((err as APIError).message);
      return false;
    }
  }

  // resend sends the link again; copy makes a new one for the agent to
  // read out, and puts it on the clipboard.
  async function resend() {
    setDone("");
    setCopied("");
    if (await act("/resend")) setDone("Link sent again to " + contactInUse + ".");
  }
  async function copy() {
    setError("");
    setDone("");
    try {
      const r = await api<{ url: string; room: Room }>("POST", "/rooms/" + id + "/link");
      newer(r.room);
      setCopied(r.url);
      let clip = true;
      try {
        await navigator.clipboard.writeText(r.url);
      } catch {
        clip = false;
      }
      setDone(clip ? "Link copied. The previous link no longer works." : "Here is the new link: select it to copy it. The previous link no longer works.");
    } catch (err) {
      setError((err as APIError).message);
    }
  }
  async function end(e: Event) {
    e.preventDefault();
    if (await act("/close", outcome.trim() ? { reason: outcome.trim() } : undefined)) {
      setEnding(false);
      setCopied("");
      setDone("");
    }
  }

  if (missing)
    return (
      <main class="page session-missing">
        <h1 id="not-found">Session not found</h1>
        <p>This session does not exist, or it belongs to another account.</p>
        <p><a href="#/" id="back-to-sessions">Back to sessions</a></p>
      </main>
    );
  if (!room) return <main class="page"><p class="muted" role="status">{error || "Loading…"}</p></main>;
  const closed = room.status === "closed";
  const here = presence(room, zone);
  const sent = delivery(room);
  const inUseTo = room.invite?.to ?? (room.channel === "sms" ? room.customer.phone ?? "" : room.customer.email ?? "");
  const contactInUse = room.channel === "sms" ? fullPhone(inUseTo) : inUseTo;
  const failed = failedContacts(events, inUseTo);
  const deliveryBad = room.invite_status === "invalid" || room.invite_status === "failed";
  // Re-engage is for a customer who never came: the link's message
  // failed, or they have not opened it yet.
  const canReengage = !closed && room.invite !== null && !room.ever_connected;
  const canRelink = !closed && room.invite !== null && here.state !== "online";
  const endedAt = room.closed_at ? zoned(zone, { dateStyle: "medium", timeStyle: "short" }).format(new Date(room.closed_at)) : "";
  return (
    <main class="session">
      <div class="session-main">
        <div class="bar session-top">
          <button class="link" type="button" id="back" onClick={onBack}>← Sessions</button>
          <span class="connection" id="connection" data-online={online ? "yes" : "no"} title="The console's own connection to the hub, for live updates">
            {online ? "Console live" : "Console reconnecting…"}
          </span>
        </div>
        <div class="session-head">
          <h1 id="customer">{room.customer.name}</h1>
          {closed ? (
            <span class="presence" id="presence" data-state="ended">Ended</span>
          ) : (
            <span class="presence" id="presence" data-state={here.state}>{here.words}</span>
          )}
        </div>
        <dl class="contact-list" id="contact">
          {room.customer.phone && (
            <div data-in-use={room.channel === "sms" ? "yes" : "no"}>
              <dt>Phone</dt>
              <dd><span id="contact-phone">{fullPhone(room.customer.phone)}</span>{room.channel === "sms" && <span class="in-use"> · in use</span>}</dd>
            </div>
          )}
          {room.customer.email && (
            <div data-in-use={room.channel === "email" ? "yes" : "no"}>
              <dt>Email</dt>
              <dd><span id="contact-email">{room.customer.email}</span>{room.channel === "email" && <span class="in-use"> · in use</span>}</dd>
            </div>
          )}
          {failed.map((f) => (
            <div key={f.to} class="failed-contact">
              <dt>Tried before</dt>
              <dd>{f.channel === "sms" ? fullPhone(f.to) : f.to} · {f.words}</dd>
            </div>
          ))}
        </dl>
        {closed ? (
          <p class="ended" id="ended">
            <span>Ended{endedAt && " " + endedAt}</span>
            {room.outcome ? <span id="outcome"> · Outcome: {room.outcome}</span> : <span class="muted" id="outcome"> · No outcome given</span>}
          </p>
        ) : (
          <p class="delivery">
            <span class="muted">Link's message: </span>
            <span class="chip" id="invite-status" data-status={sent.status} title={sent.detail || undefined}>{sent.words}</span>
            {deliveryBad && sent.detail && <span class="visually-hidden" id="delivery-reason"> {sent.detail}</span>}
          </p>
        )}
        <p class="error" role="alert" id="session-error">{error}</p>
        <p role="status" id="session-done" class="done">{done}</p>
        {copied && (
          <p class="copied-link" id="copied-link">
            <span class="muted">To read out: </span>
            <code>{copied}</code>
          </p>
        )}
        {!closed && (
          <div class="bar">
            <span class="bar">
              {room.status === "pending" && <button id="invite" type="button" onClick={() => act("/invite")}>Invite client</button>}
              {canRelink && <button id="resend-link" type="button" class="secondary" onClick={resend}>Resend link</button>}
              {canRelink && <button id="copy-link" type="button" class="secondary" onClick={copy}>Copy link</button>}
              {canReengage && !reengaging && (
                <button id="reengage" type="button" class={deliveryBad ? "" : "secondary"} onClick={() => { setReengaging(true); setChannel(room.channel === "sms" ? "sms" : "email"); setPhone(room.customer.phone ?? ""); setEmail(room.customer.email ?? ""); }}>Re-engage</button>
              )}
            </span>
            <span class="bar">
              <button type="button" class="secondary" id="attach" onClick={() => setAttaching(true)}><svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M21 11.5l-8.5 8.5a5 5 0 01-7-7L14 4.5a3.5 3.5 0 015 5l-8.5 8.5a2 2 0 01-3-3L15 7.5" /></svg>Attach</button>
              <details class="menu" id="tools">
                <summary>Tools</summary>
                <div class="menu-items">
                  <button type="button" class="link" id="tool-documents" onClick={pickTool("documents")}>Document Request</button>
                  <button type="button" class="link" id="tool-payment" onClick={pickTool("payment")}>Payment Request</button>
                </div>
              </details>
              <button type="button" class="secondary danger-outline" id="end-session" onClick={() => { setOutcome(""); setEnding(true); }}>End session</button>
            </span>
          </div>
        )}
        {ending && (
          <Sheet id="end-dialog" title="End this session?" onClose={() => setEnding(false)}>
            <form class="stack" id="end-form" onSubmit={end}>
              <p>The customer's page will say the session has ended, and their link will stop working. This cannot be undone.</p>
              <label>
                Outcome (optional)
                <textarea id="end-outcome" rows={3} maxLength={500} value={outcome} placeholder="For example: lease signed" onInput={(e) => setOutcome((e.target as HTMLTextAreaElement).value)} />
              </label>
              <div class="bar">
                <button type="submit" class="danger" id="end-confirm">End session</button>
                <button type="button" class="link" onClick={() => setEnding(false)}>Cancel</button>
              </div>
            </form>
          </Sheet>
        )}
        {reengaging && (
          <form class="stack card" id="reengage-form" onSubmit={async (e) => { e.preventDefault(); if (await act("/reengage", { channel, customer: { phone: phone || undefined, email: email || undefined } })) setReengaging(false); }}>
            <ChannelChoice legend="Send a new link by" name="re-channel" value={channel} onChange={setChannel} ids={{ sms: "re-sms", email: "re-email" }} />
            {channel === "sms"
              ? <label key="re-phone">Phone number <input id="re-phone" type="tel" required value={phone} onInput={(e) => setPhone((e.target as HTMLInputElement).value)} /></label>
              : <label key="re-email">Email <input id="re-email-address" type="email" required value={email} onInput={(e) => setEmail((e.target as HTMLInputElement).value)} /></label>}
            <div class="bar"><button id="re-submit" type="submit">Send the new link</button><button class="link" type="button" onClick={() => setReengaging(false)}>Cancel</button></div>
          </form>
        )}
        <section aria-labelledby="documents-title">
          <h2 id="documents-title">Documents</h2>
          {(room.documents ?? []).length === 0 ? (
            closed ? (
              <p class="muted" id="documents-empty">None.</p>
            ) : (
              <p class="muted" id="documents-empty">None yet: pick one in <button type="button" class="link" onClick={toAssets}>Assets</button>, or attach a file.</p>
            )
          ) : (
            <ul class="doc-cards" id="documents" aria-live="polite">
              {(room.documents ?? []).map((d) => <DocumentCard key={d.id} roomId={id} doc={d} events={events} />)}
            </ul>
          )}
        </section>
        {(room.requests ?? []).length > 0 && (
          <section aria-labelledby="requests-title">
            <h2 id="requests-title">Requested documents</h2>
            <ul class="req-cards" id="requests" aria-live="polite">
              {(room.requests ?? []).map((r) => <RequestCard key={r.id} roomId={id} req={r} preplanned={room.status === "pending"} onChange={withRequest} />)}
            </ul>
          </section>
        )}
        {(room.payments ?? []).length > 0 && (
          <section aria-labelledby="payments-title">
            <h2 id="payments-title">Payments</h2>
            <ul class="pay-cards" id="payments" aria-live="polite">
              {(room.payments ?? []).map((p) => <PaymentCard key={p.id} roomId={id} pay={p} preplanned={room.status === "pending"} onChange={withPayment} />)}
            </ul>
          </section>
        )}
        <h2>Timeline</h2>
        <Timeline events={events} zone={zone} />
      </div>
      {!closed && <AssetsPanel admin={admin} version={library} onPick={(a) => setSending(a)} onEdit={(a, uploaded) => setEditing({ asset: a, uploaded: !!uploaded })} />}
      {sending && <SendDocument roomId={id} asset={sending} preplanned={room.status === "pending"} onClose={() => setSending(null)} onSent={() => { setSending(null); refresh(); }} />}
      {attaching && <Attach roomId={id} preplanned={room.status === "pending"} onClose={() => setAttaching(false)} onSent={() => { setAttaching(false); refresh(); }} />}
      {tool === "documents" && <RequestDocuments roomId={id} preplanned={room.status === "pending"} onClose={() => setTool("")} onSent={() => { setTool(""); refresh(); }} />}
      {tool === "payment" && <RequestPayment roomId={id} preplanned={room.status === "pending"} onClose={() => setTool("")} onSent={() => { setTool(""); refresh(); }} />}
      {editing && <TemplateEditor asset={editing.asset} uploaded={editing.uploaded} onClose={() => setEditing(null)} onSaved={() => setLibrary((n) => n + 1)} />}
    </main>
  );
}

