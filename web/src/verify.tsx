// The public verify page (/verify): anyone, without signing in, drops a
// PDF or picks one, the hub checks it in memory and keeps nothing (POST
// /api/v1/verify), and the page says what it found (verdict.tsx). The
// next file is checked the same way, without a reload.
import { render } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { VerdictView, type Verdict } from "./verdict";

// maxBytes is the hub's bound on a file to check (app.MaxVerifyBytes).
const maxBytes = 76 << 20;

type Picked = { name: string; size: number };

type Step =
  | { kind: "idle" }
  | { kind: "busy"; file: Picked; sent: number } // sent: the share uploaded, 0 to 1
  | { kind: "done"; file: Picked; verdict: Verdict }
  | { kind: "error"; file: Picked; message: string };

// failure says in words why a file could not be checked, from the hub's
// error (its code and message) and the answer's status.
function failure(status: number, code: string | undefined, retryAfter: string | null): string {
  if (status === 429 || code === "rate_limited") {
    const s = Number(retryAfter);
    return "Many files were checked from your address in the last minute. Wait " + (s > 0 ? s + " seconds" : "a minute") + " and try again.";
  }
  if (status === 413 || code === "too_large") return "This file is larger than " + (maxBytes >> 20) + " MB: no signed copy from this hub is that large.";
  if (code === "unsupported_type") return "This file is not a PDF. Choose the signed copy you downloaded: its name ends in .pdf.";
  if (code === "verify_unavailable") return "This hub does not seal documents, so it cannot check seals.";
  if (status >= 500) return "The hub could not check the file just now. Try again in a moment.";
  return "The file could not be checked (error " + status + "). Try again, or choose another file.";
}

// check sends file to the hub, telling onSent how much of it is uploaded.
function check(file: File, onSent: (share: number) => void): Promise<Verdict> {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open("POST", "/api/v1/verify");
    x.setRequestHeader("Content-Type", "application/pdf");
    x.responseType = "json";
    x.upload.onprogress = (e) => e.lengthComputable && onSent(e.loaded / e.total);
    x.onload = () => {
      const body = x.response as (Verdict & { error?: { code?: string } }) | null;
      if (x.status === 200 && body && body.seal) resolve(body);
      else reject(new Error(failure(x.status, body?.error?.code, x.getResponseHeader("Retry-After"))));
    };
    x.onerror = () => reject(new Error("Could not reach the hub. Check your connection and try again."));
    x.send(file);
  });
}

function VerifyPage() {
  const [step, setStep] = useState<Step>({ kind: "idle" });
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const result = useRef<HTMLDivElement>(null);
  const busy = step.kind === "busy";

  const take = async (f: File | undefined) => {
    if (!f || busy) return;
    const file = { name: f.name || "the file", size: f.size };
    if (f.size > maxBytes) {
      setStep({ kind: "error", file, message: failure(413, "too_large", null) });
      return;
    }
    setStep({ kind: "busy", file, sent: 0 });
    try {
      const verdict = await check(f, (sent) => setStep((s) => (s.kind === "busy" ? { ...s, sent } : s)));
      setStep({ kind: "done", file, verdict });
    } catch (err) {
      setStep({ kind: "error", file, message: (err as Error).message });
    }
  };

  // The answer is read out and brought into view.
  useEffect(() => {
    if (step.kind !== "done" && step.kind !== "error") return;
    result.current?.scrollIntoView({ block: "start", behavior: "smooth" });
    result.current?.querySelector<HTMLElement>("h2, .alert")?.focus({ preventScroll: true });
  }, [step]);

  // A file dropped beside the zone is not opened by the browser in place
  // of the page.
  useEffect(() => {
    const stop = (e: DragEvent) => e.preventDefault();
    window.addEventListener("dragover", stop);
    window.addEventListener("drop", stop);
    return () => {
      window.removeEventListener("dragover", stop);
      window.removeEventListener("drop", stop);
    };
  }, []);

  return (
    <>
      <h1 id="title">Check a signed document</h1>
      <p id="intro">See whether a PDF was sealed by this hub, when and for whom, and whether it was changed since.</p>
      <div
        class={"card dropzone" + (over ? " over" : "") + (busy ? " busy" : "")}
        id="dropzone"
        aria-busy={busy}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          take(e.dataTransfer?.files[0]);
        }}
      >
        <svg class="doc-icon" viewBox="0 0 24 24" aria-hidden="true">
          <path d="M14 3H7a2 2 0 00-2 2v14a2 2 0 002 2h10a2 2 0 002-2V8z" />
          <path d="M14 3v5h5M9 15l2 2 4-4" />
        </svg>
        <p class="drop-hint">Drop the signed PDF here, or</p>
        <button type="button" class="primary" id="choose" disabled={busy} onClick={() => input.current?.click()}>
          {step.kind === "idle" ? "Choose a PDF" : "Choose another PDF"}
        </button>
        <input
          ref={input}
          id="file"
          class="sr-only"
          type="file"
          accept="application/pdf,.pdf"
          tabIndex={-1}
          aria-label="Choose a PDF"
          onChange={(e) => {
            const el = e.currentTarget;
            take(el.files?.[0]);
            el.value = ""; // the same file can be picked again
          }}
        />
        {busy && (
          <div class="checking" id="checking" role="status">
            <p>
              <span class="spinner" aria-hidden="true" />
              {step.sent < 1 ? "Sending " : "Checking "}
              <span class="file-name">{step.file.name}</span>…
            </p>
            {step.sent < 1 ? <progress key="sending" max={1} value={step.sent} aria-label={"Sending " + step.file.name} /> : <progress key="checking" aria-label={"Checking " + step.file.name} />}
          </div>
        )}
      </div>
      <p class="hint" id="privacy">
        <svg class="lock" viewBox="0 0 24 24" aria-hidden="true">
          <rect x="5" y="11" width="14" height="10" rx="2" />
          <path d="M8 11V7a4 4 0 018 0v4" />
        </svg>
        The file is checked in memory and never stored: nothing of it is kept on the hub.
      </p>
      {step.kind === "idle" && (
        <section class="about" aria-labelledby="about-title">
          <h2 id="about-title">What the check tells you</h2>
          <ul>
            <li>Whether this hub sealed the file, and whether a single byte of it changed since.</li>
            <li>For a sealed file: the document, the company, the customer, the agent, and when it was sealed.</li>
            <li>Check the signed copy, whose name ends in “(signed).pdf”: the completed PDF carries no seal.</li>
          </ul>
          <p class="hint">
            PDF readers such as Adobe Reader call this hub's seal unknown until they trust its{" "}
            <a href="/api/v1/verify/root.pem" download>root certificate</a>: compare its fingerprint with the one an audit trail prints
            before importing it.
          </p>
        </section>
      )}
      <div ref={result} aria-live="polite" id="result">
        {step.kind === "done" && <VerdictView verdict={step.verdict} file={step.file} />}
        {step.kind === "error" && (
          <p class="alert" id="verify-error" tabIndex={-1}>
            <strong>{step.file.name}</strong> could not be checked. {step.message}
          </p>
        )}
      </div>
    </>
  );
}

const main = document.querySelector("main")!;
main.textContent = "";
render(<VerifyPage />, main);
