export interface BatchQueueOptions<T> {
  /** Longest an item waits before its batch is written. */
  intervalMs: number;
  /** A batch this large is written at once, without waiting for the interval. */
  maxBatch: number;
  /** Items waiting or being written beyond this are dropped: a stalled disk must not grow memory without bound. */
  maxQueued: number;
  /** Writes one batch; batches never overlap and keep their order. */
  write(batch: T[]): Promise<void>;
  /** A failed write (its batch is lost), the first drop of a backlog, and how many were dropped once writes catch up. */
  onError(err: unknown): void;
}

/**
 * Collects items on the hot path and writes them in batches off it: pushing
 * is an array append; the timer, serialisation and file I/O happen later.
 */
export class BatchQueue<T> {
  private pending: T[] = [];
  private writingCount = 0;
  private timer: NodeJS.Timeout | undefined;
  private tail: Promise<void> = Promise.resolve();
  private dropped = 0;

  constructor(private readonly options: BatchQueueOptions<T>) {}

  push(item: T): void {
    if (this.pending.length + this.writingCount >= this.options.maxQueued) {
      if (this.dropped++ === 0) this.options.onError(new Error('writes are not keeping up; dropping records until they do'));
      return;
    }
    this.pending.push(item);
    if (this.pending.length >= this.options.maxBatch) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.options.intervalMs).unref();
  }

  /** Starts writing everything pending; resolves when it, and every earlier batch, has been written (or has failed). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return this.tail;
    const batch = this.pending;
    this.pending = [];
    this.writingCount += batch.length;
    this.tail = this.tail.then(async () => {
      try {
        await this.options.write(batch);
        if (this.dropped > 0) this.options.onError(new Error(`${this.dropped} records were dropped while writes were behind`));
        this.dropped = 0;
      } catch (err) {
        this.options.onError(err);
      } finally {
        this.writingCount -= batch.length;
      }
    });
    return this.tail;
  }
}
