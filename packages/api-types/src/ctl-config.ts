import type { ctlConfigSchema } from './config-schemas';
import type { FromSchema } from './schema-type';

/** ctl.conf as it is written (SPEC §5): the type of `ctlConfigSchema`. */
export type CtlConfigFile = FromSchema<typeof ctlConfigSchema>;

export const CTL_DEFAULTS = {
  manager_addr: 'localhost',
  manager_port: 14242,
} as const;
