// The documents the agent asked the customer for, each with what to send
// and where it stands: Take photo (the phone's camera) or Choose file, as
// many files as it takes (front and back), each with its thumbnail, its
// progress while it uploads, Remove, and Retry when an upload fails
// (the others are kept); then Send, for the agent to review. A rejected
// request says why and takes new files; an accepted one is done.
import { useEffect, useRef, useState } from "preact/hooks";
import { call, requestURL, said, type DocRequest, type RequestFile } from "./roomapi";
import { isHEIC, isPDF, prepare, sendFile } from "./photo";

// Upload is a file on its way to the hub: its progress (0 to 1), or the
// error that stopped it.
type Upload = { key: number; file: File; thumb: string; progress: number; error: string };

let uploads = 0; // numbers each upload of this page

// maxFiles is as many files as one round of a request takes.
const maxFiles = 10;

const chooseTypes = "image/*,application/pdf,.heic,.heif";

export function RequestList({ requests, onRequest }: { requests: DocRequest[]; onRequest: (r: DocRequest) => void }) {
  return (
    <ul class="requests" id="requests">
      {requests.map((r) => <RequestItem key={r.id} req={r} onRequest={onRequest} />)}
    </ul>
  );
}

// standing says where a request stands, in the customer's words.
function standing(r: DocRequest): string {
  switch (r.status) {
    case "uploaded":
      return "Sent · being reviewed";
    case "accepted":
      return "Accepted";
    case "rejected":
      return "Please send again";
  }
  return (r.files ?? []).length ? "Ready to send" : "To send";
}

function RequestItem({ req, onRequest }: { req: DocRequest; onRequest: (r: DocRequest) => void }) {
  const [local, setLocal] = useState<Upload[]>([]);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const camera = useRef<HTMLInputElement>(null);
  const chooser = useRef<HTMLInputElement>(null);
  const open = req.status === "requested" || req.status === "rejected";
  // Once rejected, the files listed are those rejected: the new round
  // starts empty.
  const files = req.status === "rejected" ? [] : req.files ?? [];

  // The thumbnails' object URLs are let go with the page's item.
  const thumbs = useRef(new Set<string>());
  useEffect(() => () => thumbs.current.forEach((u) => URL.revokeObjectURL(u)), []);
  const drop = (key: number) =>
    setLocal((us) => {
      const u = us.find((x) => x.key === key);
      if (u?.thumb) {
        URL.revokeObjectURL(u.thumb);
        thumbs.current.delete(u.thumb);
      }
      return us.filter((x) => x.key !== key);
    });
  const patch = (key: number, p: Partial<Upload>) => setLocal((us) => us.map((u) => (u.key === key ? { ...u, ...p } : u)));

  async function upload(u: Upload) {
    patch(u.key, { progress: 0, error: "" });
    try {
      const r = await sendFile<{ request: DocRequest }>(requestURL(req.id, "/files"), u.file, (p) => patch(u.key, { progress: p }));
      if (r.request) onRequest(r.request);
      drop(u.key);
    } catch (err) {
      patch(u.key, { error: said(err) });
    }
  }

  async function pick(e: Event) {
    const input = e.target as HTMLInputElement;
    const picked = [...(input.files ?? [])];
    input.value = ""; // the same photo may be picked again
    setError("");
    const room = maxFiles - files.length - local.length;
    if (picked.length > room) setError("Up to " + maxFiles + " files per document: " + (room > 0 ? "only the first " + room + " were added." : "remove one to add another."));
    for (const f of picked.slice(0, Math.max(0, room))) {
      const file = await prepare(f);
      const thumb = file.type.startsWith("image/") && !isHEIC(file) ? URL.createObjectURL(file) : "";
      if (thumb) thumbs.current.add(thumb);
      const u: Upload = { key: ++uploads, file, thumb, progress: 0, error: "" };
      setLocal((us) => [...us, u]);
      upload(u);
    }
  }

  async function remove(f: RequestFile) {
    setError("");
    try {
      const r = await call<{ request: DocRequest }>("DELETE", requestURL(req.id, "/files/" + f.id));
      onRequest(r.request);
    } catch (err) {
      setError(said(err));
    }
  }

  async function submit() {
    setBusy(true);
    setError("");
    try {
      const r = await call<{ request: DocRequest }>("POST", requestURL(req.id, "/submit"));
      onRequest(r.request);
    } catch (err) {
      setError(said(err));
    } finally {
      setBusy(false);
    }
  }

  const sending = local.some((u) => !u.error);
  // Leaving the page mid-upload asks first: the upload would be lost.
  useEffect(() => {
    if (!sending) return;
    const ask = (e: BeforeUnloadEvent) => e.preventDefault();
    addEventListener("beforeunload", ask);
    return () => removeEventListener("beforeunload", ask);
  }, [sending]);
  return (
    <li class={"request " + req.status} data-request={req.id} data-status={req.status}>
      <div class="request-head">
        <strong class="request-name">{req.type.name}</strong>
        <span class={"chip " + req.status}>{standing(req)}</span>
      </div>
      {req.note && <p class="request-note">{req.note}</p>}
      {req.status === "rejected" && (
        <p class="alert request-reason" role="status">
          Your agent needs a new copy{req.reason ? ": " + req.reason : ""}. Please send it again.
        </p>
      )}
      {req.status === "accepted" && <p class="request-done">✓ Your agent accepted it. Nothing more to do here.</p>}
      {req.status === "uploaded" && <p class="muted request-review">Sent. Your agent is reviewing it; you will see the result here.</p>}
      {open && (
        <>
          {(files.length > 0 || local.length > 0) && (
            <ul class="uploads" aria-label={"Files for " + req.type.name}>
              {files.map((f) => (
                <li key={f.id} class="upload" data-file={f.id}>
                  <Thumb name={f.name} type={f.content_type} src={requestURL(req.id, "/files/" + f.id)} />
                  <span class="upload-name">{f.name}</span>
                  <button type="button" class="quiet upload-remove" onClick={() => remove(f)} aria-label={"Remove " + f.name}>Remove</button>
                </li>
              ))}
              {local.map((u) => (
                <li key={"local-" + u.key} class={"upload" + (u.error ? " failed" : "")} data-uploading="">
                  <Thumb name={u.file.name} type={u.file.type} src={u.thumb} />
                  <span class="upload-name">
                    {u.file.name}
                    {u.error ? (
                      <span class="problem small">{u.error}</span>
                    ) : (
                      <progress max={1} value={u.progress} aria-label={"Uploading " + u.file.name} />
                    )}
                  </span>
                  {u.error && (
                    <span class="upload-fix">
                      <button type="button" class="secondary upload-retry" onClick={() => upload(u)}>Retry</button>
                      <button type="button" class="quiet upload-drop" onClick={() => drop(u.key)} aria-label={"Remove " + u.file.name}>Remove</button>
                    </span>
                  )}
                </li>
              ))}
            </ul>
          )}
          <div class="buttons pickers">
            <button type="button" class="secondary take-photo" onClick={() => camera.current?.click()}>Take photo</button>
            <button type="button" class="secondary choose-file" onClick={() => chooser.current?.click()}>Choose file</button>
            <input ref={camera} class="sr-only camera-input" type="file" accept="image/*" capture="environment" tabIndex={-1} aria-hidden="true" onChange={pick} />
            <input ref={chooser} class="sr-only file-input" type="file" accept={chooseTypes} multiple tabIndex={-1} aria-hidden="true" onChange={pick} />
          </div>
          <p class="problem small" role="alert">{error}</p>
          {(files.length > 0 || local.length > 0) && (
            <button type="button" class="primary request-send" disabled={busy || sending || files.length === 0} onClick={submit}>
              {busy ? "Sending…" : sending ? "Uploading…" : files.length > 1 ? "Send " + files.length + " files" : "Send"}
            </button>
          )}
        </>
      )}
    </li>
  );
}

// Thumb is a file small: the image, or a tile saying what it is (a PDF,
// a HEIC photo this browser cannot show).
function Thumb({ name, type, src }: { name: string; type: string; src: string }) {
  const [broken, setBroken] = useState(false);
  if (isPDF({ name, type }) || !src || broken) {
    return <span class="thumb tile" aria-hidden="true">{isPDF({ name, type }) ? "PDF" : isHEIC({ name, type }) ? "HEIC" : "File"}</span>;
  }
  return <img class="thumb" src={src} alt="" onError={() => setBroken(true)} />;
}
