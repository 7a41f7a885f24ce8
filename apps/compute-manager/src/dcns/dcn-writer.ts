import { Inject, Injectable } from '@nestjs/common';
import { commandMetadata, EventLog, type SqlClient } from '@vnet/events';
import { DcnAggregate, type DcnCommand, dcnDecider, type DcnState } from './dcn.decider.js';

/** One decision on a DCN: its command built on its current state in the transaction, decided, appended. */
@Injectable()
export class DcnWriter {
  constructor(@Inject(EventLog) private readonly log: EventLog) {}

  decide(dcnId: string, command: (state: DcnState, client: SqlClient) => Promise<DcnCommand>): Promise<DcnState> {
    return this.log.execute(
      DcnAggregate,
      dcnId,
      commandMetadata(),
      async (state, _v, tx) => dcnDecider.decide(await command(state, tx.client), state),
      (state) => state,
    );
  }
}
