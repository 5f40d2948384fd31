// Amounts of money as the hub takes them (docs/protocol.md): a string of
// digits with at most two decimals, more than 0 and at most 999999.99, in
// a currency of two decimals. The console checks them as the hub does,
// to say what is wrong before sending; the hub has the last word.

// currencies are the ISO 4217 currencies of two decimals (minor units of
// a hundredth), which the hub accepts: the hub's list (web_test.go checks
// they are the same).
export const currencies = (
  "AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BTN BWP " +
  "BYN BZD CAD CDF CHF CNY COP CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP " +
  "GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG IDR ILS INR JMD KES KGS KHR KYD KZT " +
  "LAK LBP LKR LRD LSL MAD MDL MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN " +
  "NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD " +
  "SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TZS UAH USD UYU " +
  "UZS VES WST XCD XCG YER ZAR ZMW ZWG"
).split(" ");

// maxAmount is the largest amount the hub takes, in minor units.
const maxAmount = 99999999;

// amountProblem says what is wrong with an amount as typed, or "".
export function amountProblem(s: string): string {
  const v = s.trim();
  if (v === "") return "Enter the amount.";
  if (!/^\d+(\.\d{1,2})?$/.test(v)) return "Enter the amount in digits, with a dot and at most two decimals, such as 125.50.";
  const minor = toMinor(v);
  if (minor <= 0) return "The amount must be more than 0.";
  if (minor > maxAmount) return "The amount can be at most 999999.99.";
  return "";
}

// toMinor is a valid amount in minor units (cents): 125.5 → 12550.
function toMinor(v: string): number {
  const [whole, frac = ""] = v.split(".");
  return Number(whole) * 100 + Number((frac + "00").slice(0, 2));
}

// tidyAmount writes a valid amount with its two decimals, as the hub
// will: "125.5" → "125.50"; anything else stays as typed.
export function tidyAmount(s: string): string {
  const v = s.trim();
  if (amountProblem(v)) return s;
  const minor = toMinor(v);
  return Math.floor(minor / 100) + "." + String(minor % 100).padStart(2, "0");
}

// money writes an amount with its currency, "125.50 USD", digits grouped
// the way the reader's language groups them.
export function money(amount: string, currency: string): string {
  const [whole, frac = "00"] = amount.split(".");
  const grouped = Number(whole).toLocaleString(undefined, { maximumFractionDigits: 0 });
  const dot = (1.5).toLocaleString().charAt(1) || ".";
  return grouped + dot + frac + " " + currency;
}
