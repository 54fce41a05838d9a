// What the server machines (echo, handshake) share around the listener they own: the
// same listen-failure report, so every server names the address and the OS error alike.

import type { EffectParams } from '../src/core/effects.js';
import type { IoErrorInfo } from '../src/core/events.js';

/** The `log` effect action for `listen-failed`: `<server> cannot listen on host:port: CODE message`. */
export function listenFailedLog(server: string) {
  return {
    type: 'log',
    params: ({
      context,
      event,
    }: {
      context: { readonly host: string; readonly port: number };
      event: { readonly error: IoErrorInfo };
    }): EffectParams<'log'> => ({
      level: 'error',
      message: `${server} cannot listen on ${context.host}:${context.port}: ${event.error.code} ${event.error.message}`,
    }),
  } as const;
}
