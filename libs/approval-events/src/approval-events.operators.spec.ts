import { Subject, of, toArray, lastValueFrom, timer, map } from 'rxjs';
import { abortable, exhaustMapWithTrailing } from './approval-events.operators';

describe('exhaustMapWithTrailing', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs the latest value that arrived mid-run once the run ends, and drops the rest', async () => {
    const source = new Subject<number>();
    const started: number[] = [];
    const done = lastValueFrom(
      source.pipe(
        exhaustMapWithTrailing((value) => {
          started.push(value);
          return timer(100).pipe(map(() => value));
        }),
        toArray(),
      ),
    );
    source.next(1);
    source.next(2);
    source.next(3);
    expect(started).toEqual([1]);
    await jest.advanceTimersByTimeAsync(100);
    expect(started).toEqual([1, 3]);
    source.complete();
    await jest.advanceTimersByTimeAsync(100);
    await expect(done).resolves.toEqual([1, 3]);
  });

  it('keeps working when the inner observable completes synchronously', async () => {
    const source = new Subject<number>();
    const results: number[] = [];
    source
      .pipe(exhaustMapWithTrailing((value) => of(value * 10)))
      .subscribe((v) => results.push(v));
    source.next(1);
    source.next(2);
    expect(results).toEqual([10, 20]);
  });

  it('tears the running inner down on unsubscribe', () => {
    const source = new Subject<number>();
    const subscription = source.pipe(exhaustMapWithTrailing(() => timer(100))).subscribe();
    source.next(1);
    expect(jest.getTimerCount()).toBe(1);
    subscription.unsubscribe();
    expect(jest.getTimerCount()).toBe(0);
    expect(source.observed).toBe(false);
  });
});

describe('abortable', () => {
  it('errors with the reason of an already aborted signal without subscribing', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    const source = new Subject<number>();
    await expect(lastValueFrom(source.pipe(abortable(controller.signal)))).rejects.toThrow('stop');
    expect(source.observed).toBe(false);
  });

  it('removes its abort listener when the source completes', async () => {
    const controller = new AbortController();
    const add = jest.spyOn(controller.signal, 'addEventListener');
    const remove = jest.spyOn(controller.signal, 'removeEventListener');
    const source = new Subject<number>();
    const done = lastValueFrom(source.pipe(abortable(controller.signal)));
    expect(add).toHaveBeenCalledTimes(1);
    source.next(1);
    source.complete();
    await done;
    expect(remove).toHaveBeenCalledWith('abort', add.mock.calls[0][1], undefined);
  });
});
