/**
 * Listeners made once per server and registered on every socket, instead of
 * closures made per socket: an idle connection's memory is mostly what is
 * made per socket (docs/PERFORMANCE.md, W3). EventEmitter calls a listener
 * with the emitter as `this`, so one function serves every socket.
 */
export function sharedListener<S>(handle: (socket: S, raw: unknown[]) => void): (this: S, ...raw: unknown[]) => void {
  return function listener(this: S, ...raw: unknown[]) {
    handle(this, raw);
  };
}

/** State a socket needs only once it uses a feature (a rate limiter, say): made on first use, gone with the socket. */
export class LazySocketState<S extends object, T> {
  private readonly states = new WeakMap<S, T>();

  constructor(private readonly make: () => T) {}

  of(socket: S): T {
    let state = this.states.get(socket);
    if (state === undefined) {
      state = this.make();
      this.states.set(socket, state);
    }
    return state;
  }
}
