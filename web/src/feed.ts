// The account feed: the rooms that change, live.
import { useEffect, useRef, useState } from "preact/hooks";
import { checkSignedIn } from "./api";
import { reconnecting } from "./reconnect";
import type { Room } from "./types";

// useFeed follows the account feed (GET /api/v1/feed): onRooms gets the
// rooms that changed, onReady is called at each (re)connection, once the
// hub listens, which is when the list should be read again.
export function useFeed(mine: boolean, onReady: () => void, onRooms: (rs: Room[]) => void): boolean {
  const [online, setOnline] = useState(false);
  const ready = useRef(onReady);
  const rooms = useRef(onRooms);
  ready.current = onReady;
  rooms.current = onRooms;
  useEffect(() => {
    const conn = reconnecting(
      () => {
        const proto = location.protocol === "https:" ? "wss:" : "ws:";
        return new WebSocket(proto + "//" + location.host + "/api/v1/feed" + (mine ? "?agent=me" : ""));
      },
      (f) => {
        if (f.type === "ready") {
          setOnline(true);
          ready.current();
        } else if (f.type === "rooms") {
          rooms.current(f.rooms as Room[]);
        }
      },
      () => setOnline(false),
      { onRefused: checkSignedIn },
    );
    return conn.stop;
  }, [mine]);
  return online;
}

