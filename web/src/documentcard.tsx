// A document of the session as a card: its status, how many of the
// customer's required fields are filled, the pages they viewed, Preview
// (the PDF with the customer's current values) and, once completed,
// Download completed PDF, then the signed PDF once the hub has sealed it
// ("Sealing…" until then: usually a second, longer while the timestamp
// authority is down). It follows the room's live state and log.
import { useState } from "preact/hooks";
import { PdfPages, usePDF } from "./pdfview";
import { Sheet } from "./sheet";
import type { Doc, RoomEvent } from "./types";

const statusWords: Record<string, string> = {
  pending: "Waiting for Invite client",
  sent: "Sent",
  opened: "Opened",
  in_progress: "Filling",
  completed: "Completed",
  declined: "Declined",
};

export function DocumentCard({ roomId, doc, events }: { roomId: string; doc: Doc; events: RoomEvent[] }) {
  const [previewing, setPreviewing] = useState(false);
  const required = doc.fields.filter((f) => f.role === "customer" && f.required);
  const filled = required.filter((f) => f.filled).length;
  const mine = events.filter((e) => e.data?.document === doc.id);
  const viewed = [...new Set(mine.filter((e) => e.type === "document.page_viewed").map((e) => Number(e.data.page)))].sort((a, b) => a - b);
  const reason = mine.filter((e) => e.type === "document.declined").map((e) => e.data.reason as string).pop();
  const base = "/api/v1/rooms/" + roomId + "/documents/" + doc.id;
  return (
    <li class="doc-card" data-document={doc.id} data-status={doc.status}>
      <div class="bar">
        <strong class="doc-name">{doc.name}</strong>
        <span class="chip doc-status" data-status={doc.status}>{statusWords[doc.status] ?? doc.status}{doc.status === "declined" && reason ? ": " + reason : ""}</span>
      </div>
      <p class="muted small doc-progress">
        {required.length === 0 ? "No required fields for the customer" : filled + " of " + required.length + " required fields filled"}
        {" · "}{doc.pages} {doc.pages === 1 ? "page" : "pages"}
        {" · "}<span class="doc-viewed">{viewed.length === 0 ? "no page viewed yet" : "viewed page" + (viewed.length > 1 ? "s " : " ") + viewed.join(", ")}</span>
      </p>
      {required.length > 0 && <progress class="doc-bar" max={required.length} value={filled} aria-label={"Required fields filled in " + doc.name} />}
      <div class="bar doc-actions">
        <button type="button" class="secondary doc-preview" onClick={() => setPreviewing(true)}>Preview</button>
        {doc.status === "completed" && <a class="button doc-download" href={base + "/completed"} download={doc.name + ".pdf"}>Download completed PDF</a>}
        {doc.status === "completed" &&
          (doc.signed ? (
            <a class="button doc-signed" href={base + "/signed"} download={doc.name + " (signed).pdf"} title={"SHA-256 " + doc.signed}>
              Signed PDF
            </a>
          ) : (
            <span class="doc-sealing muted small" role="status" title="The hub is sealing the signed PDF: it appears here once sealed (tried again while the timestamp authority is unreachable)">
              <span class="spinner" aria-hidden="true" />
              Sealing…
            </span>
          ))}
      </div>
      {previewing && <Preview url={base + "/preview"} name={doc.name} onClose={() => setPreviewing(false)} />}
    </li>
  );
}

// Preview shows the PDF as it would be completed now, with the values
// filled so far: read anew each time it opens.
function Preview({ url, name, onClose }: { url: string; name: string; onClose: () => void }) {
  const [src] = useState(url + "?t=" + Date.now());
  const { doc, error } = usePDF(src);
  return (
    <Sheet id="preview" title={"Preview of “" + name + "”"} onClose={onClose}>
      <p class="muted small">With the values filled so far.</p>
      {error ? <p class="error">{error}</p> : doc ? <PdfPages doc={doc} /> : <p class="muted">Loading the pages…</p>}
    </Sheet>
  );
}
