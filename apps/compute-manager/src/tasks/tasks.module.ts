import { Module } from '@nestjs/common';
import { TasksController } from './tasks.controller.js';
import { TaskMetrics } from './task.metrics.js';
import { TasksService } from './tasks.service.js';

@Module({ controllers: [TasksController], providers: [TasksService, TaskMetrics], exports: [TasksService] })
export class TasksModule {}
