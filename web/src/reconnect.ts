// The one reconnect policy of Tandem's pages, as the Go SDK's: a WebSocket
// comes back after any drop, with backoff (250 ms doubling to 5 s); the
// backoff starts again only after a connection that lasted, so a hub that
// closes at once (its database away) is not hammered.

export type Options = {
  // onRefused is told when a connection closed before it opened (the
  // handshake was refused: signed out, no access).
  onRefused?: () => void;
  // final says whether a close code ends the connection for good (4401:
  // the credential ended), so that it is not tried again.
  final?: (code: number) => boolean;
};

// reconnecting keeps a WebSocket open: open makes one, onFrame gets each
// JSON frame, onDrop is told when one closes, with its close code. stop
// ends it, pending reconnection included.
export function reconnecting(open: () => WebSocket, onFrame: (f: any) => void, onDrop: (code: number) => void, opts: Options = {}): { stop: () => void } {
  let ws: WebSocket | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let delay = 250;
  const connect = () => {
    if (stopped) return;
    const opened = Date.now();
    let accepted = false;
    ws = open();
    ws.onopen = () => {
      accepted = true;
    };
    ws.onmessage = (m) => onFrame(JSON.parse(m.data));
    ws.onclose = (e) => {
      onDrop(e.code);
      if (stopped) return;
      if (opts.final?.(e.code)) {
        stopped = true;
        return;
      }
      if (!accepted) opts.onRefused?.();
      if (Date.now() - opened > 5000) delay = 250;
      timer = setTimeout(connect, delay);
      delay = Math.min(delay * 2, 5000);
    };
  };
  connect();
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
      ws?.close();
    },
  };
}
