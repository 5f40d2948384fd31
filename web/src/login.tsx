// Signing in: the sign-in page (and forgot password), and the page of a
// password reset link.
import { useEffect, useState } from "preact/hooks";
import { api, type APIError } from "./api";
import { applyBrand, BrandMark, type Brand } from "./brand";

// usePublicBrand is the brand of the sign-in page (GET /api/v1/brand):
// the hub's one account's, or Tandem's.
function usePublicBrand(): Brand | null {
  const [b, setB] = useState<Brand | null>(null);
  useEffect(() => {
    api<Brand>("GET", "/brand").then((b) => { setB(b); applyBrand(b); }).catch(() => {});
  }, []);
  return b;
}

export function Login({ onSignedIn }: { onSignedIn: () => void }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState("");
  const [forgot, setForgot] = useState(false);
  const [sent, setSent] = useState(false);
  const [busy, setBusy] = useState(false);
  const brand = usePublicBrand();

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      if (forgot) {
        await api("POST", "/password/forgot", { email });
        setSent(true);
      } else {
        await api("POST", "/login", { email, password });
        onSignedIn();
      }
    } catch (err) {
      setError((err as APIError).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="sign-in">
      <div class="sign-in-brand">{brand && (brand.logo_url || brand.name !== "Tandem") && <BrandMark brand={brand} id="login-brand" />}</div>
      <h1>{forgot ? "Forgot your password?" : "Sign in to " + (brand?.name ?? "Tandem")}</h1>
      {sent ? (
        <p role="status" id="forgot-sent">If {email} has an account, a link to choose a new password is on its way. It is valid for one hour.</p>
      ) : (
        <form class="stack" onSubmit={submit} aria-describedby="login-error">
          <label>
            Email
            <input id="email" type="email" name="email" autocomplete="username" required value={email} onInput={(e) => setEmail((e.target as HTMLInputElement).value)} />
          </label>
          {!forgot && (
            <label>
              Password
              <input id="password" type="password" name="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
            </label>
          )}
          <p class="error" id="login-error" role="alert">{error}</p>
          <button id="submit" type="submit" disabled={busy}>{forgot ? "Send me a link" : "Sign in"}</button>
        </form>
      )}
      <p>
        <button class="link" id="forgot" type="button" onClick={() => { setForgot(!forgot); setSent(false); setError(""); }}>
          {forgot ? "Back to sign in" : "Forgot password?"}
        </button>
      </p>
    </main>
  );
}

// Reset is the page of the link in a password reset email:
// /password/reset?token=…
export function Reset({ onDone }: { onDone: () => void }) {
  const token = new URLSearchParams(location.search).get("token") ?? "";
  const [password, setPassword] = useState("");
  const [again, setAgain] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    if (password !== again) {
      setError("The two passwords differ.");
      return;
    }
    setBusy(true);
    setError("");
    try {
      await api("POST", "/password/reset", { token, password });
      // The token is spent: take it out of the address bar and history.
      history.replaceState(null, "", "/console");
      onDone();
    } catch (err) {
      setError((err as APIError).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main>
      <h1>Choose a new password</h1>
      <form class="stack" onSubmit={submit}>
        <label>
          New password (8 characters at least)
          <input id="new-password" type="password" autocomplete="new-password" required minLength={8} value={password} onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          The same again
          <input id="new-password-again" type="password" autocomplete="new-password" required value={again} onInput={(e) => setAgain((e.target as HTMLInputElement).value)} />
        </label>
        <p class="error" id="reset-error" role="alert">{error}</p>
        <button id="reset-submit" type="submit" disabled={busy}>Change my password</button>
      </form>
    </main>
  );
}

