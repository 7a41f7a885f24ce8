import { Command } from 'commander';
import { action, type Io } from '../context.js';
import { UsageError } from '../errors.js';
import { list, opaqueValueBody, seg } from '../requests.js';
import { extensionColumns, listOf, one, opaqueColumns } from '../views.js';
import { examples } from './common.js';

const CM = 'compute-manager';

export function extensionsCommand(io: Io): Command {
  const ext = new Command('extensions').description('management extensions and the namespaces they own');
  examples(
    ext
      .command('register <key> <namespaces...>')
      .description('register an extension (its dotted key) and the namespaces it owns (409 NAMESPACE_TAKEN)')
      .action(
        action(io, async (ctx, key, namespaces) => {
          const { body } = await ctx
            .client(CM)
            .request({ method: 'POST', path: '/extensions', body: { key, namespaces: list(namespaces) } });
          ctx.show(body as any, one(extensionColumns));
        }),
      ),
    'vnetctl extensions register com.example.qos com.example.qos',
  );
  return ext;
}

const ENTITY_TYPES = ['switch', 'port-group', 'port', 'host'];

export function opaqueCommand(io: Io): Command {
  const opaque = new Command('opaque').description(
    "extensions' opaque data on switches, port groups, ports and hosts (passed through unread)",
  );
  const entityType = (t: string) => {
    if (!ENTITY_TYPES.includes(t)) throw new UsageError(`the entity type must be one of ${ENTITY_TYPES.join(', ')}, not "${t}"`);
    return t;
  };
  examples(
    opaque
      .command('get <entityType> <entityId>')
      .description("an entity's entries: its own, inherited ones (switch → port group → port), and those host modules sent up")
      .option('--namespace <namespace>', 'only this namespace')
      .action(
        action(io, async (ctx, type, id) => {
          entityType(type);
          const rows = await ctx.client(CM).get<any[]>(`/opaque-data/${seg(type)}/${seg(id)}`, { namespace: ctx.opts.namespace });
          ctx.show(rows, listOf(opaqueColumns));
        }),
      ),
    'vnetctl opaque get port-group 9d2e…',
    'vnetctl opaque get switch 0b7c… --namespace com.example.qos',
  );
  examples(
    opaque
      .command('set <entityType> <entityId> <namespace> <key> <json>')
      .description("set an extension's entry (the value is any JSON; a string needs its quotes)")
      .requiredOption('--extension-key <key>', 'the extension that owns the namespace')
      .action(
        action(io, async (ctx, type, id, ns, key, value) => {
          entityType(type);
          const { body } = await ctx.client(CM).request({
            method: 'PUT',
            path: `/opaque-data/${seg(type)}/${seg(id)}/${seg(ns)}/${seg(key)}`,
            rawBody: opaqueValueBody(value),
            headers: { 'x-extension-key': ctx.opts.extensionKey },
          });
          ctx.show(body as any, (b) => `${ns}/${key} set on ${type} ${id}: ${JSON.stringify(b?.value ?? JSON.parse(value))}`);
        }),
      ),
    `vnetctl opaque set switch 0b7c… com.example.qos limits '{"gold":1000}' --extension-key com.example.qos`,
  );
  examples(
    opaque
      .command('delete <entityType> <entityId> <namespace> <key>')
      .description("delete an extension's entry (an inherited one shows again)")
      .requiredOption('--extension-key <key>', 'the extension that owns the namespace')
      .action(
        action(io, async (ctx, type, id, ns, key) => {
          await ctx.client(CM).request({
            method: 'DELETE',
            path: `/opaque-data/${seg(type)}/${seg(id)}/${seg(ns)}/${seg(key)}`,
            headers: { 'x-extension-key': ctx.opts.extensionKey },
          });
          ctx.show({ deleted: `${ns}/${key}`, entity: { type, id } }, () => `${ns}/${key} deleted from ${type} ${id}`);
        }),
      ),
    'vnetctl opaque delete switch 0b7c… com.example.qos limits --extension-key com.example.qos',
  );
  return opaque;
}
