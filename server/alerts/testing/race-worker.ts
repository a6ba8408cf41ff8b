/**
 * One of several processes racing on the same alerts database (alert-engine.test.ts): each runs its own engine and
 * connection, waits for `go` on stdin so all start together, feeds its messages and prints the transitions it emitted.
 *
 * argv: <database file> <messages> <pattern: high | alternate>
 */
import { pino } from 'pino';
import { openDatabase } from '../../db/database.ts';
import { AlertEngine } from '../alert-engine.ts';
import type { AlertTransition } from '../../../domain/alerts/alert-service.ts';
import { AlertStore } from '../alert-store.ts';
import { SqliteSql } from '../../db/sql.ts';

const [file, count, pattern] = process.argv.slice(2);
const db = openDatabase(file!);
const engine = new AlertEngine(new AlertStore(new SqliteSql(db)), { logger: pino({ level: 'silent' }) });
const emitted: AlertTransition['transition'][] = [];
const run = engine.startRule(
  {
    id: 'race', name: 'race', nodeId: 'race', severity: 'critical', productKey: '', messageTemplate: '',
    kind: 'threshold', property: 'temperature', raise: { operator: '>', value: 30 }, forMs: 0, clear: 'auto',
  },
  (t) => emitted.push(t.transition),
);
// Ready once the rule has read its open alerts.
await engine.idle();
process.stdout.write('ready\n');
process.stdin.once('data', async () => {
  const start = Date.now();
  for (let i = 0; i < Number(count); i++) {
    const hot = pattern === 'high' || i % 2 === 0;
    run.evaluate({
      productKey: 'thermo', deviceName: 'hall', kind: 'property.post',
      payload: { temperature: hot ? 35 : 20 }, values: [{ identifier: 'temperature', value: hot ? 35 : 20, time: start + i }],
    });
  }
  await engine.close();
  db.close();
  process.stdout.write(`${JSON.stringify(emitted)}\n`);
  process.exit(0);
});
