import { ManagerConfig, portField } from '@vnet/events';

export class NetworkManagerConfig extends ManagerConfig {
  @portField()
  NETWORK_MANAGER_PORT: number = 7101;
}
