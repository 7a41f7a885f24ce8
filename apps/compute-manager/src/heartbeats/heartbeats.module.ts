import { Module } from '@nestjs/common';
import { HeartbeatResponder } from './heartbeat.responder.js';
import { Liveness } from './liveness.js';

@Module({ providers: [{ provide: Liveness, useValue: new Liveness() }, HeartbeatResponder], exports: [Liveness] })
export class HeartbeatsModule {}
