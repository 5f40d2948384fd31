// Words for what the agent reads: phone numbers, the invitation's status,
// and the session's timeline events other than documents'.
import type { Room, RoomEvent } from "./types";

// Words for the invitation's status, as the agent reads them.
const inviteWords: Record<string, string> = {
  pending: "pre-planned",
  sent: "link sent",
  delivered: "delivered",
  invalid: "invalid",
  failed: "failed",
  connected: "customer connected",
};

export function chip(r: Room): { status: string; words: string } {
  if (r.status === "closed") return { status: "closed", words: "closed" };
  if (r.status === "left") return { status: "left", words: "customer left" };
  if (r.status === "connected") return { status: "connected", words: "customer connected" };
  if (r.invite_status === "delivered" || r.invite_status === "sent") return { status: r.invite_status, words: "waiting for customer · " + inviteWords[r.invite_status] };
  return { status: r.invite_status, words: inviteWords[r.invite_status] ?? r.invite_status };
}

// spaced writes an E.164 number the way people read it: +1 415 … 0134.
export function spaced(to: string): string {
  if (!to.startsWith("+") || to.length < 9) return to;
  const cc = to.startsWith("+1") ? "+1" : to.slice(0, 3);
  const rest = to.slice(cc.length);
  return cc + " " + rest.slice(0, 3) + " … " + rest.slice(-4);
}

const deliveryWords: Record<string, string> = {
  queued: "Queued at the provider",
  sent: "Sent",
  delivered: "Delivered",
  undelivered: "Not delivered",
  failed: "Failed",
  invalid: "Invalid",
};

// words says what an event means, for the agent's timeline.
export function words(e: RoomEvent): string {
  const d = e.data ?? {};
  const by = (ch: string, to: string) => (ch === "sms" ? "by SMS to " + spaced(to) : "by email to " + to);
  switch (e.type) {
    case "room.created": return "Session " + (d.mode === "live" ? "started" : "pre-planned") + " by " + (d.agent?.name ?? "an agent");
    case "room.invited": return (d.attempt > 1 ? "New link sent " : "Link sent ") + by(d.channel, d.to);
    case "invitation.delivery": {
      const w = deliveryWords[d.status] ?? d.status;
      return w + (d.reason ? ": " + d.reason : "") + (d.code ? " (" + d.code + ")" : "");
    }
    case "room.link_revoked": return "Previous link revoked";
    case "room.link_copied": return "Link copied by " + (e.actor.name ?? "an agent") + " for a phone call";
    case "room.contact_changed": return "Contact changed: " + (d.channel === "sms" ? spaced(d.customer?.phone ?? "") : d.customer?.email);
    case "invitation.reminded": return "Reminder " + d.reminder + " sent " + by(d.channel, d.to);
    case "invitation.noticed": return "“New in your room” notice sent " + by(d.channel, d.to);
    case "participant.joined": return d.role === "customer" ? "Customer connected" + (d.client ? " from " + d.client : "") : "Agent joined";
    case "participant.left": return d.role === "customer" ? "Customer left" : "Agent left";
    case "participant.activity": return (e.actor.kind === "customer" ? "Customer" : "Agent") + " is " + String(d.what).replace(/_/g, " ");
    case "room.contact_erased": return "Customer's personal data erased";
    case "room.closed": return "Session ended by " + (e.actor.name ?? "an agent") + (d.reason ? ": " + d.reason : "");
  }
  return e.type;
}


// fullPhone writes an E.164 number in full, grouped for reading aloud:
// +1 415 555 0134; other countries' numbers in threes after the code.
export function fullPhone(to: string): string {
  if (!/^\+\d{8,15}$/.test(to)) return to;
  if (to.startsWith("+1") && to.length === 12) return "+1 " + to.slice(2, 5) + " " + to.slice(5, 8) + " " + to.slice(8);
  const cc = to.slice(0, 3);
  const rest = to.slice(3);
  const groups = rest.match(/.{1,3}/g) ?? [rest];
  // A lone last digit joins the group before it.
  if (groups.length > 1 && groups[groups.length - 1].length === 1) groups.splice(-2, 2, groups[groups.length - 2] + groups[groups.length - 1]);
  return cc + " " + groups.join(" ");
}

// zoned formats times in the account's time zone (the browser's if the
// account has none, or one this browser does not know).
export function zoned(zone: string | undefined, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  try {
    return new Intl.DateTimeFormat(undefined, { ...opts, timeZone: zone || undefined });
  } catch {
    return new Intl.DateTimeFormat(undefined, opts);
  }
}

// presence is the customer's presence in one label: "Not opened",
// "Online now", or "Left 11:47" (the time in the account's zone).
export function presence(r: Room, zone?: string): { state: "never" | "online" | "left"; words: string } {
  const c = (r.participants ?? []).find((p) => p.role === "customer");
  if (!c) return { state: "never", words: "Not opened" };
  if (c.connected) return { state: "online", words: "Online now" };
  if (!c.left_at) return { state: "left", words: "Left" };
  const at = new Date(c.left_at);
  const day = zoned(zone, { year: "numeric", month: "2-digit", day: "2-digit" });
  const today = day.format(at) === day.format(new Date());
  const time = zoned(zone, today ? { hour: "numeric", minute: "2-digit" } : { month: "short", day: "numeric", hour: "numeric", minute: "2-digit" }).format(at);
  return { state: "left", words: "Left " + time };
}

// delivery says in words what became of the message that carried the
// room's link; detail is the provider's code and reason, for a tooltip.
export function delivery(r: Room): { status: string; words: string; detail: string } {
  const inv = r.invite;
  if (!inv) return { status: "pending", words: "Pre-planned: not invited yet", detail: "" };
  const simulated = /^simulated/i.test(inv.delivery_reason ?? "");
  const detail = [inv.delivery_reason, inv.delivery_code && "code " + inv.delivery_code].filter(Boolean).join(" · ");
  const sim = simulated ? " (simulated)" : "";
  switch (inv.delivery) {
    case "delivered": return { status: "delivered", words: "Delivered" + sim, detail };
    case "invalid": return { status: "invalid", words: (inv.channel === "email" ? "Invalid address" : "Invalid number") + sim, detail };
    case "undelivered":
    case "failed": return { status: "failed", words: "Delivery failed" + sim, detail };
    case "queued": return { status: "sent", words: "Queued at the provider", detail };
    case "sent": return { status: "sent", words: "Sent" + sim, detail };
  }
  return { status: "sent", words: "Sending…", detail };
}

// failedContacts are the addresses an earlier invitation of the room failed
// to reach (before a Re-engage), other than the one in use, with what
// happened.
export function failedContacts(events: RoomEvent[], inUse: string): { to: string; channel: string; words: string }[] {
  const sentTo = new Map<string, { to: string; channel: string }>();
  const failed = new Map<string, { to: string; channel: string; words: string }>();
  for (const e of events) {
    const d = e.data ?? {};
    if (e.type === "room.invited" || e.type === "invitation.reminded" || e.type === "invitation.noticed") sentTo.set(d.link, { to: d.to, channel: d.channel });
    if (e.type === "invitation.delivery" && ["invalid", "failed", "undelivered"].includes(d.status)) {
      const s = sentTo.get(d.link);
      if (s?.to) failed.set(s.to, { ...s, words: d.status === "invalid" ? (s.channel === "email" ? "invalid address" : "invalid number") : "delivery failed" });
    }
  }
  return [...failed.values()].filter((f) => f.to !== inUse);
}
