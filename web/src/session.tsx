// The session view: the customer, the invitation's status, Invite client
// and Re-engage, the documents sent, the live timeline, and the assets.
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
import { Timeline } from "./timeline";
import type { Asset, DocRequest, Me, Payment, Room } from "./types";
import { chip, spaced } from "./words";

export function SessionView({ id, me, onBack }: { id: string; me: Me; onBack: () => void }) {
  const { events, online } = useRoomStream(id);
  const [room, setRoom] = useState<Room | null>(null);
  const [error, setError] = useState("");
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
    api<Room>("GET", "/rooms/" + id).then(newer).catch((err) => setError((err as APIError).message));
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
            <button type="button" class="secondary" id="attach" disabled={room.status === "closed"} onClick={() => setAttaching(true)}><svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M21 11.5l-8.5 8.5a5 5 0 01-7-7L14 4.5a3.5 3.5 0 015 5l-8.5 8.5a2 2 0 01-3-3L15 7.5" /></svg>Attach</button>
            <details class="menu" id="tools">
              <summary>Tools</summary>
              <div class="menu-items">
                <button type="button" class="link" id="tool-documents" disabled={room.status === "closed"} onClick={pickTool("documents")}>Document Request</button>
                <button type="button" class="link" id="tool-payment" disabled={room.status === "closed"} onClick={pickTool("payment")}>Payment Request</button>
              </div>
            </details>
          </span>
        </div>
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
            <p class="muted" id="documents-empty">None yet: pick one in <button type="button" class="link" onClick={toAssets}>Assets</button>, or attach a file.</p>
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
        <Timeline events={events} />
      </div>
      <AssetsPanel admin={admin} version={library} onPick={(a) => setSending(a)} onEdit={(a, uploaded) => setEditing({ asset: a, uploaded: !!uploaded })} />
      {sending && <SendDocument roomId={id} asset={sending} preplanned={room.status === "pending"} onClose={() => setSending(null)} onSent={() => { setSending(null); refresh(); }} />}
      {attaching && <Attach roomId={id} preplanned={room.status === "pending"} onClose={() => setAttaching(false)} onSent={() => { setAttaching(false); refresh(); }} />}
      {tool === "documents" && <RequestDocuments roomId={id} preplanned={room.status === "pending"} onClose={() => setTool("")} onSent={() => { setTool(""); refresh(); }} />}
      {tool === "payment" && <RequestPayment roomId={id} preplanned={room.status === "pending"} onClose={() => setTool("")} onSent={() => { setTool(""); refresh(); }} />}
      {editing && <TemplateEditor asset={editing.asset} uploaded={editing.uploaded} onClose={() => setEditing(null)} onSaved={() => setLibrary((n) => n + 1)} />}
    </main>
  );
}

