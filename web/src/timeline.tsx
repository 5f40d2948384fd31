// The session's timeline: a line per event of the room's log, in words,
// with the documents' events named after the document and its fields,
// a line when the customer has filled every required field, and the
// SHA-256 of each signed PDF the hub seals. Document requests are named
// after the type asked for, payments after their amount.
import { money } from "./money";
import type { RoomEvent } from "./types";
import { words } from "./words";

type DocInfo = { name: string; fields: Map<string, { label: string; type: string; role: string; required: boolean }>; filled: Set<string>; allFilled: boolean };

// hash, when there is one, is a file's SHA-256, shown in full after text.
type Line = { key: string; seq: number; type: string; at: string; text: string; hash?: string };

const q = (s: string) => "“" + s + "”";

// lines turns the log into the timeline's lines, following each
// document's fields from document.added on.
export function lines(events: RoomEvent[]): Line[] {
  const docs = new Map<string, DocInfo>();
  const requests = new Map<string, string>(); // a request's type's name
  const files = new Map<string, string>(); // an uploaded file's name
  const payments = new Map<string, string>(); // a payment's amount
  const out: Line[] = [];
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

export function Timeline({ events }: { events: RoomEvent[] }) {
  return (
    <ol class="timeline" id="timeline" aria-live="polite">
      {lines(events).map((l) => (
        <li key={l.key} data-seq={l.seq} data-type={l.type}>
          <time dateTime={l.at}>{new Date(l.at).toLocaleTimeString()}</time> {l.text}
          {l.hash && (
            <>
              {" · SHA-256 "}
              <code class="hash">{l.hash}</code>
            </>
          )}
        </li>
      ))}
    </ol>
  );
}
