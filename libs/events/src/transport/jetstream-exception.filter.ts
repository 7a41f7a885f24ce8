import { Catch, type ArgumentsHost, type RpcExceptionFilter } from '@nestjs/common';
import { BaseRpcExceptionFilter } from '@nestjs/microservices';
import { throwError, type Observable } from 'rxjs';
import { JetStreamContext } from './jetstream.context.js';

/**
 * Hands a JetStream handler's error to the transport unchanged. Without it, Nest's default RPC
 * filter turns every error except an RpcException into `{ status: 'error', message: 'Internal
 * server error' }`, and the transport can no longer tell a message that fails validation (400,
 * dead letter) from a passing failure (retry). Other transports keep Nest's default behaviour.
 */
@Catch()
export class JetStreamExceptionFilter extends BaseRpcExceptionFilter implements RpcExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): Observable<never> {
    if (host.switchToRpc().getContext() instanceof JetStreamContext) return throwError(() => exception);
    return super.catch(exception, host) as Observable<never>;
  }
}
