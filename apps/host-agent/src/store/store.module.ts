import { Logger, Module } from '@nestjs/common';
import { CommitScheduler } from './commit-scheduler.js';

/**
 * What a change nobody waits for waits before its commit: a push's proofs (2,000 of them) are
 * written after its applied changes, not between them and the hosts' reports.
 */
const LAZY_COMMIT_MS = 1000;

/**
 * Group commit for every host store of the process. The libuv pool (UV_THREADPOOL_SIZE=64) bounds
 * the disk calls really running; commits in flight beyond it queue there, each holding one small
 * frame. Measured with 2,000 stores: a few hundred in flight keep the pool and the disk's flush
 * queue busy; thousands queue every write ahead of every fdatasync and double the time to the last.
 * No window: a change waited for is written once the turn of the event loop that made it is over
 * (what one event applies to many hosts happens in one turn anyway, and changes made during a host's
 * commit wait for its next one); a window, even Node's shortest timer, only delays a lone host's
 * change (a migration waits for two of them).
 */
const GROUP_COMMIT = { windowMs: 0, concurrency: 256, retryMs: 1000, lazyMs: LAZY_COMMIT_MS };

@Module({
  providers: [
    {
      provide: CommitScheduler,
      useFactory: () => {
        const logger = new Logger('HostStore');
        let failures = 0;
        return new CommitScheduler({
          ...GROUP_COMMIT,
          onError: (err) => {
            failures++;
            if (failures === 1 || failures % 100 === 0)
              logger.error({ msg: 'host store write failed, retrying', failures, error: String(err) });
          },
        });
      },
    },
  ],
  exports: [CommitScheduler],
})
export class StoreModule {}
