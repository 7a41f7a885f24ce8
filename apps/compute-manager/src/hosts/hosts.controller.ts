import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, notFound } from '@vnet/events';
import { AddHostDto, CredentialsRevocationView, HostView, RevokeCredentialsDto, RevokedCredentialsView } from './dto/host.dto.js';
import { HostCredentialsRevoker } from './host-credentials.revoker.js';
import { HostsService } from './hosts.service.js';

@ApiTags('hosts')
@Controller('hosts')
export class HostsController {
  constructor(
    private readonly hosts: HostsService,
    private readonly revoker: HostCredentialsRevoker,
  ) {}

  /** 201 for a host new to the inventory, 200 for one already in it. */
  @Post()
  @ApiOperation({ summary: 'Add a host to the inventory' })
  @ApiCreatedResponse({ type: HostView, description: 'a host new to the inventory' })
  @ApiOkResponse({ type: HostView, description: 'a host already in it' })
  async add(@Body() body: AddHostDto, @Res({ passthrough: true }) res: { status(code: number): void }): Promise<HostView> {
    const { created, host } = await this.hosts.add(body.hostId);
    res.status(created ? 201 : 200);
    return host;
  }

  @Get()
  @ApiOperation({ summary: 'List the hosts, with their liveness and the constructs obtained from each' })
  @ApiOkResponse({ type: [HostView] })
  list(): Promise<HostView[]> {
    return this.hosts.list();
  }

  @Get(':hostId')
  @ApiOperation({ summary: 'Read a host' })
  @ApiOkResponse({ type: HostView })
  @ApiErrors(notFound('host'))
  get(@Param('hostId') hostId: string): Promise<HostView> {
    return this.hosts.get(hostId);
  }

  @Get(':hostId/credentials/revocations')
  @ApiOperation({ summary: "The host's revoked NATS credentials (their users' public keys), oldest first" })
  @ApiOkResponse({ type: [CredentialsRevocationView] })
  @ApiErrors(notFound('host'))
  revocations(@Param('hostId') hostId: string): Promise<CredentialsRevocationView[]> {
    return this.hosts.revocations(hostId);
  }

  @Post(':hostId/credentials/revoke')
  @HttpCode(200)
  @ApiOperation({
    summary: "Revoke a host's NATS credentials: the server refuses them from now on, and closes their connections",
    description:
      'Recorded as `HostCredentialsRevoked` in the host\'s stream, once per NATS user: revoking the same credentials again ' +
      'publishes the revocation again, records nothing and answers the first `revokedAt` with `alreadyRevoked: true`.',
  })
  @ApiOkResponse({ type: RevokedCredentialsView })
  @ApiErrors({
    400: "VALIDATION_FAILED: `credentials` are not this host's (not a user JWT, another name, not signed by the account's key for hosts)",
    409: 'REVOCATION_NOT_CONFIGURED: the service runs without NATS_SYSTEM_CREDS / NATS_OPERATOR_SIGNING_KEY',
    503: 'DEPENDENCY_UNAVAILABLE: the revocation could not be published to NATS',
  })
  async revoke(@Param('hostId') hostId: string, @Body() body: RevokeCredentialsDto): Promise<RevokedCredentialsView> {
    // Published to the server first (every time: the server's copy is what protects), then recorded once.
    return this.hosts.recordRevocation(await this.revoker.revoke(hostId, body.credentials));
  }
}
