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
    case "room.contact_changed": return "Contact changed: " + (d.channel === "sms" ? spaced(d.customer?.phone ?? "") : d.customer?.email);
    case "invitation.reminded": return "Reminder " + d.reminder + " sent " + by(d.channel, d.to);
    case "invitation.noticed": return "“New in your room” notice sent " + by(d.channel, d.to);
    case "participant.joined": return d.role === "customer" ? "Customer connected" + (d.client ? " from " + d.client : "") : "Agent joined";
    case "participant.left": return d.role === "customer" ? "Customer left" : "Agent left";
    case "participant.activity": return (e.actor.kind === "customer" ? "Customer" : "Agent") + " is " + String(d.what).replace(/_/g, " ");
    case "room.contact_erased": return "Customer's personal data erased";
    case "room.closed": return "Session closed" + (d.reason ? ": " + d.reason : "");
  }
  return e.type;
}

