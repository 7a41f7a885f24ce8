import { Module } from '@nestjs/common';
import { HostStatusHandler } from './host-status.handler.js';
import { TaskMetrics } from './task.metrics.js';
import { TaskRepository } from './task.repository.js';
import { TasksController } from './tasks.controller.js';
import { TasksService } from './tasks.service.js';

@Module({ controllers: [TasksController], providers: [TasksService, TaskRepository, TaskMetrics, HostStatusHandler], exports: [TasksService] })
export class TasksModule {}
