import type { ServerResponse } from 'node:http';

/**
 * An `AbortSignal` that aborts when the client hangs up before the response is sent, so a
 * long request stops its work at once. Listens on the response: in current Node.js the
 * request's own 'close' fires as soon as its body has been read.
 *
 * @example
 * const hangUp = abortOnHangUp(res);
 * try { return await bridge.waitForApproval(ws, id, { signal: hangUp.signal }); }
 * finally { hangUp.release(); }
 */
export function abortOnHangUp(response: ServerResponse): { signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  const onClose = () => {
    if (!response.writableFinished) controller.abort();
  };
  response.on('close', onClose);
  return { signal: controller.signal, release: () => response.off('close', onClose) };
}
