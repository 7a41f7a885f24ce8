import { Controller, Get, Param } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, notFound, ParseIdPipe } from '@vnet/events';
import { HostTaskView, TaskView } from './dto/task.view.js';
import { TasksService } from './tasks.service.js';

@ApiTags('tasks')
@ApiExtraModels(HostTaskView)
@Controller('tasks')
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  @Get(':id')
  @ApiOperation({ summary: "Read a task: each host's outcome of a change" })
  @ApiOkResponse({ type: TaskView })
  @ApiErrors(notFound('task'))
  get(@Param('id', new ParseIdPipe('task')) id: string): Promise<TaskView> {
    return this.tasks.get(id);
  }
}
