import { ApiProperty } from '@nestjs/swagger';
import type { HostTaskState, TaskState } from '../task.js';

const TASK_STATES: TaskState[] = ['running', 'succeeded', 'failed', 'rolled_back'];
const HOST_TASK_STATES: HostTaskState[] = ['pending', 'succeeded', 'failed', 'rolled_back'];

export class HostTaskView {
  @ApiProperty({ enum: HOST_TASK_STATES })
  state!: HostTaskState;
  @ApiProperty({ type: String, nullable: true })
  detail!: string | null;
}

export class TaskView {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ example: 'port-group.update' })
  kind!: string;
  @ApiProperty({ enum: TASK_STATES })
  state!: TaskState;
  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/HostTaskView' },
    description: "each host's outcome, by host id",
  })
  hosts!: Record<string, HostTaskView>;
  @ApiProperty({ format: 'date-time' })
  startedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finishedAt!: string | null;
}
