import {
  defer,
  from,
  fromEvent,
  identity,
  map,
  Observable,
  race,
  throwError,
  type MonoTypeOperatorFunction,
  type ObservableInput,
  type OperatorFunction,
  type Subscription,
} from 'rxjs';

/**
 * Like `exhaustMap`, but a value that arrives while the inner observable runs is not lost:
 * the latest one runs once the current inner completes.
 *
 * Status reads need exactly this. `switchMap` would cancel a read in flight on every
 * event, so a flood of events could starve the reads; `exhaustMap` would drop an event
 * that arrives mid-read, although that read may have started before the decision was
 * committed (a lost wakeup); `concatMap` would queue one read per event, unbounded.
 */
export function exhaustMapWithTrailing<T, R>(
  project: (value: T) => ObservableInput<R>,
): OperatorFunction<T, R> {
  return (source) =>
    new Observable<R>((subscriber) => {
      let busy = false;
      let sourceDone = false;
      let trailing: { value: T } | undefined;
      let inner: Subscription | undefined;

      const run = (value: T): void => {
        busy = true;
        inner = from(project(value)).subscribe({
          next: (result) => subscriber.next(result),
          error: (err: unknown) => subscriber.error(err),
          complete: () => {
            busy = false;
            const next = trailing;
            trailing = undefined;
            if (next) run(next.value);
            else if (sourceDone) subscriber.complete();
          },
        });
      };

      const outer = source.subscribe({
        next: (value) => (busy ? (trailing = { value }) : run(value)),
        error: (err: unknown) => subscriber.error(err),
        complete: () => {
          sourceDone = true;
          if (!busy) subscriber.complete();
        },
      });

      return () => {
        outer.unsubscribe();
        inner?.unsubscribe();
      };
    });
}

/**
 * Ends the source with the signal's reason (an `AbortError` by default) when the signal
 * aborts, and removes its listener on every other ending.
 */
export function abortable<T>(signal?: AbortSignal): MonoTypeOperatorFunction<T> {
  if (!signal) return identity;
  return (source) =>
    defer(() =>
      signal.aborted
        ? throwError(() => signal.reason as unknown)
        : race(
            source,
            fromEvent(signal, 'abort').pipe(
              map(() => {
                throw signal.reason;
              }),
            ),
          ),
    );
}
