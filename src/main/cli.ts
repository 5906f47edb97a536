import { runCli } from './cli/program';

void runCli(process.argv);
