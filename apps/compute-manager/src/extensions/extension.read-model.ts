import { Injectable } from '@nestjs/common';
import { poolOf, type SqlClient } from '@vnet/events';
import { DataSource } from 'typeorm';

/** The extensions context's reads: who owns which namespace (in a caller's transaction when given). */
@Injectable()
export class ExtensionReadModel {
  constructor(private readonly dataSource: DataSource) {}

  /** The owner of each of `namespaces` that has one. */
  async owners(namespaces: string[], client: SqlClient = poolOf(this.dataSource)): Promise<Record<string, string>> {
    const { rows } = await client.query<{ namespace: string; extension_key: string }>(
      'SELECT namespace, extension_key FROM extension_namespaces WHERE namespace = ANY($1::text[])',
      [namespaces],
    );
    return Object.fromEntries(rows.map((r) => [r.namespace, r.extension_key]));
  }

  /** The extension that owns `namespace`, or null. */
  async ownerOf(namespace: string): Promise<string | null> {
    return (await this.owners([namespace]))[namespace] ?? null;
  }
}
