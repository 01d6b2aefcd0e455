/** ctl.conf as it is written (SPEC §5). */
export interface CtlConfigFile {
  manager_addr?: string;
  manager_port?: number;
  ca_cert?: string;
  /** Beyond (§7.1): bearer token sent to the manager. */
  token?: string;
}

export const CTL_DEFAULTS = {
  manager_addr: 'localhost',
  manager_port: 14242,
} as const;
