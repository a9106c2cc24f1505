/**
 * One phase of the `core` bench in a process of its own, forked by `bench/core.ts` with
 * `--expose-gc`. On `{ type: 'measure', phase }` it runs that phase of {@link CORE_PHASES},
 * fails it if it left a timer running, and replies with its {@link PhaseReply}.
 */
import { Logger } from '@nestjs/common';
import { serveParent, type ChildMessage } from './child-process';
import { CORE_PHASE_NAMES, CORE_PHASES, type CorePhaseName } from './core-phases';
import { activeTimerCount } from './runtime';

async function measure(phase: CorePhaseName): Promise<Record<string, unknown>> {
  if (!CORE_PHASE_NAMES.includes(phase)) throw new Error(`unknown phase ${String(phase)}`);
  const timersBefore = activeTimerCount();
  const reply = await CORE_PHASES[phase]();
  const leaked = activeTimerCount() - timersBefore;
  if (leaked > 0) throw new Error(`Phase "${phase}" left ${leaked} timers running`);
  return { ...reply };
}

// The library warns when it shuts down with waits pending; the bench does so on purpose.
Logger.overrideLogger(['error']);
serveParent(
  async (message: ChildMessage) => {
    if (message.type !== 'measure') throw new Error(`unknown request ${message.type}`);
    return measure(message.phase as CorePhaseName);
  },
  async () => undefined,
);
process.send?.({ type: 'up' });
