/** The exact answers of the control server (SPEC §4.1). */
export const CONTROL_ANSWERS = {
  ok: 'OK',
  invalidRequest: 'Invalid request',
  invalidCommand: 'Invalid Command',
  unauthorized: 'Unauthorized: missing or wrong bearer token',
  tooLarge: 'Request body too large (limit 64 KiB)',
  notFound: (name: string) => `Mirror \`\`${name}'' not found`,
} as const;
