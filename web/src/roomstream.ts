// The session's live log, over the room's WebSocket.
import { useEffect, useState } from "preact/hooks";
import { checkSignedIn } from "./api";
import { reconnecting } from "./reconnect";
import type { RoomEvent } from "./types";

// useRoomStream follows a room live over its WebSocket: the whole log
// first, then each event as it happens, resuming from the last seq after
// any drop, so no line is lost or repeated. Nothing opens until enabled
// (the room is known to exist).
export function useRoomStream(id: string, enabled = true): { events: RoomEvent[]; online: boolean } {
  const [events, setEvents] = useState<RoomEvent[]>([]);
  const [online, setOnline] = useState(false);
  useEffect(() => {
    if (!enabled) return;
    let last = 0;
    const conn = reconnecting(
      () => {
        const proto = location.protocol === "https:" ? "wss:" : "ws:";
        return new WebSocket(proto + "//" + location.host + "/api/v1/rooms/" + id + "/ws?since=" + last);
      },
      (f) => {
        if (f.type === "synced") {
          setOnline(true);
          return;
        }
        if (typeof f.seq !== "number" || f.type.indexOf(".") < 0 || f.seq <= last) return;
        last = f.seq;
        setEvents((evs) => [...evs, f as RoomEvent]);
      },
      () => setOnline(false),
      { onRefused: checkSignedIn },
    );
    return conn.stop;
  }, [id, enabled]);
  return { events, online };
}

