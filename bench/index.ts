// `npm run bench`: each benchmark measures its own baseline in the same run and prints ratios.
import { proxyBench } from './proxy-bench';

await proxyBench();
