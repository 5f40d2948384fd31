// A payment card's number and expiry as a person types them, checked as
// the hub's sandbox checks them (the Luhn digit, a month not past), to
// say what is wrong before sending.

// digits keeps the digits of s.
export const digits = (s: string) => s.replace(/\D/g, "");

// spacedNumber writes a card number in groups of four as it is typed.
export function spacedNumber(s: string): string {
  return digits(s).slice(0, 19).replace(/(\d{4})(?=\d)/g, "$1 ");
}

// luhn says whether a card number's check digit is right.
export function luhn(number: string): boolean {
  const ds = digits(number);
  if (ds.length < 12 || ds.length > 19) return false;
  let sum = 0;
  for (let i = 0; i < ds.length; i++) {
    let d = Number(ds[ds.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

// expiryInput writes MM/YY as it is typed: the slash comes by itself.
export function expiryInput(s: string, before: string): string {
  const ds = digits(s).slice(0, 4);
  // Deleting the slash deletes the digit before it too.
  if (before.endsWith("/") && s.length < before.length) return ds.slice(0, 1);
  if (ds.length === 1 && Number(ds) > 1) return "0" + ds + "/";
  if (ds.length >= 2) return ds.slice(0, 2) + "/" + ds.slice(2);
  return ds;
}

// expiry reads MM/YY as a month and a four-digit year, or null.
export function expiry(s: string, now = new Date()): { month: number; year: number } | null {
  const m = /^(\d{2})\/(\d{2})$/.exec(s.trim());
  if (!m) return null;
  const month = Number(m[1]);
  const year = 2000 + Number(m[2]);
  if (month < 1 || month > 12) return null;
  const thisMonth = now.getFullYear() * 12 + now.getMonth();
  if (year * 12 + month - 1 < thisMonth) return null;
  return { month, year };
}
