// What the hub found in a PDF sent to the verify page, in plain words: a
// headline first (sealed here and unchanged, changed since, sealed by
// someone else, no seal at all), then what the seal vouches for — the
// document, the company, the customer, the agent, when it was sealed (in
// the visitor's time and in the company's) — and each check made and
// each that failed.

// Verdict is the answer of POST /api/v1/verify (hub/app/verify.go).
export type Verdict = {
  ok: boolean;
  seal: {
    signed: boolean;
    intact: boolean;
    whole_file: boolean;
    trusted: boolean;
    subject?: string;
    root?: string;
    signed_at?: string;
    timestamp?: { authority: string; at: string; valid: boolean };
    problems?: string[];
  };
  trail?: Trail;
  evidence?: string[];
  problems?: string[];
};

// Trail is the audit trail a sealed file carries (audit-trail.json).
export type Trail = {
  company: string;
  room: string;
  document: { id: string; name: string; pages: number; original_sha256: string; completed_sha256: string };
  agent: { name: string; email: string };
  customer: { name: string; contact: string; channel: string; sent_at?: string; delivered_at?: string };
  time_zone: string;
  seal: { subject?: string; root?: string; tsa?: string };
  generated_at: string;
};

// Kind is what a verdict comes to, for its headline.
export type Kind = "ok" | "changed" | "foreign" | "unsealed" | "doubtful";

export function kindOf(v: Verdict): Kind {
  const s = v.seal;
  if (v.ok) return "ok";
  if (!s.signed) return "unsealed";
  if (!s.intact || !s.whole_file) return "changed";
  if (!s.trusted) return "foreign";
  return "doubtful";
}

const headlines: Record<Kind, { title: string; text: string }> = {
  ok: {
    title: "Sealed by this hub and unchanged since",
    text: "The seal is valid, it was made with this hub's certificate, and it covers every byte of the file: nothing was added or changed after sealing.",
  },
  changed: {
    title: "This file was changed after it was sealed",
    text: "It carries a seal, but the file is not the one that was sealed: do not rely on what it shows. Ask for the signed copy again.",
  },
  foreign: {
    title: "Not sealed by this hub",
    text: "The file carries a valid digital signature, but not one made with this hub's certificate. It may come from another Tandem hub or another signing service: check it there.",
  },
  unsealed: {
    title: "This file carries no Tandem seal",
    text: "It has no digital signature. It may be the completed PDF rather than the signed copy, or a copy that was printed or saved again.",
  },
  doubtful: {
    title: "Sealed by this hub, but not everything checks",
    text: "The seal is this hub's and covers the whole file, but some of what it vouches for does not check: see below.",
  },
};

// sentence starts s with a capital and ends it with a full stop, as the
// hub's messages do not.
function sentence(s: string): string {
  const t = s.charAt(0).toUpperCase() + s.slice(1);
  return /[.!?]$/.test(t) ? t : t + ".";
}

// withHashes sets each SHA-256 in s in monospace.
function withHashes(s: string) {
  return s.split(/\b([0-9a-f]{64})\b/).map((part, i) => (i % 2 ? <code class="hash">{part}</code> : part));
}

// when writes an instant in the visitor's time, or in zone.
function when(at: string, zone?: string): string {
  const d = new Date(at);
  try {
    return new Intl.DateTimeFormat(undefined, { dateStyle: "long", timeStyle: "long", timeZone: zone }).format(d);
  } catch {
    return d.toISOString(); // an unknown zone
  }
}

// localZone is the visitor's time zone, such as Europe/Paris.
function localZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone ?? "";
}

function size(n: number): string {
  return n < 1 << 20 ? Math.max(1, Math.round(n / 1024)) + " KB" : (n / (1 << 20)).toFixed(1) + " MB";
}

export function VerdictView({ verdict: v, file }: { verdict: Verdict; file: { name: string; size: number } }) {
  const kind = kindOf(v);
  const h = headlines[kind];
  const t = v.trail;
  const s = v.seal;
  const ts = s.timestamp;
  const at = ts?.valid ? ts.at : s.signed_at;
  // What checked: the seal's own checks, then the hub's of the attached
  // files (the original and the completed PDF the trail names).
  const evidence = [
    ...(s.intact && s.whole_file ? ["the seal's signature matches the file, and covers all of it"] : []),
    ...(s.intact && s.trusted ? ["the seal's certificate leads to this hub's root"] : []),
    ...(ts?.valid ? ["the timestamp is the authority's, over this seal"] : []),
    ...(v.evidence ?? []),
  ];
  const problems = v.problems ?? [];
  return (
    <section class={"card verdict " + kind} id="verdict" data-verdict={kind} aria-labelledby="verdict-title">
      <div class="verdict-head">
        <span class="mark" aria-hidden="true">
          {kind === "ok" ? "✓" : kind === "unsealed" ? "?" : "!"}
        </span>
        <div>
          <h2 id="verdict-title" tabIndex={-1}>
            {h.title}
          </h2>
          <p class="muted small file-name">
            {file.name} · {size(file.size)}
          </p>
        </div>
      </div>
      <p id="verdict-text">{h.text}</p>
      {(t || s.subject) && (
        <dl class="facts" id="facts">
          {t && (
            <>
              <dt>Document</dt>
              <dd id="fact-document">
                {t.document.name}
                <span class="muted">
                  {" "}
                  · {t.document.pages} {t.document.pages === 1 ? "page" : "pages"}
                </span>
              </dd>
              <dt>Company</dt>
              <dd id="fact-company">{t.company}</dd>
              <dt>Customer</dt>
              <dd id="fact-customer">
                {t.customer.name}
                {t.customer.contact && <span class="muted"> · {t.customer.channel === "sms" ? "by SMS to " : "by email to "}{t.customer.contact}</span>}
              </dd>
              <dt>Agent</dt>
              <dd id="fact-agent">
                {t.agent.name}
                {t.agent.email && <span class="muted"> · {t.agent.email}</span>}
              </dd>
            </>
          )}
          {at && kind !== "changed" && (
            <>
              <dt>Sealed</dt>
              <dd id="fact-sealed">
                <span class="when">{when(at)}</span>
                <span class="muted small">Your time{localZone() ? " (" + localZone() + ")" : ""}</span>
                {t?.time_zone && t.time_zone !== localZone() && (
                  <>
                    <span class="when">{when(at, t.time_zone)}</span>
                    <span class="muted small">In {t.time_zone}, the company's time zone</span>
                  </>
                )}
                <span class="muted small">{ts?.valid ? "The time is the timestamp authority's." : "The time is the hub's own clock: no timestamp authority."}</span>
              </dd>
            </>
          )}
          {s.subject && (
            <>
              <dt>{kind === "changed" ? "Certificate it names" : "Certificate"}</dt>
              <dd id="fact-subject" class="wrap">
                {s.subject}
              </dd>
            </>
          )}
          {s.root && (
            <>
              <dt>Root fingerprint</dt>
              <dd id="fact-root">
                <code class="hash">{s.root}</code>
              </dd>
            </>
          )}
          {(ts || t) && (
            <>
              <dt>Timestamp authority</dt>
              <dd id="fact-tsa" class="wrap">
                {ts ? ts.authority + (ts.valid ? "" : " (its timestamp does not check)") : t?.seal.tsa || "None"}
              </dd>
            </>
          )}
        </dl>
      )}
      {evidence.length > 0 && (
        <>
          <h3>What was checked</h3>
          <ul class="checks" id="evidence">
            {evidence.map((e) => (
              <li class="passed" key={e}>
                {withHashes(sentence(e))}
              </li>
            ))}
          </ul>
        </>
      )}
      {problems.length > 0 && (
        <>
          <h3>What does not check</h3>
          <ul class="checks" id="problems">
            {problems.map((p) => (
              <li class="failed" key={p}>
                {sentence(p)}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
