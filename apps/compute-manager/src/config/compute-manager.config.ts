import { ManagerConfig, portField } from '@vnet/events';

export class ComputeManagerConfig extends ManagerConfig {
  @portField()
  COMPUTE_MANAGER_PORT: number = 7102;
}
