import { Logger } from '@nestjs/common';

const logger = new Logger('AfterCommit');

/**
 * The fast path of a change that is already committed: publishing its result at once (a switch's
 * desired state) while the log's own path publishes it again from the recorded events. The change
 * is accepted whatever happens here, so a failure is logged, not answered, and a NATS that does not
 * answer holds the request at most `waitMs` (the publish goes on in the background).
 */
export async function afterCommit(what: string, work: () => Promise<unknown>, waitMs = 1000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const running = work().then(
    () => undefined,
    (err: unknown) => logger.warn({ msg: `${what}: left to the log's path`, error: String((err as Error)?.message ?? err) }),
  );
  await Promise.race([running, new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
  clearTimeout(timer);
}
