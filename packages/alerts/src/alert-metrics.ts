/** Counters of the alerts since the manager started, as Prometheus text (`/metrics`). */
export class AlertMetrics {
  private readonly sent = new Map<string, number>();
  private readonly failures = new Map<string, number>();
  private readonly givenUp = new Map<string, number>();

  private static bump(map: Map<string, number>, event: string, sink: string): void {
    const key = JSON.stringify([event, sink]);
    map.set(key, (map.get(key) ?? 0) + 1);
  }

  recordSent(event: string, sink: string): void {
    AlertMetrics.bump(this.sent, event, sink);
  }

  /** A failed attempt; `final` when it was the last one (the alert is given up on). */
  recordFailure(event: string, sink: string, final: boolean): void {
    AlertMetrics.bump(this.failures, event, sink);
    if (final) AlertMetrics.bump(this.givenUp, event, sink);
  }

  /** The families, with `pending` the number of stored alerts still to send. */
  text(pending: number): string {
    const esc = (v: string) => v.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
    const family = (name: string, help: string, map: Map<string, number>) => {
      let out = `# HELP ${name} ${help}\n# TYPE ${name} counter\n`;
      for (const [key, value] of [...map].sort()) {
        const [event, sink] = JSON.parse(key) as [string, string];
        out += `${name}{event="${esc(event)}",sink="${esc(sink)}"} ${value}\n`;
      }
      return out;
    };
    return (
      family('tunasync_alerts_sent_total', 'Alerts delivered, by event and sink.', this.sent) +
      family(
        'tunasync_alert_delivery_failures_total',
        'Failed delivery attempts of alerts, by event and sink.',
        this.failures,
      ) +
      family(
        'tunasync_alerts_given_up_total',
        'Alerts given up on after their last retry, by event and sink.',
        this.givenUp,
      ) +
      '# HELP tunasync_alerts_pending Stored alerts not yet delivered.\n' +
      '# TYPE tunasync_alerts_pending gauge\n' +
      `tunasync_alerts_pending ${pending}\n`
    );
  }
}
