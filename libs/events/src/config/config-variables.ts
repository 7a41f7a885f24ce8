import { getMetadataStorage, ValidationTypes } from 'class-validator';

/** One environment variable a service reads (CONTRACT §1), as its config class declares it. */
export interface ConfigVariable {
  name: string;
  /** The value used when it is not set (undefined: none). */
  defaultValue: unknown;
  /** Neither optional nor defaulted: the service does not start without it. */
  required: boolean;
}

/**
 * Every variable a config class reads, from its validation metadata: what loadConfig keeps is what the
 * class validates (whitelist), so this list is exactly what the service can be configured with. Deployment
 * checks (the compose file's environment) derive from it rather than from a copy.
 */
export function configVariables(type: new () => object): ConfigVariable[] {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(type, '', true, false);
  const defaults = new type() as Record<string, unknown>;
  const names = [...new Set(metadata.map((m) => m.propertyName))].sort();
  return names.map((name) => {
    const optional = metadata.some((m) => m.propertyName === name && m.type === ValidationTypes.CONDITIONAL_VALIDATION);
    const defaultValue = defaults[name];
    return { name, defaultValue, required: !optional && defaultValue === undefined };
  });
}
