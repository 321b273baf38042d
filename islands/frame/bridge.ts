import { isEnvelope, PROTOCOL, type FrameMessage, type HostCallback, type HostMessage } from '../shared/protocol.ts';

const REQUEST_TIMEOUT_MS = 120_000;

/**
 * The frame's side of the postMessage bridge: messages go only to the parent at the host origin, and only
 * messages from that window and origin, for this widget, are taken.
 */
export function createBridge(widgetId: string, hostOrigin: string) {
  const parent = window.parent !== window ? window.parent : null;
  const listeners: ((message: HostMessage) => void)[] = [];
  const waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void; timer: ReturnType<typeof setTimeout> }>();
  let nextId = 1;

  window.addEventListener('message', (event) => {
    if (!parent || event.source !== parent || event.origin !== hostOrigin || !isEnvelope(event.data, widgetId)) return;
    const message = event.data as unknown as HostMessage;
    if (message.type === 'uw_reply') {
      const pending = waiting.get(message.requestId);
      if (!pending) return;
      waiting.delete(message.requestId);
      clearTimeout(pending.timer);
      if (message.ok) pending.resolve(message.value);
      else pending.reject(new Error(message.error ?? 'The page could not answer'));
      return;
    }
    for (const listener of listeners) listener(message);
  });

  const send = (message: FrameMessage) => parent?.postMessage({ ...message, protocol: PROTOCOL, widgetId }, hostOrigin);

  return {
    send,
    /** Asks the host page to run one of its callbacks and resolves with what it passed back. */
    request(callback: HostCallback, payload: unknown): Promise<unknown> {
      if (!parent) return Promise.reject(new Error('No host page'));
      const requestId = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(requestId);
          reject(new Error(`The page did not answer (${callback})`));
        }, REQUEST_TIMEOUT_MS);
        waiting.set(requestId, { resolve, reject, timer });
        send({ type: 'uw_request', requestId, callback, payload });
      });
    },
    onMessage(listener: (message: HostMessage) => void) {
      listeners.push(listener);
    },
  };
}

export type Bridge = ReturnType<typeof createBridge>;
