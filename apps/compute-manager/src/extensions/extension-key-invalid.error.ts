import { DomainError } from '@vnet/events';

/** `X-Extension-Key` is missing, names no extension, or one that does not own the namespace written. */
export class ExtensionKeyInvalidError extends DomainError {
  readonly code = 'EXTENSION_KEY_INVALID';
  readonly status = 403;
  constructor(namespace: string, extensionKey: string | undefined) {
    super(
      extensionKey === undefined
        ? `X-Extension-Key is required to write namespace ${namespace}`
        : `X-Extension-Key ${JSON.stringify(extensionKey)} does not own namespace ${namespace}`,
    );
  }
}

export const isExtensionKeyInvalid = (err: unknown): err is ExtensionKeyInvalidError => err instanceof ExtensionKeyInvalidError;
