// First: zod's settings must be in place before any schema is built.
import './zod-config';
import { runCli } from './cli/program';

void runCli(process.argv);
