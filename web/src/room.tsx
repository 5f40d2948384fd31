// The customer's room: who invited them, the connection to their agent
// (a WebSocket that resumes from the last seq it saw after any drop, which
// is how the agent sees them connected), and what the agent sent, live: the
// documents to read, fill and sign (signing.tsx, at #/documents/{id}), the
// documents asked of the customer (roomrequests.tsx) and the payments
// asked for (roompayments.tsx). A new one appears as it is sent.
import { render } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { DocumentList } from "./documents";
import { reconnecting } from "./reconnect";
import { call, roomURL, type APIError, type Doc, type DocRequest, type Payment, type RoomState } from "./roomapi";
import { PaymentList } from "./roompayments";
import { RequestList } from "./roomrequests";
import { RoomFoot, RoomHeader, type RoomBrand } from "./roomheader";

// signing loads the view of one document, and with it pdf.js and the
// signature pad, the first time a document is opened.
type SigningView = typeof import("./signing").Signing;
let signing: Promise<SigningView> | undefined;
function loadSigning(): Promise<SigningView> {
  signing ??= import("./signing").then((m) => m.Signing);
  return signing;
}

// closeAccessEnded is the close code of a socket whose link was replaced
// or whose access ended (docs/protocol.md).
const closeAccessEnded = 4401;

// opened is the document the address names, if any.
function opened(): string {
  const m = /^#\/documents\/([\w-]+)$/.exec(location.hash);
  return m ? m[1] : "";
}

function Room() {
  const [info, setInfo] = useState<{ agent?: string; company?: string; customer?: string; brand?: RoomBrand }>({});
  const [docs, setDocs] = useState<Doc[]>([]);
  const [requests, setRequests] = useState<DocRequest[]>([]);
  const [payments, setPayments] = useState<Payment[]>([]);
  const [conn, setConn] = useState({ text: "Connecting…", live: false });
  const [unavailable, setUnavailable] = useState(false);
  // ended: the agent ended the session; what the customer did stays
  // on the page.
  const [ended, setEnded] = useState(false);
  const [open, setOpen] = useState(opened());
  const [news, setNews] = useState("");
  const [Signing, setSigning] = useState<SigningView | null>(null);
  const [loadFailed, setLoadFailed] = useState(false);
  const seq = useRef(0);
  const known = useRef<Set<string> | null>(null);

  // refresh reads the room's state again: the documents, requests and
  // payments, and where each stands. Something new is announced to screen
  // readers.
  const refresh = () =>
    call<RoomState>("GET", roomURL("")).then((s) => {
      if (s.seq < seq.current) return s;
      const ds = s.documents ?? [];
      const rs = s.requests ?? [];
      const ps = s.payments ?? [];
      const all = [...ds.map((d) => ({ id: d.id, name: d.name })), ...rs.map((r) => ({ id: r.id, name: r.type.name })), ...ps.map((p) => ({ id: p.id, name: "a payment request" }))];
      if (known.current) {
        const added = all.filter((d) => !known.current!.has(d.id));
        if (added.length) setNews("New from your agent: " + added.map((d) => d.name).join(", "));
      }
      known.current = new Set(all.map((d) => d.id));
      setDocs(ds);
      setRequests(rs);
      setPayments(ps);
      return s;
    });

  const over = useRef(false);
  const endSession = () => {
    over.current = true;
    setEnded(true);
    setConn({ text: "Session ended", live: false });
    stream.current?.stop();
    if (opened()) location.hash = "";
  };
  const stream = useRef<{ stop: () => void } | undefined>(undefined);
  useEffect(() => {
    refresh()
      .then((s) => {
        const company = s.brand?.name || s.company;
        setInfo({ agent: s.brand?.agent.name || s.agent?.name, company, customer: s.customer?.name, brand: s.brand });
        if (company) document.title = "Your secure room · " + company;
        seq.current = s.seq;
        stream.current = reconnecting(
          () => {
            const proto = location.protocol === "https:" ? "wss:" : "ws:";
            return new WebSocket(proto + "//" + location.host + roomURL("/ws") + "&since=" + seq.current);
          },
          (f) => {
            if (f.type === "room.closed") {
              endSession();
              return;
            }
            if (f.type === "synced") {
              setConn({ text: "Connected to your agent", live: true });
              refresh().catch(() => {});
            }
            if (typeof f.seq === "number" && f.type.indexOf(".") > 0) {
              seq.current = Math.max(seq.current, f.seq);
              if (/^(document|request|payment)\./.test(f.type)) refresh().catch(() => {});
            }
          },
          (code) => {
            if (over.current) return;
            if (code !== closeAccessEnded) {
              setConn({ text: "Reconnecting…", live: false });
              return;
            }
            // Access ended: the session ended, or the link was replaced.
            refresh().then(
              () => setConn({ text: "Disconnected. Reload the page to reconnect.", live: false }),
              (err) => {
                if ((err as APIError).code === "room_closed") endSession();
                else {
                  setUnavailable(true);
                  setConn({ text: "This link was replaced. Open the newest link you were sent.", live: false });
                }
              },
            );
          },
          { final: (code) => code === closeAccessEnded },
        );
      })
      .catch((err) => {
        if ((err as APIError).code === "room_closed") {
          endSession();
          return;
        }
        setUnavailable(true);
        setConn({ text: "This room is not available. Open the link you were sent again.", live: false });
      });
    const onHash = () => setOpen(opened());
    window.addEventListener("hashchange", onHash);
    return () => {
      stream.current?.stop();
      window.removeEventListener("hashchange", onHash);
    };
  }, []);

  useEffect(() => {
    if (open && !Signing)
      loadSigning().then(
        (v) => setSigning(() => v),
        () => setLoadFailed(true),
      );
  }, [open]);

  // A document read before it was sealed never hides the signed copy
  // the room's state has already shown.
  const onDoc = (d: Doc) => setDocs((ds) => ds.map((x) => (x.id === d.id ? { ...d, signed: d.signed ?? x.signed } : x)));
  // A request or payment the customer changed shows at once, before the
  // room's state says so.
  const onRequest = (r: DocRequest) => setRequests((rs) => rs.map((x) => (x.id === r.id ? r : x)));
  const onPayment = (p: Payment) => setPayments((ps) => ps.map((x) => (x.id === p.id ? p : x)));
  const doc = docs.find((d) => d.id === open);
  const nothing = !docs.length && !requests.length && !payments.length;
  const title = info.agent ? "Your secure room with " + info.agent : "Your secure room";
  return (
    <>
      <RoomHeader brand={info.brand} customer={info.customer} company={info.company} title={title} compact={!!doc}>
        <p class="status" role="status" aria-live="polite">
          <span class={conn.live ? "dot live" : "dot"} id="dot" aria-hidden="true" />
          <span id="status">{conn.text}</span>
        </p>
      </RoomHeader>
      <p class="sr-only" aria-live="polite" id="news">
        {news}
      </p>
      {ended ? (
        <Ended docs={docs} requests={requests} payments={payments} company={info.company} />
      ) : doc ? (
        Signing ? (
          <Signing key={doc.id} doc={doc} onDoc={onDoc} onBack={() => (location.hash = "")} />
        ) : (
          <p class={loadFailed ? "alert" : "muted"} role="status">
            {loadFailed ? "The document could not be opened. Check your connection and reload the page." : "Opening the document…"}
          </p>
        )
      ) : (
        !unavailable && (
          <>
            {payments.length > 0 && (
              <section class="card" aria-labelledby="payments-title">
                <h2 id="payments-title">{payments.length > 1 ? "Payments" : "Payment"}</h2>
                <PaymentList payments={payments} onPayment={onPayment} />
              </section>
            )}
            {requests.length > 0 && (
              <section class="card" aria-labelledby="requests-title">
                <h2 id="requests-title">Documents to send</h2>
                <RequestList requests={requests} onRequest={onRequest} />
              </section>
            )}
            {(docs.length > 0 || nothing) && (
              <section class="card" aria-labelledby="docs-title">
                <h2 id="docs-title">{requests.length ? "Documents to read and sign" : "Documents"}</h2>
                <DocumentList docs={docs} />
              </section>
            )}
          </>
        )
      )}
      {!doc && !ended && <p class="hint">This page is private to you. Do not forward the link you received.</p>}
      {!doc && <RoomFoot brand={info.brand} />}
    </>
  );
}

// Ended is the room once the agent ended the session: what the customer
// did in it, from the state the page already had.
function Ended({ docs, requests, payments, company }: { docs: Doc[]; requests: DocRequest[]; payments: Payment[]; company?: string }) {
  const signed = docs.filter((d) => d.status === "completed");
  const sent = requests.filter((r) => r.status === "uploaded" || r.status === "accepted");
  const paid = payments.filter((p) => p.status === "paid");
  const did = [
    ...signed.map((d) => "You completed and signed “" + d.name + "”"),
    ...sent.map((r) => "You sent “" + r.type.name + "”" + (r.files.length ? " (" + r.files.length + (r.files.length > 1 ? " files)" : " file)") : "")),
    ...paid.map((p) => "You paid " + p.amount + " " + p.currency + (p.description ? " for " + p.description : "")),
  ];
  return (
    <section class="card ended" id="ended" aria-labelledby="ended-title">
      <h2 id="ended-title">This session has ended</h2>
      {did.length ? (
        <>
          <p>Thank you. Here is what you did:</p>
          <ul id="ended-summary">
            {did.map((w) => <li key={w}>{w}</li>)}
          </ul>
        </>
      ) : (
        <p id="ended-summary">Thank you. Nothing was left for you to do.</p>
      )}
      <p class="muted">You can close this page.{company ? " If you need anything more, contact " + company + "." : ""}</p>
    </section>
  );
}

const main = document.querySelector("main")!;
main.textContent = "";
render(<Room />, main);
