import type { MigrationInterface, QueryRunner } from 'typeorm';

export class HostCredentialRevocations1764000000107 implements MigrationInterface {
  name = 'HostCredentialRevocations1764000000107';

  async up(runner: QueryRunner): Promise<void> {
    // A read model of HostCredentialsRevoked: each host's revoked NATS users, in the order revoked.
    await runner.query(`CREATE TABLE host_credential_revocations (
      host_id text NOT NULL,
      user_key text NOT NULL,
      revoked_at timestamptz NOT NULL,
      position bigint NOT NULL,
      PRIMARY KEY (host_id, user_key)
    )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE host_credential_revocations');
  }
}
