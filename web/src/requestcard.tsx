// A document request of the session as a card: the type asked for, the
// agent's note, where it stands, and the customer's files as they arrive
// (live, from the room's state): images shown small (click to enlarge),
// PDFs in the PDF viewer, a HEIC photo where the browser can show one,
// each to download. Once the customer has sent them: Accept, or Reject
// with a reason the customer reads.
import { useEffect, useRef, useState } from "preact/hooks";
import { api, message } from "./api";
import { drawPage } from "./pdf";
import { PdfPages, usePDF } from "./pdfview";
import { isHEIC, isPDF } from "./photo";
import { Sheet } from "./sheet";
import type { DocRequest, RequestFile } from "./types";

const statusWords: Record<string, string> = {
  requested: "Requested",
  uploaded: "Uploaded — review",
  accepted: "Accepted",
  rejected: "Rejected",
};

// quickReasons are the reasons an agent most often gives, one click each.
const quickReasons = ["Blurry", "Expired", "Wrong document", "Cut off"];

// size writes a file's size for people: 340 KB, 2.1 MB.
function size(n: number): string {
  if (n < 1024 * 1024) return Math.max(1, Math.round(n / 1024)) + " KB";
  return (n / 1024 / 1024).toFixed(1) + " MB";
}

export function RequestCard({ roomId, req, preplanned, onChange }: { roomId: string; req: DocRequest; preplanned: boolean; onChange: (r: DocRequest) => void }) {
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const [open, setOpen] = useState<RequestFile | null>(null);
  const base = "/api/v1/rooms/" + roomId + "/requests/" + req.id;
  const fileURL = (f: RequestFile) => base + "/files/" + f.id;

  async function review(decision: "accept" | "reject") {
    setBusy(true);
    setError("");
    try {
      const r = await api<{ request: DocRequest }>("POST", "/rooms/" + roomId + "/requests/" + req.id + "/review", { decision, reason: decision === "reject" ? reason.trim() : undefined });
      setRejecting(false);
      setReason("");
      onChange(r.request);
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  }

  const waiting = preplanned && req.status === "requested";
  const files = req.files ?? [];
  return (
    <li class="req-card" data-request={req.id} data-status={req.status}>
      <div class="bar">
        <strong class="req-name">{req.type.name}</strong>
        <span class="chip req-status" data-status={waiting ? "pending" : req.status}>
          {waiting ? "Waiting for Invite client" : statusWords[req.status] ?? req.status}
          {req.status === "rejected" && req.reason ? ": " + req.reason : ""}
        </span>
      </div>
      {req.note && <p class="muted small req-note">“{req.note}”</p>}
      {req.status === "rejected" && <p class="muted small req-again">The customer was asked to upload again{files.length ? "; the files rejected:" : "."}</p>}
      {files.length > 0 ? (
        <ul class="req-files" aria-label={"Files for " + req.type.name}>
          {files.map((f) => (
            <li key={f.id} data-file={f.id} class="req-file">
              <FileThumb f={f} url={fileURL(f)} onOpen={() => setOpen(f)} />
              <span class="req-file-name small" title={f.name}>{f.name}</span>
              <span class="muted small">{size(f.size)}</span>
              <a class="small req-download" href={fileURL(f) + "?download=1"} download={f.name}>Download</a>
            </li>
          ))}
        </ul>
      ) : (
        req.status === "requested" && !waiting && <p class="muted small req-waiting">No file yet: the customer's uploads appear here as they arrive.</p>
      )}
      {req.status === "requested" && files.length > 0 && <p class="muted small">The customer is still adding files: review once they press Send.</p>}
      {req.status === "uploaded" && !rejecting && (
        <div class="bar req-actions">
          <button type="button" class="req-accept" disabled={busy} onClick={() => review("accept")}>Accept</button>
          <button type="button" class="secondary req-reject" disabled={busy} onClick={() => { setRejecting(true); setError(""); }}>Reject…</button>
        </div>
      )}
      {req.status === "uploaded" && rejecting && (
        <form class="req-reject-form stack" noValidate onSubmit={(e) => { e.preventDefault(); if (reason.trim()) review("reject"); }}>
          <fieldset>
            <legend class="small">Why? The customer reads it.</legend>
            <div class="quick-reasons">
              {quickReasons.map((r) => (
                <button key={r} type="button" class={"secondary quick" + (reason === r ? " picked" : "")} aria-pressed={reason === r} onClick={() => setReason(r)}>{r}</button>
              ))}
            </div>
          </fieldset>
          <label>
            <span class="muted small">Reason</span>
            <input class="req-reason-input" value={reason} maxLength={200} placeholder="Or say it in your words" onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
          </label>
          <div class="bar">
            <button type="submit" class="danger req-reject-confirm" disabled={busy || !reason.trim()}>Reject</button>
            <button type="button" class="link" onClick={() => { setRejecting(false); setReason(""); }}>Cancel</button>
          </div>
        </form>
      )}
      <p class="error small" role="alert">{error}</p>
      {open && <FileViewer f={open} url={fileURL(open)} onClose={() => setOpen(null)} />}
    </li>
  );
}

// FileThumb is a file small: an image (a HEIC photo too, where the
// browser decodes it), a PDF's tile, or a tile to download a HEIC photo
// the browser cannot show.
function FileThumb({ f, url, onOpen }: { f: RequestFile; url: string; onOpen: () => void }) {
  const [broken, setBroken] = useState(false);
  if (isPDF(f)) {
    return (
      <button type="button" class="thumb pdf" onClick={onOpen} aria-label={"Open " + f.name}>
        <PdfThumb url={url} />
        <span class="badge">PDF</span>
      </button>
    );
  }
  if (broken) {
    return isHEIC(f) ? (
      <a class="thumb tile heic" href={url + "?download=1"} download={f.name}>HEIC photo — Download</a>
    ) : (
      <a class="thumb tile" href={url + "?download=1"} download={f.name}>Cannot show — Download</a>
    );
  }
  return (
    <button type="button" class="thumb" onClick={onOpen} aria-label={"Enlarge " + f.name}>
      <img src={url} alt={f.name} loading="lazy" onError={() => setBroken(true)} />
    </button>
  );
}

// PdfThumb draws a PDF's first page small, the top of it in view.
function PdfThumb({ url }: { url: string }) {
  const { doc } = usePDF(url);
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = canvas.current;
    if (doc && c) drawPage(doc, 1, c, 160).then(() => c.setAttribute("data-drawn", ""), () => undefined);
  }, [doc]);
  return <canvas ref={canvas} aria-hidden="true" />;
}

// FileViewer shows one file large: an image at its size (at most the
// screen's), or a PDF's pages.
function FileViewer({ f, url, onClose }: { f: RequestFile; url: string; onClose: () => void }) {
  const download = <a class="button" href={url + "?download=1"} download={f.name}>Download</a>;
  return (
    <Sheet id="file-viewer" title={f.name} onClose={onClose} wide={isPDF(f)} actions={download}>
      {isPDF(f) ? <PdfFile url={url} /> : <img class="file-large" src={url} alt={f.name} />}
    </Sheet>
  );
}

function PdfFile({ url }: { url: string }) {
  const { doc, error } = usePDF(url);
  return error ? <p class="error">{error}</p> : doc ? <PdfPages doc={doc} /> : <p class="muted">Loading the pages…</p>;
}
