// `npm run bench`: each benchmark measures its own baseline in the same run and prints ratios.
// `npm run bench -- sessions` (or another name below) runs one of them.
import { auditBench } from './audit-bench';
import { channelsBench } from './channels-bench';
import { containerCheckBench } from './container-check-bench';
import { memoryBench } from './memory-bench';
import { mountsBench } from './mounts-bench';
import { proxyBench } from './proxy-bench';
import { proxyProcessBench } from './proxy-process-bench';
import { schedulerBench } from './scheduler-bench';
import { sessionsBench } from './sessions-bench';
import { startBench } from './start-bench';

const benches: Record<string, () => Promise<void>> = {
  proxy: proxyBench,
  'proxy-processes': proxyProcessBench,
  sessions: sessionsBench,
  scheduler: schedulerBench,
  channels: channelsBench,
  audit: auditBench,
  start: startBench,
  'container-check': containerCheckBench,
  memory: memoryBench,
  mounts: mountsBench,
};
const asked = process.argv.slice(2);
const unknown = asked.filter((name) => !(name in benches));
if (unknown.length) {
  console.error(
    `Unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(benches).join(', ')}`,
  );
  process.exit(2);
}
for (const [name, run] of Object.entries(benches))
  if (!asked.length || asked.includes(name)) await run();
