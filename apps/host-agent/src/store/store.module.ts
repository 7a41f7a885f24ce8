import { Logger, Module } from '@nestjs/common';
import { CommitScheduler } from './commit-scheduler.js';

/**
 * Group commit for every host store of the process. The libuv pool (UV_THREADPOOL_SIZE=16) bounds
 * the disk calls really running; commits in flight beyond it queue there, each holding one small frame,
 * so that a push to 2,000 hosts keeps the pool busy (measured: 128 is as fast as 512, with less memory).
 */
const GROUP_COMMIT = { windowMs: 5, concurrency: 128, retryMs: 1000 };

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
