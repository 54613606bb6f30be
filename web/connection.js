// The WebSocket client of the browser UI: authenticate with the first message (browsers cannot
// set headers on an upgrade), match replies to requests by request_id, follow channels with their
// last (epoch, offset), and reconnect by itself after a reconnectable close (docs/protocol.md).

/** Close codes after which reconnecting cannot help (docs/protocol.md, "close codes"). */
const TERMINAL_CLOSE = new Set([1009, 4500, 4501, 4502, 4503]);
/** Reconnect backoff: first delay and ceiling, ms (full jitter, as Centrifugo's clients do). */
const BACKOFF_MS = { first: 250, max: 10_000 };

export class Connection {
  /**
   * @param {object} options
   * @param {string} options.session   the session id (every tab of one session shares it)
   * @param {() => string | null} options.token  the current JWT, read at each (re)connect
   * @param {(state: string, detail?: object) => void} options.onState  connecting | open | closed | failed
   * @param {(event: object) => void} options.onEvent  channel publications and server notices
   */
  constructor({ session, token, onState, onEvent }) {
    this.session = session;
    this.token = token;
    this.onState = onState;
    this.onEvent = onEvent;
    this.nextId = 1;
    this.pending = new Map(); // request_id -> {resolve, reject}
    this.channels = new Map(); // channel -> {epoch, offset} of the last publication processed
    this.attempt = 0;
    this.socket = null;
    this.stopped = false;
  }

  /** Opens the connection (and keeps it open until `stop`). */
  start() {
    this.stopped = false;
    this.open();
  }

  stop() {
    this.stopped = true;
    this.socket?.close(1000, "bye");
  }

  open() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const url = `${scheme}://${location.host}/ws/design/${encodeURIComponent(this.session)}`;
    this.onState("connecting");
    const socket = new WebSocket(url);
    this.socket = socket;
    socket.onopen = () => this.authenticate(socket);
    socket.onmessage = (m) => this.receive(m.data);
    socket.onclose = (c) => this.closed(socket, c);
  }

  async authenticate(socket) {
    try {
      const ack = await this.request({ type: "auth", token: this.token() ?? "" });
      if (socket !== this.socket) return;
      this.attempt = 0;
      this.onState("open", ack);
      // Resume every followed channel from the last publication processed.
      for (const [channel, position] of this.channels) {
        this.follow(channel, position).catch((e) => this.onEvent({ type: "notice", text: e.message }));
      }
    } catch (e) {
      this.onState("failed", { reason: e.message });
    }
  }

  closed(socket, close) {
    if (socket !== this.socket) return;
    for (const { reject } of this.pending.values()) reject(new Error("connection closed"));
    this.pending.clear();
    if (this.stopped) return;
    if (TERMINAL_CLOSE.has(close.code)) {
      this.onState("failed", { code: close.code, reason: close.reason });
      return;
    }
    const ceiling = Math.min(BACKOFF_MS.max, BACKOFF_MS.first * 2 ** this.attempt);
    this.attempt += 1;
    const delay = this.shutdownDelay ?? Math.random() * ceiling;
    this.shutdownDelay = undefined;
    this.onState("closed", { code: close.code, retryInMs: Math.round(delay) });
    setTimeout(() => this.open(), delay);
  }

  receive(text) {
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      return; // the server only sends JSON; ignore anything else rather than break the page
    }
    const waiting = message.request_id !== undefined && !message.channel
      ? this.pending.get(message.request_id)
      : undefined;
    if (waiting) {
      this.pending.delete(message.request_id);
      if (message.type === "error") waiting.reject(Object.assign(new Error(message.message), { code: message.code }));
      else waiting.resolve(message);
      return;
    }
    // Only channels followed with `subscribe` are resumed; a session's own sync arrives unasked.
    if (message.channel && this.channels.has(message.channel)) {
      this.channels.set(message.channel, { epoch: message.epoch, offset: message.offset });
    }
    if (message.type === "server_shutting_down") this.shutdownDelay = message.reconnect_after_ms;
    this.onEvent(message);
  }

  /** Sends `message` with a fresh request_id; resolves with the reply (rejects on `error`). */
  request(message) {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      return Promise.reject(new Error("not connected"));
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      socket.send(JSON.stringify({ ...message, request_id: id }));
    });
  }

  /** Follows `channel`, replaying what came after `position` when given. */
  async follow(channel, position) {
    const resume = position ? { epoch: position.epoch, offset: position.offset } : {};
    const reply = await this.request({ type: "subscribe", channel, ...resume });
    this.channels.set(channel, { epoch: reply.epoch, offset: reply.offset });
    if (!reply.recovered) this.onEvent({ type: "not_recovered", channel });
    return reply;
  }

  async unfollow(channel) {
    this.channels.delete(channel);
    await this.request({ type: "unsubscribe", channel });
  }
}
