// The Settings page (#/settings): for admins, the account's brand (its
// name, logo, accent color and the help line of customers' rooms) and its
// settings (time zone, quiet hours, reminders, message templates, the
// address book's scope, currency, signed copies by email); for every
// agent, their own photo, which their customers see. The hub checks each
// field and names the one at fault.
import { useEffect, useState } from "preact/hooks";
import { api, message, type APIError } from "./api";
import { contrastWithWhite, minContrast, setBrand, type Brand } from "./brand";
import type { Me } from "./types";

// Settings are the account's settings (GET/PUT /api/v1/account/settings).
type Settings = {
  time_zone?: string;
  quiet_start?: string;
  quiet_end?: string;
  remind_after_hours?: number;
  remind_max?: number;
  invite_template?: string;
  reminder_template?: string;
  notice_template?: string;
  email_subject?: string;
  contact_scope?: string;
  email_signed_copy?: boolean;
  currency?: string;
  accent_color?: string;
  help_line?: string;
};

// labels names each setting as the page does: the hub's messages name the
// field by its key, which people are not shown.
const labels: Record<string, string> = {
  name: "Company name",
  accent_color: "Accent color",
  help_line: "Help line",
  time_zone: "Time zone",
  quiet_start: "Quiet hours start",
  quiet_end: "Quiet hours end",
  remind_after_hours: "Remind after (hours)",
  remind_max: "Reminders at most",
  invite_template: "Invitation",
  reminder_template: "Reminder",
  notice_template: "New item notice",
  email_subject: "Email subject",
  contact_scope: "Agents see",
  currency: "Currency",
};

// fieldOf is the field a refusal of the hub is about, and its words with
// the keys replaced by the page's labels.
function fieldOf(err: unknown): { field: string; text: string } {
  const e = err as APIError;
  let text = message(err);
  let field = e?.code === "invalid_name" ? "name" : "";
  for (const k of Object.keys(labels)) {
    if (!field && text.startsWith(k + " ")) field = k;
    text = text.split(k).join(labels[k].toLowerCase());
  }
  text = text.charAt(0).toUpperCase() + text.slice(1);
  return { field, text };
}

const defaultAccent = "#2457d6";
const accentPattern = /^#[0-9a-fA-F]{6}$/;

export function SettingsPage({ me }: { me: Me }) {
  const admin = me.user.role === "admin";
  const [brand, setB] = useState<Brand | null>(null);
  const [name, setName] = useState("");
  const [set, setSet] = useState<Settings | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState("");
  const [saved, setSaved] = useState("");
  const [busy, setBusy] = useState(false);

  const show = (b: Brand) => {
    setB(b);
    setBrand(b);
  };
  useEffect(() => {
    api<Brand>("GET", "/account/brand").then((b) => { setB(b); setName(b.name); }).catch((err) => setError(message(err)));
    if (admin) api<Settings>("GET", "/account/settings").then(setSet).catch((err) => setError(message(err)));
  }, []);

  const change = (k: keyof Settings, v: string | number | boolean) => {
    setSet((s) => ({ ...s, [k]: v }));
    setErrors((e) => ({ ...e, [k]: "" }));
    setSaved("");
  };
  const text = (k: keyof Settings) => (e: Event) => change(k, (e.target as HTMLInputElement).value);
  const num = (k: keyof Settings) => (e: Event) => change(k, Number((e.target as HTMLInputElement).value || 0));

  async function save(e: Event) {
    e.preventDefault();
    if (!set || !brand) return;
    setBusy(true);
    setErrors({});
    setError("");
    setSaved("");
    try {
      if (name.trim() !== brand.name) show(await api<Brand>("PATCH", "/account", { name }));
      const s = await api<Settings>("PUT", "/account/settings", set);
      setSet(s);
      show(await api<Brand>("GET", "/account/brand"));
      setSaved("Settings saved.");
    } catch (err) {
      const f = fieldOf(err);
      if (f.field) setErrors({ [f.field]: f.text });
      else setError(f.text);
    } finally {
      setBusy(false);
    }
  }

  // fieldError is the message under a field, tied to its input.
  const fieldError = (k: string) => (
    <p class="error field-error" id={"err-" + k} role={errors[k] ? "alert" : undefined}>
      {errors[k] ?? ""}
    </p>
  );
  const described = (k: string) => ({ "aria-describedby": "err-" + k, "aria-invalid": errors[k] ? true : undefined });

  const accent = set?.accent_color || "";
  const shown = accentPattern.test(accent) ? accent : defaultAccent;
  const ratio = contrastWithWhite(shown);

  return (
    <main class="page settings-page">
      <h1>Settings</h1>
      {error && <p class="error" role="alert" id="settings-error">{error}</p>}
      {!admin && brand && <PhotoSection brand={brand} onBrand={show} />}
      {admin && brand && set && (
        <form class="settings-form" onSubmit={save} noValidate>
          <section class="card settings-section" aria-labelledby="brand-title">
            <h2 id="brand-title">Brand</h2>
            <p class="muted">Shown on the sign-in page, in the console's header and in your customers' rooms.</p>
            <label class="settings-field">
              Company name
              <input id="brand-name" value={name} maxLength={200} required onInput={(e) => { setName((e.target as HTMLInputElement).value); setErrors((x) => ({ ...x, name: "" })); }} {...described("name")} />
            </label>
            {fieldError("name")}
            <LogoField brand={brand} onBrand={show} />
            <fieldset class="settings-field accent-field">
              <legend>Accent color</legend>
              <div class="accent-row">
                <input type="color" id="accent-picker" aria-label="Accent color picker" value={shown} onInput={text("accent_color")} />
                <label class="accent-hex">
                  <span class="sr-only">Accent color as #rrggbb</span>
                  <input id="accent-color" value={accent} placeholder={defaultAccent} maxLength={7} onInput={text("accent_color")} {...described("accent_color")} />
                </label>
                <button type="button" class="link" id="accent-reset" onClick={() => change("accent_color", "")}>Use Tandem's</button>
              </div>
              <div class="accent-preview" aria-hidden="true">
                <span class="accent-sample" style={{ background: shown, borderColor: shown }}>Start session</span>
                <span class="accent-link" style={{ color: shown }}>A link</span>
              </div>
              <p class={ratio < minContrast ? "error" : "muted"} id="accent-contrast">
                White text on this color: contrast {ratio.toFixed(1)}:1
                {ratio < minContrast ? ` — too light: buttons need ${minContrast}:1. Pick a darker shade.` : " — readable."}
              </p>
              {fieldError("accent_color")}
            </fieldset>
            <label class="settings-field">
              Help line at the foot of customers' rooms
              <input id="help-line" value={set.help_line ?? ""} maxLength={200} placeholder="Questions? Call 1-800-555-0100, Mon–Fri 9–5" onInput={text("help_line")} {...described("help_line")} />
            </label>
            {fieldError("help_line")}
          </section>

          <PhotoSection brand={brand} onBrand={show} />

          <section class="card settings-section" aria-labelledby="reminders-title">
            <h2 id="reminders-title">Time and reminders</h2>
            <label class="settings-field">
              Time zone
              <input id="time-zone" value={set.time_zone ?? ""} placeholder="UTC, or e.g. America/New_York" onInput={text("time_zone")} {...described("time_zone")} />
            </label>
            {fieldError("time_zone")}
            <div class="settings-row">
              <label class="settings-field">
                Quiet hours start
                <input id="quiet-start" type="time" value={set.quiet_start ?? ""} onInput={text("quiet_start")} {...described("quiet_start")} />
              </label>
              <label class="settings-field">
                Quiet hours end
                <input id="quiet-end" type="time" value={set.quiet_end ?? ""} onInput={text("quiet_end")} {...described("quiet_end")} />
              </label>
            </div>
            {fieldError("quiet_start")}
            {fieldError("quiet_end")}
            <p class="muted">No reminder is sent during quiet hours. Leave both empty for none.</p>
            <div class="settings-row">
              <label class="settings-field">
                Remind after (hours)
                <input id="remind-after" type="number" min={0} max={720} value={set.remind_after_hours ?? 0} onInput={num("remind_after_hours")} {...described("remind_after_hours")} />
              </label>
              <label class="settings-field">
                Reminders at most
                <input id="remind-max" type="number" min={0} max={10} value={set.remind_max ?? 0} onInput={num("remind_max")} {...described("remind_max")} />
              </label>
            </div>
            {fieldError("remind_after_hours")}
            {fieldError("remind_max")}
            <p class="muted">0 and 0: no reminders.</p>
          </section>

          <section class="card settings-section" aria-labelledby="messages-title">
            <h2 id="messages-title">Messages</h2>
            <p class="muted">Placeholders: {"{customer}"}, {"{agent}"}, {"{company}"}, {"{link}"} and {"{valid}"}. Leave empty for Tandem's wording.</p>
            {(["invite_template", "reminder_template", "notice_template"] as const).map((k) => (
              <div key={k}>
                <label class="settings-field">
                  {labels[k]}
                  <textarea id={k.replace(/_/g, "-")} rows={3} value={set[k] ?? ""} onInput={text(k)} {...described(k)} />
                </label>
                {fieldError(k)}
              </div>
            ))}
            <label class="settings-field">
              Email subject
              <input id="email-subject" value={set.email_subject ?? ""} onInput={text("email_subject")} {...described("email_subject")} />
            </label>
            {fieldError("email_subject")}
            <label class="settings-check">
              <input id="email-signed-copy" type="checkbox" checked={!!set.email_signed_copy} onChange={(e) => change("email_signed_copy", (e.target as HTMLInputElement).checked)} />
              Email customers invited by email the signed copy of each document they complete
            </label>
          </section>

          <section class="card settings-section" aria-labelledby="other-title">
            <h2 id="other-title">Address book and payments</h2>
            <label class="settings-field">
              Agents see
              <select id="contact-scope" value={set.contact_scope || "all"} onChange={text("contact_scope")} {...described("contact_scope")}>
                <option value="all">All contacts</option>
                <option value="team">Their team's contacts</option>
                <option value="own">Their own contacts</option>
              </select>
            </label>
            {fieldError("contact_scope")}
            <label class="settings-field">
              Currency of payment requests
              <input id="currency" value={set.currency ?? ""} placeholder="USD" maxLength={3} onInput={text("currency")} {...described("currency")} />
            </label>
            {fieldError("currency")}
          </section>

          <div class="settings-actions">
            <button type="submit" id="settings-save" disabled={busy}>{busy ? "Saving…" : "Save settings"}</button>
            <p class="muted" role="status" id="settings-saved">{saved}</p>
          </div>
        </form>
      )}
    </main>
  );
}

// putImage sends an image file as the body of PUT path.
async function putImage(path: string, file: File): Promise<Brand> {
  let res: Response;
  try {
    res = await fetch("/api/v1" + path, { method: "PUT", credentials: "same-origin", headers: { "Content-Type": file.type || "application/octet-stream" }, body: file });
  } catch {
    throw { code: "network", message: "The hub cannot be reached: check the connection and try again." } as APIError;
  }
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw (data.error ?? { code: "http_" + res.status, message: res.status === 413 ? "The image is too large: 512 KiB at most." : "The hub answered " + res.status + "." }) as APIError;
  return data as Brand;
}

// ImageField is an image the hub keeps (the logo, a photo): its preview,
// a file to replace it, and Remove.
function ImageField({ id, label, hint, url, path, alt, onBrand }: { id: string; label: string; hint: string; url?: string; path: string; alt: string; onBrand: (b: Brand) => void }) {
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const run = async (p: Promise<Brand>) => {
    setBusy(true);
    setError("");
    try {
      onBrand(await p);
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="settings-field image-field">
      <span class="image-field-label" id={id + "-label"}>{label}</span>
      <div class="image-row">
        <div class={"image-preview " + id + "-preview"}>{url ? <img id={id + "-preview"} src={url} alt={alt} /> : <span class="muted">None</span>}</div>
        <div class="image-actions">
          <label class="button-like">
            {url ? "Replace…" : "Upload…"}
            <input
              type="file"
              id={id + "-file"}
              class="sr-only"
              accept="image/png,image/jpeg,image/webp"
              aria-describedby={id + "-hint " + id + "-error"}
              disabled={busy}
              onChange={(e) => {
                const input = e.target as HTMLInputElement;
                const f = input.files?.[0];
                if (f) run(putImage(path, f));
                input.value = "";
              }}
            />
          </label>
          {url && <button type="button" class="secondary" id={id + "-remove"} disabled={busy} onClick={() => run(api<Brand>("DELETE", path))}>Remove</button>}
        </div>
      </div>
      <p class="muted" id={id + "-hint"}>{hint}</p>
      <p class="error" id={id + "-error"} role="alert">{error}</p>
    </div>
  );
}

function LogoField({ brand, onBrand }: { brand: Brand; onBrand: (b: Brand) => void }) {
  return <ImageField id="logo" label="Logo" hint="PNG, JPEG or WebP, 512 KiB and 2048 pixels a side at most. It is also the page's icon." url={brand.logo_url} path="/account/logo" alt={brand.name + " logo"} onBrand={onBrand} />;
}

function PhotoSection({ brand, onBrand }: { brand: Brand; onBrand: (b: Brand) => void }) {
  return (
    <section class="card settings-section" aria-labelledby="photo-title">
      <h2 id="photo-title">Your photo</h2>
      <ImageField id="photo" label="Photo" hint="Your customers see it beside your name in their room. PNG, JPEG or WebP, 512 KiB at most." url={brand.photo_url} path="/me/photo" alt="Your photo" onBrand={onBrand} />
    </section>
  );
}
