// The session's timeline: a line per event of the room's log, in words,
// with the documents' events named after the document and its fields,
// a line when the customer has filled every required field, and the
// SHA-256 of each signed PDF the hub seals. Document requests are named
// after the type asked for, payments after their amount.
import { money } from "./money";
import type { RoomEvent } from "./types";
import { spaced, words, zoned } from "./words";

type DocInfo = { name: string; fields: Map<string, { label: string; type: string; role: string; required: boolean }>; filled: Set<string>; allFilled: boolean };

// hash, when there is one, is a file's SHA-256, shown in full after text.
// role is a presence line's participant's.
type Line = { key: string; seq: number; type: string; at: string; text: string; hash?: string; role?: string };

const q = (s: string) => "“" + s + "”";

// lines turns the log into the timeline's lines, following each
// document's fields from document.added on.
export function lines(events: RoomEvent[]): Line[] {
  const docs = new Map<string, DocInfo>();
  const requests = new Map<string, string>(); // a request's type's name
  const files = new Map<string, string>(); // an uploaded file's name
  const payments = new Map<string, string>(); // a payment's amount
  const out: Line[] = [];
  let revoked = ""; // the reason of the link revoked just before
  for (const e of events) {
    const d = e.data ?? {};
    const line = (text: string, key = String(e.seq), hash?: string) => out.push({ key, seq: e.seq, type: e.type, at: e.at, text, hash });
    if (e.type.startsWith("request.")) {
      if (e.type === "request.added") requests.set(d.id, d.type?.name ?? "a document");
      if (e.type === "request.file_uploaded" && d.file?.id) files.set(d.file.id, d.file.name);
      line(requestWords(e, q(requests.get(d.request ?? d.id) ?? "a document"), files.get(d.file)));
      continue;
    }
    if (e.type.startsWith("payment.")) {
      if (e.type === "payment.requested") payments.set(d.id, money(fromMinor(d.amount_minor), d.currency) + (d.description ? " (" + d.description + ")" : ""));
      line(paymentWords(e, payments.get(d.payment ?? d.id) ?? "a payment"));
      continue;
    }
    if (e.type === "room.link_revoked") {
      // A link ended by the close, Resend or Copy link is told by the
      // line that follows it.
      revoked = d.reason;
      if (d.reason === "closed" || d.reason === "resent" || d.reason === "copied") continue;
      line(words(e));
      continue;
    }
    if (e.type === "room.invited" && revoked === "resent") {
      revoked = "";
      line("Link sent again by " + (e.actor.name ?? "an agent") + " " + (d.channel === "sms" ? "by SMS to " + spaced(d.to ?? "") : "by email to " + d.to));
      continue;
    }
    revoked = "";
    if (e.type === "participant.left" || e.type === "participant.joined") {
      out.push({ key: String(e.seq), seq: e.seq, type: e.type, at: e.at, text: words(e), role: d.role });
      continue;
    }
    if (!e.type.startsWith("document.")) {
      line(words(e));
      continue;
    }
    if (e.type === "document.added") {
      const fields = new Map<string, { label: string; type: string; role: string; required: boolean }>();
      for (const f of d.fields ?? []) fields.set(f.id, { label: f.label || f.type, type: f.type, role: f.role, required: f.required });
      docs.set(d.id, { name: d.name, fields, filled: new Set([...Object.keys(d.values ?? {}), ...Object.keys(d.files ?? {})]), allFilled: false });
      line("Document " + q(d.name) + " added");
      continue;
    }
    const doc = docs.get(d.document);
    const name = q(doc?.name ?? "a document");
    switch (e.type) {
      case "document.sent": line("Document " + name + " sent"); break;
      case "document.opened": line("Customer opened " + name); break;
      case "document.page_viewed": line("Customer viewed page " + d.page + " of " + name); break;
      case "document.completed": line("Customer finished " + name); break;
      case "document.declined": line("Customer declined " + name + (d.reason ? ": " + d.reason : "")); break;
      case "document.sealed": line("Signed PDF of " + name + " sealed", undefined, d.sha256); break;
      case "document.field_filled": {
        const f = doc?.fields.get(d.field);
        const label = q(f?.label ?? "a field");
        // A drawing (signature, initials) names its file and carries no
        // value; an empty value clears the field.
        const drawing = d.signature || d.file || f?.type === "signature" || f?.type === "initials";
        const value = d.value ?? "";
        const has = value !== "" || !!d.file || !!d.signature;
        const who = e.actor.kind === "customer" ? "Customer" : "Agent";
        if (!has) line(who + " cleared " + label);
        else if (drawing) line(who + " signed " + label);
        else if (f?.type === "checkbox") line(who + (value === "true" ? " checked " : " unchecked ") + label);
        else line(who + " filled " + label + ": " + value);
        if (!doc) break;
        // A checkbox counts as filled only when ticked, as the hub counts it.
        if (f?.type === "checkbox" ? value === "true" : has) doc.filled.add(d.field);
        else doc.filled.delete(d.field);
        const required = [...doc.fields].filter(([, x]) => x.role === "customer" && x.required).map(([id]) => id);
        const all = required.length > 0 && required.every((id) => doc.filled.has(id));
        if (all && !doc.allFilled) line("All required fields of " + name + " filled", e.seq + "-all");
        doc.allFilled = all;
        break;
      }
      default: line(words(e));
    }
  }
  return out;
}

// fromMinor writes minor units (cents) as an amount: 12550 → "125.50".
const fromMinor = (n: number) => Math.floor(n / 100) + "." + String(n % 100).padStart(2, "0");

// requestWords says what happened to the document request named name;
// removed is the name of the file removed, if known.
function requestWords(e: RoomEvent, name: string, removed?: string): string {
  const d = e.data ?? {};
  switch (e.type) {
    case "request.added": return "Agent asked for " + name + (d.note ? ": " + d.note : "");
    case "request.file_uploaded": return "Customer uploaded “" + (d.file?.name ?? "a file") + "” for " + name;
    case "request.file_removed": return "Customer removed " + (removed ? "“" + removed + "”" : "a file") + " from " + name;
    case "request.submitted": return "Customer sent " + name + " for review";
    case "request.accepted": return "Agent accepted " + name;
    case "request.rejected": return "Agent rejected " + name + (d.reason ? ": " + d.reason : "");
  }
  return "Change to " + name;
}

// declineWords are the card networks' reasons in words, for the codes
// the hub may give without a reason of its own.
const declineWords: Record<string, string> = {
  card_declined: "the card was declined",
  insufficient_funds: "insufficient funds",
  expired_card: "the card has expired",
  incorrect_cvc: "the security code is wrong",
  processing_error: "the card could not be processed",
};

// paymentWords says what happened to the payment described by what.
function paymentWords(e: RoomEvent, what: string): string {
  const d = e.data ?? {};
  const why = d.reason || declineWords[d.code] || "";
  const card = d.card_last4 ? " with the card ending " + d.card_last4 : "";
  switch (e.type) {
    case "payment.requested": return "Agent requested a payment of " + what;
    case "payment.started": return "Customer started paying " + what;
    case "payment.paid": return "Customer paid " + what + card;
    case "payment.declined": return "Payment of " + what + " declined" + (why ? ": " + why : "");
    case "payment.failed": return "Payment of " + what + " failed" + (why ? ": " + why : "");
    case "payment.canceled": return (d.by === "customer" ? "Customer declined to pay " : "Agent withdrew the payment request of ") + what + (d.reason && d.by === "customer" ? ": " + d.reason : "");
  }
  return "Change to the payment of " + what;
}

// folded folds a customer's leave and rejoin within 30 s into one line,
// "Customer reconnected after 12 s": a dropped connection, not a visit.
export function folded(ls: Line[]): Line[] {
  const out: Line[] = [];
  for (let i = 0; i < ls.length; i++) {
    const l = ls[i];
    if (l.type === "participant.left" && l.role === "customer") {
      const j = ls.findIndex((x, k) => k > i && (x.type === "participant.joined" || x.type === "participant.left") && x.role === "customer");
      const back = j > 0 ? ls[j] : undefined;
      const gap = back ? (Date.parse(back.at) - Date.parse(l.at)) / 1000 : Infinity;
      if (back && back.type === "participant.joined" && gap <= 30) {
        out.push({ ...l, type: "participant.reconnected", text: "Customer reconnected after " + Math.max(1, Math.round(gap)) + " s" });
        ls = ls.filter((_, k) => k !== j);
        continue;
      }
    }
    out.push(l);
  }
  return out;
}

// kind is the family of an event type, for its icon.
function kind(type: string): string {
  if (type === "room.closed") return "end";
  if (type === "room.created") return "start";
  if (type.startsWith("participant.")) return type === "participant.activity" ? "activity" : "presence";
  if (type === "invitation.delivery") return "delivery";
  if (type.startsWith("room.") || type.startsWith("invitation.")) return "link";
  if (type.startsWith("document.")) return "document";
  if (type.startsWith("request.")) return "request";
  if (type.startsWith("payment.")) return "payment";
  return "other";
}

// icons are drawn in currentColor on a 24-unit grid; each line says in
// words what its icon shows.
const icons: Record<string, string> = {
  start: "M5 12h14M12 5l7 7-7 7",
  end: "M6 6h12v12H6z",
  presence: "M12 12a4 4 0 100-8 4 4 0 000 8zM4 21a8 8 0 0116 0",
  activity: "M2 12s4-7 10-7 10 7 10 7-4 7-10 7S2 12 2 12zM12 15a3 3 0 100-6 3 3 0 000 6z",
  delivery: "M4 4h16v12H7l-3 3zM8 9h8M8 12h5",
  link: "M10 14a4 4 0 005.7 0l3-3a4 4 0 00-5.7-5.7l-1 1M14 10a4 4 0 00-5.7 0l-3 3a4 4 0 005.7 5.7l1-1",
  document: "M6 2h8l4 4v16H6zM14 2v4h4M9 13h6M9 17h6",
  request: "M12 16V4M7 9l5-5 5 5M4 20h16",
  payment: "M3 6h18v12H3zM3 10h18M7 15h3",
  other: "M12 8v4M12 16h.01M12 3a9 9 0 100 18 9 9 0 000-18z",
};

export function Timeline({ events, zone }: { events: RoomEvent[]; zone?: string }) {
  const time = zoned(zone, { hour: "numeric", minute: "2-digit", second: "2-digit" });
  const dayKey = zoned(zone, { year: "numeric", month: "2-digit", day: "2-digit" });
  const dayWords = zoned(zone, { weekday: "long", day: "numeric", month: "long", year: "numeric" });
  const days: { key: string; title: string; lines: Line[] }[] = [];
  for (const l of folded(lines(events))) {
    const at = new Date(l.at);
    const key = dayKey.format(at);
    if (days.length === 0 || days[days.length - 1].key !== key) days.push({ key, title: dayWords.format(at), lines: [] });
    days[days.length - 1].lines.push(l);
  }
  return (
    <div class="timeline-days" id="timeline" aria-live="polite">
      {days.map((d) => (
        <section key={d.key} class="timeline-day" aria-label={d.title}>
          <h3 class="timeline-day-title">{d.title}</h3>
          <ol class="timeline">
            {d.lines.map((l) => (
              <li key={l.key} data-seq={l.seq} data-type={l.type} data-kind={kind(l.type)}>
                <svg class="timeline-icon" viewBox="0 0 24 24" aria-hidden="true"><path d={icons[kind(l.type)]} /></svg>
                <span class="timeline-text">
                  <time dateTime={l.at}>{time.format(new Date(l.at))}</time> {l.text}
                  {l.hash && (
                    <>
                      {" · SHA-256 "}
                      <code class="hash">{l.hash}</code>
                    </>
                  )}
                </span>
              </li>
            ))}
          </ol>
        </section>
      ))}
    </div>
  );
}
