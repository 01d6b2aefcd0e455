import type { Request } from 'express';
import { isAlertError } from '@tunasync/alerts';
import type { AlertService } from '@tunasync/alerts';
import { parseBearerToken } from '@tunasync/api-types';
import type { Credentials } from './credentials';
import type { RouteMounter } from './route-mounter';
import { MANAGER_ERRORS } from './errors';

/** `?limit=` of `GET /alerts`: 1…1000, default 100. */
function alertsLimit(value: unknown): number {
  if (value === undefined) return 100;
  const limit = typeof value === 'string' && /^[0-9]+$/.test(value) ? Number(value) : NaN;
  if (!(limit >= 1 && limit <= 1000)) {
    throw MANAGER_ERRORS.invalidLimit(JSON.stringify(value), 'must be an integer from 1 to 1000');
  }
  return limit;
}

/** `GET /alerts` is a read route that needs a token (not a worker's) when tokens are set. */
function requireReader(req: Request, credentials: Credentials): void {
  if (!credentials.enabled) return;
  const credential = credentials.authenticate(parseBearerToken(req.get('authorization')));
  if (credential === undefined) throw MANAGER_ERRORS.unauthorized();
  if (credential.kind === 'worker') {
    throw MANAGER_ERRORS.forbidden(`the token of worker ${credential.id} cannot read /alerts`);
  }
}

/**
 * The alert routes (issue #17): `GET /alerts` (recent alerts and their delivery state) and
 * `POST /alerts/test` (`{"rule": NAME}`: a test event through one rule). `alerts`
 * undefined: GET lists nothing, test says how to configure rules.
 */
export function registerAlertRoutes(
  mount: RouteMounter,
  alerts: AlertService | undefined,
  credentials: Credentials,
): void {
  mount('listAlerts', async (req, res) => {
    requireReader(req, credentials);
    const limit = alertsLimit(req.query.limit);
    res.json({
      rules: alerts?.ruleNames() ?? [],
      alerts: alerts === undefined ? [] : await alerts.recent(limit),
    });
  });

  mount('testAlert', async (req, res) => {
    const body = req.body as { rule?: unknown } | undefined;
    const rule = body?.rule;
    if (typeof rule !== 'string' || rule === '') {
      throw MANAGER_ERRORS.invalidBody(['rule: must be the name of an [[alerts]] rule']);
    }
    if (alerts === undefined || alerts.ruleNames().length === 0) {
      throw MANAGER_ERRORS.alertsNotConfigured();
    }
    try {
      res.json(await alerts.test(rule));
    } catch (err) {
      if (isAlertError(err)) throw MANAGER_ERRORS.unknownAlertRule(err.message);
      throw err;
    }
  });
}
